from django.apps import AppConfig

from aniworld import logs


class AniworldConfig(AppConfig):
    name = "aniworld"
    verbose_name = "Aniworld"

    def ready(self):
        logs.configure()
