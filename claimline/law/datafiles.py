"""Read-once access to the YAML data files shipped in ``claimline/law/data/``.

Files are read through ``importlib.resources`` (works from a wheel as well as a checkout) and cached:
pure law functions never touch the file system after the first call.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


def data_text(*parts: str) -> str:
    """Text of ``claimline/law/data/<parts...>`` (UTF-8)."""
    node = resources.files("claimline.law").joinpath("data", *parts)
    return node.read_text(encoding="utf-8")


@cache
def load_yaml(name: str) -> Any:
    """Parsed ``claimline/law/data/<name>`` (cached; treat the result as read-only)."""
    return yaml.safe_load(data_text(name))
