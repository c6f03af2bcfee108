"""What ``connect`` does when the worker, the library or the health checks announce something.

Every receiver only queues work (``connect.tasks``); nothing here talks to the
network, so a slow or broken media server never holds up a download.
"""

from __future__ import annotations

from aniworld.library_root import library_root
from connect import tasks
from connect.models import HealthState
from downloads import signals as download_signals
from library import signals as library_signals
from library.naming import UnsafePathError
from library.sync import series_path
from system import health
from system.status import CHECK_LABELS

CHALLENGE = "CHALLENGE"


def connect() -> None:
    download_signals.episode_placed.connect(on_episode_placed, dispatch_uid="connect-placed")
    download_signals.download_failed.connect(on_download_failed, dispatch_uid="connect-failed")
    library_signals.series_deleted.connect(on_series_deleted, dispatch_uid="connect-deleted")
    library_signals.new_episodes_found.connect(on_new_episodes, dispatch_uid="connect-new")
    health.checks_completed.connect(on_health_checked, dispatch_uid="connect-health")


def episode_label(episode) -> str:
    return f"{episode.series.name} S{episode.season:02d}E{episode.number:02d}"


def on_episode_placed(sender, item, episode, path, replaced, **kwargs) -> None:
    changes = [[str(path), "Modified" if item.upgrade and not replaced else "Created"]]
    root = library_root()
    if replaced and root is not None:
        changes.append([str(root / replaced), "Deleted"])
    try:
        folder = str(series_path(episode.series))
    except UnsafePathError:
        folder = str(path.parent)
    tasks.queue_media_update(changes, folder)
    title = f"Downloaded: {episode_label(episode)}"
    body = f"{item.downloaded_language} from {item.hoster or 'a hoster'}\n{item.file_path}"
    tasks.queue_notification("download_completed", title, body, "success")


def on_download_failed(sender, item, message, **kwargs) -> None:
    label = episode_label(item.episode)
    if getattr(item, "error_code", "") == CHALLENGE:
        title = f"Needs your help: {label}"
        body = (
            "Every link of this episode is behind a check Aniworld cannot pass. Open the "
            f"Queue page, pass the check in your browser and paste the video page's address.\n{message}"
        )
        tasks.queue_notification("needs_attention", title, body, "warning")
        return
    tasks.queue_notification("download_failed", f"Download failed: {label}", message, "failure")


def on_series_deleted(sender, key, name, folder, path, files_deleted, **kwargs) -> None:
    if not files_deleted or path is None:
        return  # the files are still there: nothing changed for a media server
    tasks.queue_media_update([[str(path), "Deleted"]], str(path))


def on_new_episodes(sender, episodes, **kwargs) -> None:
    if not episodes:
        return
    lines = [episode_label(episode) for episode in episodes]
    count = len(lines)
    title = f"{count} new episode{'s' if count != 1 else ''} queued"
    tasks.queue_notification("new_episodes", title, "\n".join(lines))


def on_health_checked(sender, results, **kwargs) -> None:
    """Announce a check that turned bad: once, until it is ok again (across processes)."""
    for name, result in results.items():
        status = "ok" if result.get("status") == "ok" else "error"
        HealthState.objects.get_or_create(name=name, defaults={"status": "ok"})
        turned = HealthState.objects.filter(name=name).exclude(status=status).update(status=status)
        if turned and status == "error":
            label = CHECK_LABELS.get(name, name)
            tasks.queue_notification(
                "health", f"Health problem: {label}", result.get("message", ""), "warning"
            )
