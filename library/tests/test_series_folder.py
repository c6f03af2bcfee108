"""A series' folder is worked out in one place: ``sync.series_path`` (no root or an unsafe
folder is an ``UnsafePathError``) and ``catalog.series_folder`` (the same as API errors)."""

import pytest

from aniworld.errors import Conflict, ValidationFailed
from library.catalog import LibraryNotConfigured, series_folder
from library.naming import UnsafePathError
from library.sync import series_path
from tests.factories import make_series

pytestmark = pytest.mark.django_db


def test_the_folder_lies_in_the_library_root(library_root):
    series = make_series(folder="Frieren (2023)")
    expected = (library_root / "Frieren (2023)").resolve()
    assert series_path(series) == expected
    assert series_folder(series) == expected


def test_without_a_library_root_there_is_no_folder():
    series = make_series(folder="Frieren (2023)")
    with pytest.raises(UnsafePathError, match="No library directory"):
        series_path(series)
    with pytest.raises(LibraryNotConfigured):
        series_folder(series)


def test_a_folder_that_would_leave_the_root_is_refused(library_root):
    series = make_series(folder="../elsewhere")
    with pytest.raises(UnsafePathError):
        series_path(series)
    with pytest.raises(ValidationFailed) as refused:
        series_folder(series)
    assert "folder" in refused.value.details


def test_an_unusable_root_is_a_conflict(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ANIME_DIRECTORY", str(blocker))
    with pytest.raises(Conflict, match="cannot be created"):
        series_folder(make_series(folder="Frieren (2023)"))
