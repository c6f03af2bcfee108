from django.apps import AppConfig


class HistoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "history"
    verbose_name = "History"

    def ready(self):
        # Django's place for connecting signals: receivers imports models, loaded by now.
        from history import receivers

        receivers.connect()
