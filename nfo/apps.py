from django.apps import AppConfig


class NfoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nfo"

    def ready(self):
        from downloads.signals import episode_placed
        from nfo.episodes import on_episode_placed

        episode_placed.connect(on_episode_placed, dispatch_uid="nfo-episode-placed")
