"""Shared helpers of the knowledge-base tests (fixture entries live in kb_fixtures/)."""

from __future__ import annotations

import shutil
from pathlib import Path

from claimline.db import session_scope
from claimline.knowledge.sync import ImportReport, import_directory

FIXTURES = Path(__file__).parent / "kb_fixtures"


def copy_fixtures(target: Path) -> Path:
    shutil.copytree(FIXTURES, target)
    return target


def import_fixtures(directory: Path = FIXTURES) -> ImportReport:
    with session_scope() as session:
        return import_directory(session, directory)


def write_entry(directory: Path, topic: str, entry_id: str, front: str, body: str = "回答正文。") -> Path:
    path = directory / topic / f"{entry_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front.strip()}\n---\n{body}\n", encoding="utf-8")
    return path
