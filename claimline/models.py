"""Imports every table so that metadata (Alembic, backups) sees them all."""

from claimline.audit.models import AuditRecord
from claimline.auth.models import StaffSession
from claimline.cases.models import Caller
from claimline.db import Base
from claimline.knowledge.models import (
    KnowledgeEntryRecord,
    KnowledgeFeedback,
    KnowledgeGap,
    KnowledgeRevision,
)
from claimline.users.models import User

__all__ = [
    "AuditRecord", "Base", "Caller", "KnowledgeEntryRecord", "KnowledgeFeedback", "KnowledgeGap", "KnowledgeRevision",
    "StaffSession", "User",
]
