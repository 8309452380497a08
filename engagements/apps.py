from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "US–China encounters"
    default_auto_field = "django.db.models.BigAutoField"
