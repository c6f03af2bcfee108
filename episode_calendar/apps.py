from django.apps import AppConfig


class EpisodeCalendarConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "episode_calendar"
    verbose_name = "Calendar"
