import json
import logging
from pathlib import Path

import pytest

from library.data_file import SeriesRef, read_data_file, write_data_file


def write_ref(folder: Path, key: str) -> SeriesRef:
    ref = SeriesRef(key=key, name=key.title(), site="aniworld.to", folder=folder.name)
    write_data_file(folder, ref)
    return ref


def test_a_written_data_file_reads_back(tmp_path):
    ref = SeriesRef(
        key="shingeki-no-kyojin", name="進撃の巨人", site="aniworld.to", folder=tmp_path.name
    )
    write_data_file(tmp_path, ref)
    assert read_data_file(tmp_path) == ref
    assert json.loads((tmp_path / "data").read_text(encoding="utf-8"))["name"] == "進撃の巨人"


def test_writing_the_data_file_leaves_no_temporary_file(tmp_path):
    write_ref(tmp_path, "naruto")
    write_ref(tmp_path, "naruto-shippuden")
    assert [path.name for path in tmp_path.iterdir()] == ["data"]
    assert read_data_file(tmp_path).key == "naruto-shippuden"


def test_a_folder_without_data_file_has_no_ref(tmp_path, caplog):
    assert read_data_file(tmp_path) is None
    assert not caplog.records


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"name": "no key"}',
        b'{"key": ""}',
        b'{"key": "../../etc"}',
        b'{"key": ".."}',
        b'{"key": "naruto", "name": 5}',
    ],
)
def test_a_corrupt_data_file_gives_no_ref_and_a_warning(tmp_path, caplog, content):
    (tmp_path / "data").write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="library.data_file"):
        assert read_data_file(tmp_path) is None
    assert "data" in caplog.text


def test_a_data_file_that_is_a_folder_gives_no_ref_and_a_warning(tmp_path, caplog):
    (tmp_path / "data").mkdir()
    with caplog.at_level(logging.WARNING, logger="library.data_file"):
        assert read_data_file(tmp_path) is None
    assert caplog.records


def test_an_old_data_file_without_site_and_folder_gets_defaults(tmp_path):
    (tmp_path / "data").write_text('{"key": "naruto", "name": "Naruto"}')
    assert read_data_file(tmp_path) == SeriesRef("naruto", "Naruto", "aniworld.to", tmp_path.name)
