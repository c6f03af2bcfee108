"""Settings changes at the same moment: each writes a backup first, and the retention
rule of one may delete the other's backup the instant it is published.

tests/test_faults_database_busy.py found this as a 500 on ``PATCH /api/scheduler``
(the new backup was gone before its size could be read). Here a thread applies
the retention rule without pause while backups are made, so the race is met
every time rather than now and then.
"""

from __future__ import annotations

import threading

import pytest

from system import backups

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_removed_by_a_concurrent_retention_right_away_still_reports_itself(
    settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path / "backups"
    stop = threading.Event()
    deleted: list[str] = []

    def retention_of_backups_made_meanwhile():
        while not stop.is_set():
            deleted.extend(backups.apply_retention(keep=0))

    deleter = threading.Thread(target=retention_of_backups_made_meanwhile, daemon=True)
    deleter.start()
    try:
        made = [backups.create_backup(reason="before a settings change") for _ in range(20)]
    finally:
        stop.set()
        deleter.join(timeout=10)
    assert all(backup.valid and backup.size > 0 for backup in made)
    assert [backup.reason for backup in made] == ["before a settings change"] * 20
    assert deleted  # the race was on: backups vanished as soon as they appeared
