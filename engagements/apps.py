from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "US–China encounters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The admin lives with the other surfaces (engagements/surfaces/), not at the app's root
        # where admin.autodiscover() would look; the receivers with the domain rules they keep.
        from engagements.domain import signals  # noqa: F401
        from engagements.surfaces import admin  # noqa: F401
