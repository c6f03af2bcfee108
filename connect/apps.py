from django.apps import AppConfig


class ConnectConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "connect"
    verbose_name = "Connect"

    def ready(self):
        # Django's place for connecting signals: receivers imports models, loaded by now.
        from connect import receivers

        receivers.connect()
