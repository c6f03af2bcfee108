"""Backups: create, list, retention, names, restore (and refusing corrupt ones), delete."""

import json
import sqlite3
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from accounts import owner
from aniworld import config
from library.models import Series
from system import backups
from tests.factories import make_series

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("backup_dir")]

ON_SQLITE = connection.vendor == "sqlite"
sqlite_only = pytest.mark.skipif(
    not ON_SQLITE, reason="backups copy a SQLite database only (PostgreSQL: pg_dump)"
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL run (make test-services)"
)


@sqlite_only
def test_a_backup_holds_the_settings_and_a_database_copy_you_can_query(tmp_path):
    make_series("dark", "Dark", site="s.to")
    config.store().update({"logging": {"level": "WARNING"}})
    backup = backups.create_backup()
    with zipfile.ZipFile(backups.path_of(backup.name)) as archive:
        assert archive.read("config.json") == settings.ANIWORLD_CONFIG_FILE.read_bytes()
        manifest = json.loads(archive.read("manifest.json"))
        archive.extract("aniworld.db", tmp_path)
    assert manifest["database"] == "sqlite"
    assert manifest["reason"] == "manual"
    with sqlite3.connect(tmp_path / "aniworld.db") as copy:
        rows = copy.execute("SELECT key, name FROM library_series").fetchall()
        check = copy.execute("PRAGMA integrity_check").fetchone()
    assert rows == [("dark", "Dark")]
    assert check == ("ok",)


@postgresql_only
def test_on_postgresql_a_backup_holds_the_settings_and_says_to_use_pg_dump():
    make_series("dark", "Dark", site="s.to")
    config.store().update({"logging": {"level": "WARNING"}})
    backup = backups.create_backup()
    with zipfile.ZipFile(backups.path_of(backup.name)) as archive:
        assert archive.read("config.json") == settings.ANIWORLD_CONFIG_FILE.read_bytes()
        manifest = json.loads(archive.read("manifest.json"))
        assert sorted(archive.namelist()) == ["config.json", "manifest.json"]
    assert manifest["database"] == "postgresql"
    assert manifest["database_file"] is None
    assert "pg_dump" in manifest["note"]
    assert backup.includes_database is False
    assert backup.valid is True


def test_the_database_copy_is_a_consistent_snapshot_while_another_connection_writes(tmp_path):
    """A writer moves money between two accounts; every copy must show the same total."""
    source = tmp_path / "live.db"
    with sqlite3.connect(source) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER)")
        db.executemany("INSERT INTO account VALUES (?, ?)", [(1, 1000), (2, 0)])
    db.close()
    stop = threading.Event()

    def transfer():
        writer = sqlite3.connect(source, timeout=10)
        while not stop.is_set():
            with writer:
                writer.execute("UPDATE account SET balance = balance - 1 WHERE id = 1")
                writer.execute("UPDATE account SET balance = balance + 1 WHERE id = 2")
        writer.close()

    thread = threading.Thread(target=transfer)
    thread.start()
    try:
        totals = []
        for number in range(20):
            target = tmp_path / f"copy-{number}.db"
            backups.copy_sqlite_file(source, target)
            with sqlite3.connect(target) as copy:
                totals.append(copy.execute("SELECT SUM(balance) FROM account").fetchone()[0])
            copy.close()
    finally:
        stop.set()
        thread.join()
    assert totals == [1000] * 20


def test_backups_are_listed_newest_first_with_name_size_and_date(api):
    # (Tokens issued now are not valid in the past: travel only around the backups.)
    with time_machine.travel("2026-03-01 10:00:00Z", tick=False):
        first = backups.create_backup()
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        backups.create_backup()
        again = backups.create_backup()  # within the same second: a suffix
    assert first.name == "aniworld-backup-20260301-100000.zip"
    assert again.name == "aniworld-backup-20260302-100000-2.zip"
    response = api.post("/api/config/backups")
    assert response.status_code == 201
    assert response.json()["reason"] == "manual"
    api.delete(f"/api/config/backups/{response.json()['name']}")
    listed = api.get("/api/config/backups").json()
    assert [b["name"] for b in listed] == [
        "aniworld-backup-20260302-100000-2.zip",
        "aniworld-backup-20260302-100000.zip",
        "aniworld-backup-20260301-100000.zip",
    ]
    assert listed[-1]["created_at"] == "2026-03-01T10:00:00Z"
    assert all(b["size"] > 0 and b["valid"] for b in listed)
    assert all(b["includes_database"] is ON_SQLITE for b in listed)


def test_backups_published_in_the_same_second_never_overwrite_each_other(tmp_path, backup_dir):
    # Two requests (or processes) finishing a backup at the same moment race for the
    # same name; each must end under a name of its own with its own content.
    backup_dir.mkdir(parents=True, exist_ok=True)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    archives = []
    for n in range(8):
        archive = tmp_path / f"archive-{n}.zip"
        archive.write_text(f"backup {n}")
        archives.append(archive)
    start = threading.Barrier(len(archives))

    def publish(archive):
        start.wait()
        return backups._publish(archive, backup_dir, now)

    with ThreadPoolExecutor(len(archives)) as pool:
        published = list(pool.map(publish, archives))
    assert len({p.name for p in published}) == len(archives)
    assert sorted(p.read_text() for p in published) == [f"backup {n}" for n in range(8)]
    assert not any(a.exists() for a in archives)


def test_only_the_newest_n_backups_are_kept(backup_dir):
    config.store().update({"backup": {"keep": 2}})
    for day in (1, 2, 3):
        with time_machine.travel(f"2026-03-0{day} 10:00:00Z", tick=False):
            backups.create_backup()
    assert sorted(p.name for p in backup_dir.iterdir()) == [
        "aniworld-backup-20260302-100000.zip",
        "aniworld-backup-20260303-100000.zip",
    ]


@pytest.mark.parametrize(
    "name", ["config.json", "..", "aniworld-backup-1.zip", "aniworld-backup-20260301-100000.tar"]
)
def test_names_we_did_not_make_are_refused(api, backup_dir, name):
    backup_dir.mkdir()
    (backup_dir / name).write_text("x") if name != ".." else None
    assert api.post(f"/api/config/backups/{name}/restore", {}, format="json").status_code == 404
    assert api.delete(f"/api/config/backups/{name}").status_code == 404


def test_a_missing_backup_is_a_404(api):
    response = api.delete("/api/config/backups/aniworld-backup-20260301-100000.zip")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


def test_a_backup_can_be_deleted(api):
    name = api.post("/api/config/backups").json()["name"]
    assert api.delete(f"/api/config/backups/{name}").json() == {"deleted": name}
    assert api.get("/api/config/backups").json() == []


def corrupt(path, how):
    if how == "not a zip":
        path.write_bytes(b"this is not a zip file at all")
        return
    good = zipfile.ZipFile(path).read("config.json")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": 1}))
        if how == "invalid settings":
            archive.writestr("config.json", json.dumps({"logging": {"level": "LOUD"}}))
        elif how == "not json":
            archive.writestr("config.json", b"{ broken")
        elif how == "damaged database":
            archive.writestr("config.json", good)
            archive.writestr("aniworld.db", b"SQLite format 3\x00" + b"\x00" * 200)


@pytest.mark.parametrize(
    ("how", "database"),
    [
        ("not a zip", False),
        ("invalid settings", False),
        ("not json", False),
        pytest.param("damaged database", True, marks=sqlite_only),
    ],
)
def test_a_corrupt_backup_is_refused_and_nothing_changes(api, backup_dir, how, database):
    name = api.post("/api/config/backups").json()["name"]
    corrupt(backup_dir / name, how)
    config.store().update({"logging": {"level": "ERROR"}})
    before = settings.ANIWORLD_CONFIG_FILE.read_bytes()
    make_series("dark", "Dark", site="s.to")
    response = api.post(
        f"/api/config/backups/{name}/restore", {"database": database}, format="json"
    )
    assert response.status_code == 422, response.json()
    assert response.json()["error"] == "BACKUP_INVALID"
    assert "Nothing was changed" in response.json()["message"]
    assert settings.ANIWORLD_CONFIG_FILE.read_bytes() == before
    assert [p.name for p in backup_dir.iterdir()] == [name]  # no safety backup either
    assert Series.objects.filter(key="dark").exists()


def test_restoring_brings_back_the_settings_and_backs_up_the_current_ones_first(api):
    api.patch("/api/config", {"scheduler": {"schedule_time": "04:15"}}, format="json")
    api.patch("/api/config", {"scheduler": {"schedule_time": "06:45"}}, format="json")
    listed = api.get("/api/config/backups").json()
    # The newest automatic backup holds the state before the second change.
    response = api.post(f"/api/config/backups/{listed[0]['name']}/restore", {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["database_restored"] is False
    assert config.current()["scheduler"]["schedule_time"] == "04:15"
    safety = next(
        b for b in api.get("/api/config/backups").json() if b["name"] == body["safety_backup"]
    )
    assert safety["reason"] == f"before restoring {listed[0]['name']}"
    assert api.get("/api/scheduler").json()["jobs"][0]["next_run"] is not None


def test_restoring_old_settings_keeps_the_current_password(api, configured):
    name = api.post("/api/config/backups").json()["name"]
    owner.set_master_password("Another-Horse-7")
    api.post(f"/api/config/backups/{name}/restore", {}, format="json")
    assert owner.verify_password("Another-Horse-7")


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_restoring_the_database_brings_back_its_rows(api):
    make_series("dark", "Dark", site="s.to")
    name = api.post("/api/config/backups").json()["name"]
    make_series("stromberg", "Stromberg", site="s.to")
    response = api.post(f"/api/config/backups/{name}/restore", {"database": True}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["database_restored"] is True
    assert list(Series.objects.values_list("key", flat=True)) == ["dark"]


@postgresql_only
def test_on_postgresql_restoring_a_database_is_refused_and_nothing_changes(api, backup_dir):
    name = api.post("/api/config/backups").json()["name"]
    config.store().update({"logging": {"level": "ERROR"}})
    before = settings.ANIWORLD_CONFIG_FILE.read_bytes()
    make_series("dark", "Dark", site="s.to")
    response = api.post(f"/api/config/backups/{name}/restore", {"database": True}, format="json")
    assert response.status_code == 422, response.json()
    assert "pg_restore" in response.json()["message"]
    assert settings.ANIWORLD_CONFIG_FILE.read_bytes() == before
    assert [p.name for p in backup_dir.iterdir()] == [name]
    assert Series.objects.filter(key="dark").exists()
