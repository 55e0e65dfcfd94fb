"""Consistent backups that restore.

An archive (``.tar.gz``) holds ``manifest.json`` and one JSON-lines file per table. Personal fields
stay sealed exactly as stored; the keyring is never put in the archive: the manifest lists the key
ids the data needs and a fingerprint of the blind-index key, and restore refuses (changing nothing)
when the keyring at hand cannot open the data.

Consistency: SQLite is first copied with the online backup API (a snapshot); PostgreSQL is read
in one REPEATABLE READ READ ONLY transaction.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    text,
)

from claimline import __version__
from claimline.clock import utcnow
from claimline.db import Base, build_engine
from claimline.errors import ValidationFailed
from claimline.migrate import current_revision, head_revision, upgrade
from claimline.privacy.fields import SealedString
from claimline.privacy.keyring import Keyring, sealed_key_id

FORMAT = 1
SKIPPED_TABLES = {"staff_sessions"}  # logins do not survive a restore


def _tables() -> list[Table]:
    import claimline.models  # noqa: F401 - registers every table

    return [table for table in Base.metadata.sorted_tables if table.name not in SKIPPED_TABLES]


def _raw(table: Table) -> Table:
    """The table with sealed columns as plain text: values move as stored, never decrypted."""
    columns = [
        Column(c.name, Text if isinstance(c.type, SealedString) else c.type, primary_key=c.primary_key)
        for c in table.columns
    ]
    return Table(table.name, MetaData(), *columns)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        kind, raw = next(iter(value.items()))
        if kind == "$dt":
            return datetime.fromisoformat(raw)
        if kind == "$date":
            return date.fromisoformat(raw)
        if kind == "$dec":
            return Decimal(raw)
        if kind == "$b64":
            return base64.b64decode(raw)
    return value


def index_key_fingerprint(keyring: Keyring) -> str:
    return hashlib.sha256(b"claimline-index-key\x00" + keyring.index_key).hexdigest()[:16]


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name == "sqlite":
        source_path = engine.url.database
        with tempfile.TemporaryDirectory() as folder:
            copy_path = Path(folder) / "snapshot.db"
            source = sqlite3.connect(str(source_path))
            target = sqlite3.connect(str(copy_path))
            with target:
                source.backup(target)
            source.close()
            target.close()
            snapshot_engine = build_engine(f"sqlite:///{copy_path}")
            try:
                with snapshot_engine.connect() as connection:
                    yield connection
            finally:
                snapshot_engine.dispose()
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                connection.execute(text("SET TRANSACTION READ ONLY"))
                yield connection


@dataclass
class BackupReport:
    path: Path
    rows: dict[str, int]
    key_ids: list[str]
    revision: str | None


def _table_rows(connection: Connection, table: Table) -> list[dict[str, Any]]:
    raw = _raw(table)
    order = list(raw.primary_key.columns) or list(raw.columns)
    return [dict(row._mapping) for row in connection.execute(select(raw).order_by(*order))]


def write_backup(engine: Engine, keyring: Keyring, path: Path) -> BackupReport:
    path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    key_ids: set[str] = set()
    files: dict[str, bytes] = {}
    with _snapshot(engine) as connection:
        revision = current_revision_of(connection)
        for table in _tables():
            rows = _table_rows(connection, table)
            sealed_names = [c.name for c in table.columns if isinstance(c.type, SealedString)]
            for row in rows:
                key_ids.update(sealed_key_id(row[name]) for name in sealed_names if row[name])
            lines = (json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False) for row in rows)
            files[f"tables/{table.name}.jsonl"] = ("\n".join(lines) + ("\n" if rows else "")).encode()
            counts[table.name] = len(rows)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "claimline_version": __version__,
        "source_dialect": engine.dialect.name,
        "alembic_revision": revision,
        "tables": counts,
        "table_order": [t.name for t in _tables()],
        "key_ids": sorted(key_ids),
        "index_key_fingerprint": index_key_fingerprint(keyring),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        "note": "密钥不在备份中；恢复时需要同一密钥文件（或包含上述 key_ids 的密钥文件）。",
    }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    tmp = path.with_name(path.name + ".partial")
    with tarfile.open(tmp, "w:gz") as archive:
        for name, data in sorted(files.items(), key=lambda item: item[0] != "manifest.json"):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(utcnow().timestamp())
            archive.addfile(info, io.BytesIO(data))
    tmp.replace(path)
    return BackupReport(path=path, rows=counts, key_ids=sorted(key_ids), revision=revision)


def current_revision_of(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def read_archive(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    if not path.is_file():
        raise ValidationFailed(f"找不到备份文件 {path}", code="backup_not_found", field="file")
    try:
        with tarfile.open(path, "r:gz") as archive:
            files = {}
            for member in archive.getmembers():
                if member.isfile():
                    handle = archive.extractfile(member)
                    files[member.name] = handle.read() if handle else b""
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ValidationFailed(f"备份文件已损坏或格式不对：{error}", code="backup_corrupt", field="file") from None
    if "manifest.json" not in files:
        raise ValidationFailed("备份文件缺少 manifest.json", code="backup_corrupt", field="file")
    manifest = json.loads(files["manifest.json"])
    if manifest.get("format") != FORMAT:
        raise ValidationFailed("不支持的备份格式版本", code="backup_format", field="file")
    for name, digest in manifest["sha256"].items():
        if hashlib.sha256(files.get(name, b"")).hexdigest() != digest:
            raise ValidationFailed(f"备份文件校验失败：{name}", code="backup_checksum", field="file")
    return manifest, files


@dataclass
class RestoreReport:
    rows: dict[str, int]
    revision: str | None


def restore_backup(url: str, keyring: Keyring, path: Path) -> RestoreReport:
    """Replace the data in the configured database with the archive's, in one transaction."""
    manifest, files = read_archive(path)
    missing = sorted(set(manifest["key_ids"]) - set(keyring.keys))
    if missing:
        raise ValidationFailed(
            "当前密钥文件缺少恢复所需的密钥：" + "、".join(missing) + "。请先放回备份时使用的密钥文件。",
            code="backup_keys_missing", field="keyring",
        )
    if manifest["index_key_fingerprint"] != index_key_fingerprint(keyring):
        raise ValidationFailed("当前密钥文件的检索索引密钥与备份不一致，无法恢复", code="backup_index_key", field="keyring")
    revision = manifest.get("alembic_revision")
    engine = build_engine(url)
    try:
        if current_revision(engine) not in (None, revision):
            database_revision = current_revision(engine)
            if database_revision != head_revision() or revision != head_revision():
                raise ValidationFailed(
                    "备份的数据库版本与当前数据库不同：请恢复到一个新建的空数据库",
                    code="backup_revision_mismatch", field="file",
                )
        if revision:
            upgrade(url, revision)
        tables = _tables()
        with engine.begin() as connection:
            for table in reversed(tables):
                connection.execute(delete(_raw(table)))
            counts = {}
            for table in tables:
                raw = _raw(table)
                data = files.get(f"tables/{table.name}.jsonl", b"").decode()
                rows = [
                    {k: _decode(v) for k, v in json.loads(line).items() if k in raw.c}
                    for line in data.splitlines() if line.strip()
                ]
                if rows:
                    connection.execute(insert(raw), rows)
                counts[table.name] = len(rows)
                if engine.dialect.name == "postgresql":
                    _reset_sequence(connection, table)
        upgrade(url, "head")
    finally:
        engine.dispose()
    return RestoreReport(rows=counts, revision=revision)


def _reset_sequence(connection: Connection, table: Table) -> None:
    for column in table.primary_key.columns:
        if column.autoincrement is not False and isinstance(column.type, Integer):
            sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
            if sequence:
                highest = connection.scalar(select(func.max(column)).select_from(table))
                if highest:
                    connection.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": highest})
