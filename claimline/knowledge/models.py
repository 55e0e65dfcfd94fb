"""Knowledge base tables: entries (current state), revisions, feedback and knowledge gaps.

Every change to an entry (import from files, web edit, publish, retire, roll back) writes a
:class:`KnowledgeRevision` with the full entry file text, so history, diffs and roll back work on
one representation and the matcher cache can tell that something changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claimline.clock import utcnow
from claimline.db import Base, UTCDateTime


class KnowledgeEntryRecord(Base):
    """The current state of one knowledge entry (all front-matter fields and the answer)."""

    __tablename__ = "knowledge_entries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(32), index=True)
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[list[Any]] = mapped_column(JSON, default=list)
    region: Mapped[str] = mapped_column(String(32), default="national")
    valid_from: Mapped[date] = mapped_column(Date)
    review_by: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Number of the latest revision (1, 2, ...): the editor's optimistic-concurrency check.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # sha256 of the entry file text as last imported from (or exported to) a file; None for an
    # entry that exists only in the database. ``kb import`` uses it to tell file edits from web edits.
    file_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class KnowledgeRevision(Base):
    """A full snapshot of an entry after one change: who, when, why."""

    __tablename__ = "knowledge_revisions"
    __table_args__ = (
        UniqueConstraint("entry_id", "number", name="uq_knowledge_revisions_entry_number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(24))
    snapshot: Mapped[str] = mapped_column(Text)  # the entry file text (entries.render_entry_file)
    comment: Mapped[str] = mapped_column(Text, default="")
    author_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class KnowledgeFeedback(Base):
    """One "这条回答有帮助吗？" vote on a published entry, with an optional (masked) comment."""

    __tablename__ = "knowledge_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Keyed hash of the client address (never the address itself): rate limits, one vote per day.
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class KnowledgeGap(Base):
    """A question the knowledge base could not answer (clarify) or handed to a person."""

    __tablename__ = "knowledge_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)  # normalised, personal data masked
    channel: Mapped[str] = mapped_column(String(16), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32), default="")
    topic_guess: Mapped[str] = mapped_column(String(32), default="other")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    client_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Set when a supervisor drafted an entry from this question's cluster.
    draft_entry_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
