"""Showing entries to people: Markdown → safe HTML, short summaries, statute texts behind citations."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_INLINE_MARKUP = re.compile(r"[*_`#>]+|\[([^\]]*)\]\([^)]*\)")
_BULLET = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+", re.MULTILINE)


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML in answers is escaped, never passed through; unsafe link schemes are refused.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text or ""))  # noqa: S704 - markdown-it escapes everything (html=False)


def plain_text(markdown: str) -> str:
    text = _BULLET.sub("", markdown or "")
    text = _INLINE_MARKUP.sub(lambda m: m.group(1) or "", text)
    return " ".join(text.split())


def summary(markdown: str, limit: int = 120) -> str:
    """The first paragraph as plain text (what SMS and voice use), cut to ``limit`` characters."""
    first = (markdown or "").strip().split("\n\n", 1)[0]
    text = plain_text(first)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def citation_article(citation: str) -> str | None:
    """The shipped statute text behind a citation, if we have it."""
    from claimline.law.statutes import CitationError, article_text, parse_citation

    try:
        return article_text(parse_citation(citation))
    except (CitationError, LookupError, ValueError):
        return None
