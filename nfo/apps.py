from django.apps import AppConfig


class NfoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nfo"

    def ready(self):
        # Django's place for connecting signals: these modules import models, loaded by now.
        from downloads.signals import episode_placed
        from library.matching import register_id_readers
        from library.signals import series_loaded
        from nfo.episodes import on_episode_placed
        from nfo.folder_ids import read_nfo_ids, tmdb_ids
        from nfo.service import on_series_loaded

        episode_placed.connect(on_episode_placed, dispatch_uid="nfo-episode-placed")
        series_loaded.connect(on_series_loaded, dispatch_uid="nfo-series-loaded")
        register_id_readers(read_nfo_ids, tmdb_ids)
