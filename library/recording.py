"""Recording a downloaded file on its episode: the one place a download becomes "on disk"."""

from __future__ import annotations

from library.models import Episode


def record_download(episode: Episode, file_path: str, *, size: int, language: str) -> None:
    """Mark ``episode`` downloaded as the file at ``file_path`` (relative to the library
    root), of ``size`` bytes in ``language``.

    Only the database changes: the instance keeps what it held before, which the
    download's receivers compare with (an upgrade from which language, replacing which file).
    """
    Episode.objects.filter(id=episode.id).update(
        is_downloaded=True, file_path=file_path, downloaded_language=language, file_size=size
    )
