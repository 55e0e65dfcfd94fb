"""`claimline keys rotate`: a new active key, then every sealed value re-sealed with it.

No downtime: running instances re-read the keyring file within a second (``keyring``), old keys
stay in the keyring so old values (and old backups) remain readable, and rows are re-sealed in
small committed batches with a compare-and-set update, so a concurrent edit is never overwritten
(a row changed meanwhile is simply picked up by the next pass).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Engine, MetaData, Table, Text, and_, func, select, update

from claimline.config import get_settings
from claimline.db import Base
from claimline.privacy.fields import SealedString
from claimline.privacy.keyring import (
    RELOAD_CHECK_SECONDS,
    Keyring,
    reload_keyring,
    save_keyring,
    sealed_key_id,
)

BATCH_SIZE = 500


@dataclass(frozen=True)
class SealedColumn:
    table: str
    primary_key: str
    column: str
    context: str


def sealed_columns() -> list[SealedColumn]:
    import claimline.models  # noqa: F401 - registers every table

    found = []
    for table in Base.metadata.sorted_tables:
        primary_key = next(iter(table.primary_key.columns)).name
        for column in table.columns:
            if isinstance(column.type, SealedString):
                found.append(SealedColumn(table.name, primary_key, column.name, column.type.context))
    return found


@dataclass
class RotationReport:
    new_key_id: str
    resealed: int
    by_column: dict[str, int]


def _raw_table(spec: SealedColumn) -> Table:
    return Table(spec.table, MetaData(), Column(spec.primary_key, primary_key=True), Column(spec.column, Text))


def count_sealed(engine: Engine) -> int:
    total = 0
    with engine.connect() as connection:
        for spec in sealed_columns():
            raw = _raw_table(spec)
            total += connection.scalar(select(func.count()).select_from(raw).where(raw.c[spec.column].is_not(None))) or 0
    return total


def reseal_all(engine: Engine, keyring: Keyring, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Re-seal every value not sealed with the active key; returns counts per column."""
    counts: dict[str, int] = {}
    for spec in sealed_columns():
        raw = _raw_table(spec)
        key_column, value_column = raw.c[spec.primary_key], raw.c[spec.column]
        last_id = None
        done = 0
        while True:
            with engine.begin() as connection:
                query = select(key_column, value_column).where(value_column.is_not(None)).order_by(key_column)
                if last_id is not None:
                    query = query.where(key_column > last_id)
                rows = connection.execute(query.limit(BATCH_SIZE)).all()
                for row_id, sealed in rows:
                    if sealed_key_id(sealed) == keyring.active_key_id:
                        continue
                    plain = keyring.open(sealed, context=spec.context)
                    result = connection.execute(
                        update(raw)
                        .where(and_(key_column == row_id, value_column == sealed))
                        .values({spec.column: keyring.seal(plain, context=spec.context)})
                    )
                    done += result.rowcount
            if progress:
                progress(len(rows))
            if len(rows) < BATCH_SIZE:
                break
            last_id = rows[-1][0]
        counts[f"{spec.table}.{spec.column}"] = done
    return counts


def rotate_keys(engine: Engine, progress: Callable[[int], None] | None = None) -> RotationReport:
    keyring = reload_keyring()
    new_key = keyring.add_active_key()
    save_keyring(keyring, get_settings().effective_keyring_path)
    # Let running instances pick up the new key before any value is sealed with it.
    time.sleep(RELOAD_CHECK_SECONDS * 2)
    counts = reseal_all(engine, reload_keyring(), progress)
    return RotationReport(new_key_id=new_key, resealed=sum(counts.values()), by_column=counts)
