"""The free-space check the download worker makes, and the owner's minimum it uses."""

import pytest

from aniworld import config
from aniworld.disk_space import GIGABYTE, disk_space, min_free_bytes, require_free_space
from aniworld.errors import InsufficientStorage


def test_the_minimum_is_the_owners_setting_in_bytes(tmp_path):
    config.store().update({"downloads": {"min_free_space_gb": 1.5}})
    assert min_free_bytes() == int(1.5 * GIGABYTE)
    assert min_free_bytes({"min_free_space_gb": 3}) == 3 * GIGABYTE


def test_enough_space_passes_and_missing_folders_are_made(tmp_path):
    folder = tmp_path / "library" / "new"
    require_free_space({"the library": folder}, 0)
    assert folder.is_dir()


def test_too_little_space_names_the_folder_and_the_minimum(tmp_path):
    free = disk_space(tmp_path).free
    with pytest.raises(InsufficientStorage) as refused:
        require_free_space({"the temp folder": tmp_path}, free + 1000 * GIGABYTE)
    message = refused.value.message
    assert f"GB free on the temp folder ({tmp_path}); downloads need at least" in message
    assert "(Settings → Downloads)" in message


def test_the_space_of_a_disk_adds_up(tmp_path):
    space = disk_space(tmp_path)
    assert space.path == tmp_path
    assert 0 <= space.free <= space.total
    assert 0 <= space.used <= space.total
