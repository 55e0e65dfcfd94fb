from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from claimline.config import get_settings
from claimline.db import Base, get_engine
from claimline.errors import ValidationFailed
from claimline.privacy.backup import _raw, restore_backup, write_backup
from claimline.privacy.keyring import Keyring, get_keyring
from tests.conftest import empty_all_tables


def snapshot_rows() -> dict[str, list[tuple]]:
    import claimline.models  # noqa: F401

    rows = {}
    with get_engine().connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name == "staff_sessions":
                continue
            raw = _raw(table)
            rows[table.name] = [tuple(r) for r in connection.execute(select(raw).order_by(*raw.primary_key.columns))]
    return rows


def test_backup_round_trip_returns_identical_rows(client, login_as, tmp_path: Path) -> None:
    login_as("admin")
    for phone in ("13812345678", "13912345678"):
        assert client.post("/api/v1/callers", json={"name": "王五", "phone": phone, "plate": "京AD12345"}).status_code == 201
    before = snapshot_rows()
    archive = tmp_path / "backup.tar.gz"
    report = write_backup(get_engine(), get_keyring(), archive)
    assert report.rows["callers"] == 2
    assert get_keyring().to_json() not in archive.read_bytes().decode("latin-1")
    empty_all_tables()
    assert snapshot_rows()["callers"] == []
    restore_backup(get_settings().effective_database_url, get_keyring(), archive)
    assert snapshot_rows() == before
    # Restored data works: login again, find a caller by phone through the blind index.
    client.cookies.clear()
    login_as("agent", "afterrestore")
    assert len(client.get("/api/v1/callers", params={"q": "13912345678"}).json()) == 1
    # And new rows get fresh ids after a restore (sequences were reset on PostgreSQL).
    assert client.post("/api/v1/callers", json={"name": "赵六", "phone": "13700000000"}).status_code == 201


def test_restore_refuses_without_the_keys_and_changes_nothing(client, login_as, tmp_path: Path) -> None:
    login_as("admin")
    client.post("/api/v1/callers", json={"name": "王五", "phone": "13812345678"})
    archive = tmp_path / "backup.tar.gz"
    write_backup(get_engine(), get_keyring(), archive)
    before = snapshot_rows()
    with pytest.raises(ValidationFailed, match="缺少恢复所需的密钥"):
        restore_backup(get_settings().effective_database_url, Keyring.generate(), archive)
    assert snapshot_rows() == before


def test_corrupt_archive_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not an archive")
    with pytest.raises(ValidationFailed, match="损坏"):
        restore_backup(get_settings().effective_database_url, get_keyring(), broken)
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
