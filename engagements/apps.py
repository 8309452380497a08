from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "US–China encounters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from engagements import signals  # noqa: F401 - connects the search-document receivers
