from django.apps import AppConfig


class NfoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nfo"
