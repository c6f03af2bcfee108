import json
import os

import pytest

from aniworld.config import DEFAULTS, ConfigFileError, ConfigStore, write_atomically
from aniworld.errors import ValidationFailed


@pytest.fixture
def store(tmp_path):
    return ConfigStore(tmp_path / "config.json")


def test_a_missing_file_loads_as_the_defaults(store):
    assert store.load() == DEFAULTS


def test_unknown_keys_survive_a_round_trip(store):
    store.path.write_text(
        json.dumps({"custom_section": {"x": 1}, "scheduler": {"enabled": False, "mine": "keep"}})
    )
    store.update({"logging": {"level": "DEBUG"}})
    on_disk = json.loads(store.path.read_text())
    assert on_disk["custom_section"] == {"x": 1}
    assert on_disk["scheduler"] == {"enabled": False, "mine": "keep"}
    assert on_disk["logging"] == {"level": "DEBUG"}
    assert store.load()["scheduler"]["schedule_time"] == "03:00"


def test_an_update_merges_nested_objects_instead_of_replacing_them(store):
    store.update({"scheduler": {"schedule_time": "04:30"}})
    store.update({"scheduler": {"enabled": False}})
    loaded = store.load()["scheduler"]
    assert loaded["schedule_time"] == "04:30"
    assert loaded["enabled"] is False


def test_an_invalid_update_is_refused_per_field_and_leaves_the_file_alone(store):
    store.update({"logging": {"level": "INFO"}})
    before = store.path.read_bytes()
    with pytest.raises(ValidationFailed) as caught:
        store.update({"scheduler": {"schedule_time": "7pm", "schedule_days": ["funday"]}})
    assert set(caught.value.details) == {"scheduler.schedule_time", "scheduler.schedule_days"}
    assert store.path.read_bytes() == before


def test_a_file_that_is_not_json_is_a_clear_error(store):
    store.path.write_text("{ not json")
    with pytest.raises(ConfigFileError, match="not valid JSON"):
        store.load()


def test_changes_by_another_process_are_seen(store):
    store.update({"logging": {"level": "INFO"}})
    assert store.load()["logging"]["level"] == "INFO"
    ConfigStore(store.path).update({"logging": {"level": "ERROR"}})
    assert store.load()["logging"]["level"] == "ERROR"


def test_an_interrupted_write_leaves_the_old_file_and_no_temp_file(store, monkeypatch):
    store.update({"logging": {"level": "INFO"}})
    before = store.path.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.update({"logging": {"level": "DEBUG"}})
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["config.json", "config.lock"]


def test_write_atomically_can_set_the_file_mode(tmp_path):
    target = tmp_path / "secret"
    write_atomically(target, "x", mode=0o600)
    assert target.stat().st_mode & 0o777 == 0o600
