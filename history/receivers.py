"""Turn what the worker and the library announce into history rows."""

from __future__ import annotations

from downloads import signals as download_signals
from history.models import Event, HistoryEvent
from library import signals as library_signals


def connect() -> None:
    download_signals.download_started.connect(on_download_started, dispatch_uid="history-grab")
    download_signals.episode_placed.connect(on_episode_placed, dispatch_uid="history-import")
    download_signals.download_failed.connect(on_download_failed, dispatch_uid="history-failed")
    library_signals.series_deleted.connect(on_series_deleted, dispatch_uid="history-deleted")
    library_signals.episode_renamed.connect(on_episode_renamed, dispatch_uid="history-renamed")


def _episode_fields(episode) -> dict:
    return {
        "series_key": episode.series.key,
        "series_name": episode.series.name,
        "season": episode.season,
        "episode": episode.number,
    }


def on_download_started(sender, item, **kwargs) -> None:
    HistoryEvent.objects.create(
        event=Event.GRABBED,
        language=item.language,
        message="upgrade of the file on disk" if item.upgrade else "",
        **_episode_fields(item.episode),
    )


def on_episode_placed(sender, item, episode, path, replaced, **kwargs) -> None:
    # ``episode`` is the worker's copy from before the import: its language is the old one.
    upgrade = bool(replaced) or (item.upgrade and bool(episode.downloaded_language))
    if upgrade:
        before = episode.downloaded_language or "unknown language"
        message = f"{before} → {item.downloaded_language}"
        if replaced:
            message += f"; replaced {replaced}"
    else:
        message = f"{path.stat().st_size} bytes" if path.exists() else ""
    HistoryEvent.objects.create(
        event=Event.UPGRADED if upgrade else Event.IMPORTED,
        language=item.downloaded_language,
        hoster=item.hoster,
        file_path=item.file_path,
        message=message,
        **_episode_fields(episode),
    )


def on_download_failed(sender, item, message, **kwargs) -> None:
    HistoryEvent.objects.create(
        event=Event.FAILED,
        language=item.language,
        hoster=item.hoster,
        message=message,
        **_episode_fields(item.episode),
    )


def on_series_deleted(sender, key, name, folder, files_deleted, **kwargs) -> None:
    what = f"its folder {folder} was deleted" if files_deleted else f"its folder {folder} was kept"
    HistoryEvent.objects.create(
        event=Event.DELETED,
        series_key=key,
        series_name=name,
        file_path=folder if files_deleted else "",
        message=f"removed from the library; {what}",
    )


def on_episode_renamed(sender, episode, old_path, new_path, **kwargs) -> None:
    HistoryEvent.objects.create(
        event=Event.RENAMED,
        language=episode.downloaded_language,
        file_path=new_path,
        message=f"{old_path} → {new_path}",
        **_episode_fields(episode),
    )
