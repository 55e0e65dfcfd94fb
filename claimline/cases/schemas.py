from __future__ import annotations

from pydantic import BaseModel, Field


class CallerIn(BaseModel):
    name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=32)
    plate: str | None = Field(default=None, max_length=16)
    region: str | None = Field(default=None, max_length=32)
    notes: str = Field(default="", max_length=2000)


class CallerOut(BaseModel):
    """A caller as pages and the API show it: masked unless revealed on purpose (audited)."""

    id: int
    name: str | None
    phone: str | None
    id_number: str | None
    plate: str | None
    region: str | None
    notes: str
    masked: bool
