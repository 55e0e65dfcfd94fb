"""seal caller notes (free text may hold phone numbers, ID numbers, plates)

Revision ID: 20261125_03
Revises: 20261125_02
Create Date: 2026-11-25 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261125_03"
down_revision = "20261125_02"
branch_labels = None
depends_on = None

NOTES = sa.table("callers", sa.column("id", sa.Integer), sa.column("notes", sa.Text))


def upgrade() -> None:
    """The column type stays TEXT; its values become sealed strings (claimline.privacy.keyring)."""
    from claimline.privacy.keyring import get_keyring

    keyring = get_keyring()
    connection = op.get_bind()
    for row_id, notes in connection.execute(sa.select(NOTES.c.id, NOTES.c.notes)).all():
        value = notes or ""
        parts = value.split(":", 2)
        if len(parts) == 3 and parts[0] == "v1" and parts[1] in keyring.keys:
            continue  # already sealed
        connection.execute(
            sa.update(NOTES).where(NOTES.c.id == row_id).values(notes=keyring.seal(value, context="caller.notes"))
        )


def downgrade() -> None:
    from claimline.privacy.keyring import get_keyring

    keyring = get_keyring()
    connection = op.get_bind()
    for row_id, notes in connection.execute(sa.select(NOTES.c.id, NOTES.c.notes)).all():
        if notes:
            connection.execute(
                sa.update(NOTES).where(NOTES.c.id == row_id).values(notes=keyring.open(notes, context="caller.notes"))
            )
