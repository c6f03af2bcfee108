from django.apps import AppConfig


class AniworldConfig(AppConfig):
    name = "aniworld"
    verbose_name = "Aniworld"

    def ready(self):
        from aniworld import logs

        logs.configure()
