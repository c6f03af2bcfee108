"""The Settings page's forms: they render fields and turn a submission into a config change.

They do not judge values: every check is the API's (``system.config_changes``),
whose per-field errors come back onto the fields here. So numbers stay text
until the API says whether they are numbers, and the page can never accept what
``PATCH /api/config`` would refuse.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from aniworld.config import WEEKDAYS
from aniworld.env import LOG_LEVELS
from aniworld.hosters import DOWNLOADABLE
from aniworld.languages import Language

NONE_CHOICE = [("", "—")]
DAY_LABELS = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def as_number(text: Any) -> Any:
    """A number when the text is one; otherwise the text, for the API to refuse."""
    text = str(text or "").strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


class SettingsForm(forms.Form):
    """One section of the Settings page.

    ``fields_to_keys`` maps each simple field to its dotted config key; sections
    with list-valued settings override ``initial_from`` and ``to_change``.
    """

    section: ClassVar[str]
    title: ClassVar[str]
    fields_to_keys: ClassVar[dict[str, str]] = {}
    numbers: ClassVar[set[str]] = set()

    def __init__(self, current: dict[str, Any], data=None):
        super().__init__(data=data, prefix=self.section, initial=self.initial_from(current))
        self.fixed = current["meta"]["read_only"]
        for name, dotted in self.fields_to_keys.items():
            if dotted in self.fixed:
                self.fields[name].disabled = True
                self.fields[
                    name
                ].help_text = (
                    f"Set by the environment variable {self.fixed[dotted]}; change it there."
                )

    @staticmethod
    def value(current: dict[str, Any], dotted: str) -> Any:
        section, key = dotted.split(".")
        return current[section][key]

    def initial_from(self, current: dict[str, Any]) -> dict[str, Any]:
        return {name: self.value(current, key) for name, key in self.fields_to_keys.items()}

    def to_change(self) -> dict[str, Any]:
        change: dict[str, Any] = {}
        for name, dotted in self.fields_to_keys.items():
            if self.fields[name].disabled:
                continue
            value = self.cleaned_data.get(name)
            if name in self.numbers:
                value = as_number(value)
            section, key = dotted.split(".")
            change.setdefault(section, {})[key] = value
        return change

    def keys_to_fields(self) -> dict[str, str]:
        return {dotted: name for name, dotted in self.fields_to_keys.items()}

    def show_errors(self, details: dict[str, Any]) -> None:
        """Put the API's ``{"section.key": [messages]}`` on the fields they belong to."""
        fields = self.keys_to_fields()
        for dotted, messages in details.items():
            texts = messages if isinstance(messages, list) else [messages]
            name = fields.get(dotted)
            for text in texts:
                self.add_error(name, str(text) if name else f"{dotted}: {text}")


class LibraryForm(SettingsForm):
    section = "library"
    title = "Library"
    fields_to_keys = {
        "anime_directory": "other.anime_directory",
        "naming_template": "downloads.naming_template",
        "episode_padding": "downloads.episode_padding",
    }
    numbers = {"episode_padding"}

    anime_directory = forms.CharField(
        label="Library folder",
        required=False,
        help_text="An absolute path Aniworld can write to; one folder per series.",
    )
    naming_template = forms.CharField(
        label="File name template",
        required=False,
        strip=False,
        help_text=(
            "Relative to the series folder. Tokens: {series} {year} {season} {episode} "
            "{title} {language}; '/' makes folders."
        ),
    )
    episode_padding = forms.ChoiceField(
        label="Episode number digits", choices=[("2", "2 (E01)"), ("3", "3 (E001)")]
    )


class DownloadsForm(SettingsForm):
    section = "downloads"
    title = "Downloads"
    fields_to_keys = {
        "min_free_space_gb": "downloads.min_free_space_gb",
        "hoster_order_auto": "downloads.hoster_order_auto",
    }
    numbers = {"min_free_space_gb"}

    hoster_order_auto = forms.BooleanField(
        label="Try failing hosters last",
        required=False,
        help_text="A hoster whose last 10 attempts all failed goes behind the others.",
    )

    min_free_space_gb = forms.CharField(
        label="Minimum free space (GB)",
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.5"}),
        help_text="Downloads stop before the library or temp folder gets fuller than this.",
    )

    def __init__(self, current: dict[str, Any], data=None):
        super().__init__(current, data)
        language_choices = NONE_CHOICE + [(language.value, language.label) for language in Language]
        hoster_choices = NONE_CHOICE + [(hoster.value, hoster.value) for hoster in DOWNLOADABLE]
        for index in range(len(Language)):
            self.fields[f"language_{index + 1}"] = forms.ChoiceField(
                label=f"Language choice {index + 1}", choices=language_choices, required=False
            )
        for index in range(len(DOWNLOADABLE)):
            self.fields[f"hoster_{index + 1}"] = forms.ChoiceField(
                label=f"Hoster choice {index + 1}", choices=hoster_choices, required=False
            )

    def initial_from(self, current: dict[str, Any]) -> dict[str, Any]:
        initial = super().initial_from(current)
        downloads = current["downloads"]
        for index, language in enumerate(downloads["language_order"]):
            initial[f"language_{index + 1}"] = language
        for index, hoster in enumerate(downloads["hoster_order"]):
            initial[f"hoster_{index + 1}"] = hoster
        return initial

    def language_fields(self):
        return [self[f"language_{index + 1}"] for index in range(len(Language))]

    def hoster_fields(self):
        return [self[f"hoster_{index + 1}"] for index in range(len(DOWNLOADABLE))]

    def to_change(self) -> dict[str, Any]:
        change = super().to_change()
        downloads = change.setdefault("downloads", {})
        downloads["language_order"] = [
            self.cleaned_data[f"language_{i + 1}"]
            for i in range(len(Language))
            if self.cleaned_data.get(f"language_{i + 1}")
        ]
        downloads["hoster_order"] = [
            self.cleaned_data[f"hoster_{i + 1}"]
            for i in range(len(DOWNLOADABLE))
            if self.cleaned_data.get(f"hoster_{i + 1}")
        ]
        return change

    def keys_to_fields(self) -> dict[str, str]:
        return {
            **super().keys_to_fields(),
            "downloads.language_order": "language_1",
            "downloads.hoster_order": "hoster_1",
        }


class MetadataForm(SettingsForm):
    section = "metadata"
    title = "Metadata"
    fields_to_keys = {
        "tmdb_api_key": "tmdb.api_key",
        "aniworld_urls": "sites.aniworld_urls",
        "sto_urls": "sites.sto_urls",
    }
    # Mirror lists are edited one address per line.
    url_lists: ClassVar[set[str]] = {"aniworld_urls", "sto_urls"}

    tmdb_api_key = forms.CharField(
        label="TMDB API key",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    remove_tmdb_key = forms.BooleanField(label="Remove the stored TMDB key", required=False)
    aniworld_urls = forms.CharField(
        label="aniworld.to mirrors",
        required=False,
        help_text=(
            "One address per line, the preferred first; when one is unreachable or "
            "blocked, the next is used."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    sto_urls = forms.CharField(
        label="s.to mirrors",
        required=False,
        help_text="s.to itself is blocked in Germany; its mirrors serve the same pages.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    def __init__(self, current: dict[str, Any], data=None):
        super().__init__(current, data)
        if not self.fields["tmdb_api_key"].disabled:
            stored = current["meta"]["tmdb_api_key_set"]
            self.fields["tmdb_api_key"].help_text = (
                "A key is stored; leave this empty to keep it."
                if stored
                else "No key yet: without one, no NFO files or artwork are written."
            )
        else:
            self.fields["remove_tmdb_key"].disabled = True

    def initial_from(self, current: dict[str, Any]) -> dict[str, Any]:
        initial = super().initial_from(current)
        for name in self.url_lists:
            initial[name] = "\n".join(initial[name])
        return initial

    def to_change(self) -> dict[str, Any]:
        change = super().to_change()
        for name in self.url_lists:
            section, key = self.fields_to_keys[name].split(".")
            if key in change.get(section, {}):
                change[section][key] = change[section][key].split()
        tmdb = change.get("tmdb", {})
        if "api_key" in tmdb:
            if self.cleaned_data.get("remove_tmdb_key"):
                tmdb["api_key"] = ""
            elif not tmdb["api_key"]:
                tmdb["api_key"] = None  # empty field: keep the stored key
        return change


class SchedulerForm(SettingsForm):
    section = "scheduler"
    title = "Scheduler"
    fields_to_keys = {
        "enabled": "scheduler.enabled",
        "schedule_time": "scheduler.schedule_time",
        "schedule_days": "scheduler.schedule_days",
        "auto_download_after_rescan": "scheduler.auto_download_after_rescan",
        "watch_enabled": "new_episodes.enabled",
        "interval_minutes": "new_episodes.interval_minutes",
    }
    numbers = {"interval_minutes"}

    enabled = forms.BooleanField(label="Rescan the library every day", required=False)
    schedule_time = forms.CharField(
        label="Rescan time", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    schedule_days = forms.MultipleChoiceField(
        label="On these days",
        required=False,
        choices=list(DAY_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    auto_download_after_rescan = forms.BooleanField(
        label="Queue the missing episodes the rescan finds", required=False
    )
    watch_enabled = forms.BooleanField(
        label="Watch the sites' new-episode lists and queue new episodes of my series",
        required=False,
    )
    interval_minutes = forms.CharField(
        label="Check every (minutes)",
        required=False,
        widget=forms.NumberInput(attrs={"min": "5", "max": "1440"}),
    )


class LoggingForm(SettingsForm):
    section = "logging"
    title = "Logging"
    fields_to_keys = {"level": "logging.level"}

    level = forms.ChoiceField(
        label="Log level",
        choices=[(level, level.title()) for level in LOG_LEVELS],
        help_text="Applied at once, without a restart.",
    )


class BackupForm(SettingsForm):
    section = "backup"
    title = "Backups"
    fields_to_keys = {
        "enabled": "backup.enabled",
        "schedule_time": "backup.schedule_time",
        "keep": "backup.keep",
        "path": "backup.path",
    }
    numbers = {"keep"}

    enabled = forms.BooleanField(label="Back up every day", required=False)
    schedule_time = forms.CharField(
        label="Backup time", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    keep = forms.CharField(
        label="Keep the newest",
        required=False,
        widget=forms.NumberInput(attrs={"min": "1", "max": "1000"}),
        help_text="Older backups are deleted.",
    )
    path = forms.CharField(
        label="Backup folder",
        required=False,
        help_text="Empty: the backups folder in the data directory.",
    )


SECTIONS: dict[str, type[SettingsForm]] = {
    form.section: form
    for form in (LibraryForm, DownloadsForm, MetadataForm, SchedulerForm, LoggingForm, BackupForm)
}
