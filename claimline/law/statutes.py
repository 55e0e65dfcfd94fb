"""Index of the statute texts shipped in ``claimline/law/data/statutes/``.

Citations are written ``《short name》第<Chinese numeral>条`` with an optional ``之一`` suffix and an
optional ``第N款`` (``《民法典》第一千二百一十三条``, ``《刑法》第一百三十三条之一``,
``《道路交通安全法》第七十六条第二款``). Short names map to files as in ``knowledge/README.md``
(《民法典》 = 总则编 + 侵权责任编).

Used by the knowledge-base linter (``claimline kb lint``), by the liability guide's tests and to
show the full text behind a citation. Files are parsed once, lazily, and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal, NamedTuple

from claimline.law.datafiles import data_text

#: Short name → statute file(s) under ``claimline/law/data/statutes/``.
LAW_FILES: dict[str, tuple[str, ...]] = {
    "道路交通安全法": ("道路交通安全法.md",),
    "道路交通安全法实施条例": ("道路交通安全法实施条例.md",),
    "道路交通事故处理程序规定": ("道路交通事故处理程序规定.md",),
    "机动车交通事故责任强制保险条例": ("机动车交通事故责任强制保险条例.md",),
    "保险法": ("保险法.md",),
    "保险法解释二": ("保险法解释二.md",),
    "保险法解释四": ("保险法解释四.md",),
    "民法典": ("民法典-总则编.md", "民法典-侵权责任编.md"),
    "诉讼时效规定": ("诉讼时效规定.md",),
    "人身损害赔偿解释": ("人身损害赔偿解释.md",),
    "道路交通事故损害赔偿解释": ("道路交通事故损害赔偿解释.md",),
    "精神损害赔偿解释": ("精神损害赔偿解释.md",),
    "侵权责任编解释一": ("侵权责任编解释一.md",),
    "交通肇事刑事案件解释": ("交通肇事刑事案件解释.md",),
    "刑法": ("刑法.md",),
    "法律援助法": ("法律援助法.md",),
    "个人信息保护法": ("个人信息保护法.md",),
    "工伤保险条例": ("工伤保险条例.md",),
    "人民调解法": ("人民调解法.md",),
    "民事诉讼法": ("民事诉讼法.md",),
}

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "零〇一二三四五六七八九两十百千"
_DIGIT_CHARS = "零一二三四五六七八九"

_CITATION_RE = re.compile(
    rf"^《(?P<law>[^《》]+)》第(?P<num>[{_NUMERAL}]+)条(?:之(?P<suffix>[{_NUMERAL}]+))?"
    rf"(?:第(?P<para>[{_NUMERAL}]+)款)?(?:第(?P<item>[{_NUMERAL}]+)项)?$"
)
_HEADING_RE = re.compile(rf"^第(?P<num>[{_NUMERAL}]+)条(?:之(?P<suffix>[{_NUMERAL}]+))?(?:[ \u3000]+|$)")
_ITEM_LINE_RE = re.compile(rf"^[（(][{_NUMERAL}]+[)）]")


class CitationError(ValueError):
    """A citation that is not written ``《short name》第…条``."""


class UnknownLaw(LookupError):
    """A law whose text is not shipped (cite it by full name; the linter reports it as not checkable)."""


class ArticleNotFound(LookupError):
    """The law is shipped but has no such article."""


class Citation(NamedTuple):
    law: str
    article: int
    suffix: str  # "" or e.g. "之一"


@dataclass(frozen=True)
class CitationDetail:
    law: str
    article: int
    suffix: str
    paragraph: int | None
    item: int | None

    @property
    def citation(self) -> Citation:
        return Citation(self.law, self.article, self.suffix)


# ------------------------------------------------------------------------------------------ numerals


def chinese_to_int(text: str) -> int:
    """``"一千二百一十三"`` → 1213, ``"十"`` → 10, ``"一百零八"`` → 108, ``"七十六"`` → 76."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise CitationError(f"不是中文数字：“{text}”")
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in text:
        if ch in _DIGITS:
            if digit:  # two digits in a row ("一二"); "零八" is fine
                raise CitationError(f"中文数字写法有误：“{text}”")
            digit = _DIGITS[ch]
            continue
        unit = _UNITS[ch]
        if unit >= last_unit or digit == 0 or (digit is None and not (unit == 10 and total == 0)):
            # only a leading 十 may stand without a digit (十五); 一百一十, not 一百十 or 百一
            raise CitationError(f"中文数字写法有误：“{text}”")
        total += (1 if digit is None else digit) * unit
        digit = None
        last_unit = unit
    total += digit or 0
    if total == 0:
        raise CitationError(f"中文数字写法有误：“{text}”")
    return total


def int_to_chinese(n: int) -> str:
    """Canonical article numeral as printed in the statutes: 10 → 十, 15 → 十五, 110 → 一百一十,
    108 → 一百零八, 1213 → 一千二百一十三, 1005 → 一千零五."""
    if not 0 < n < 10_000:
        raise ValueError("article numbers run from 1 to 9999")
    if n < 10:
        return _DIGIT_CHARS[n]
    if n < 20:
        return "十" + (_DIGIT_CHARS[n - 10] if n > 10 else "")
    out = ""
    zero_pending = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out += "零"
            zero_pending = False
        out += _DIGIT_CHARS[d] + name
    return out


# ------------------------------------------------------------------------------------------ citations


def normalize_law_name(name: str) -> str:
    """Strip 《》 and a leading ``中华人民共和国``."""
    name = name.strip().strip("《》")
    if name.startswith("中华人民共和国"):
        name = name[len("中华人民共和国") :]
    return name


def parse_citation_detail(text: str) -> CitationDetail:
    """Parse ``《道路交通安全法》第七十六条第二款`` into its parts; ``CitationError`` when malformed."""
    m = _CITATION_RE.match(text.strip())
    if not m:
        raise CitationError(f"引用格式应为“《简称》第X条”（中文数字），例如“《道路交通安全法》第七十六条”：{text}")
    suffix = f"之{m['suffix']}" if m["suffix"] else ""
    if m["suffix"]:
        chinese_to_int(m["suffix"])
    return CitationDetail(
        law=m["law"],
        article=chinese_to_int(m["num"]),
        suffix=suffix,
        paragraph=chinese_to_int(m["para"]) if m["para"] else None,
        item=chinese_to_int(m["item"]) if m["item"] else None,
    )


def parse_citation(text: str) -> Citation:
    """``"《道路交通安全法》第七十六条"`` → ``Citation("道路交通安全法", 76, "")``.

    ``"《刑法》第一百三十三条之一"`` → ``Citation("刑法", 133, "之一")``. A trailing ``第N款`` is accepted
    (see ``parse_citation_detail`` for it). Raises ``CitationError`` when the text is not a citation.
    """
    return parse_citation_detail(text).citation


def format_citation(law: str, article: int, suffix: str = "", paragraph: int | None = None) -> str:
    """Canonical citation text: ``format_citation("民法典", 1213)`` → ``《民法典》第一千二百一十三条``."""
    out = f"《{law}》第{int_to_chinese(article)}条{suffix}"
    if paragraph:
        out += f"第{int_to_chinese(paragraph)}款"
    return out


def split_citations(text: str) -> list[str]:
    """Split a basis string such as ``《民法典》第一千一百七十九条；《人身损害赔偿解释》第十条、第十一条``
    into single citations (a bare ``第十一条`` after ``、`` inherits the preceding law)."""
    out: list[str] = []
    for chunk in re.split(r"[；;，,\s]+", text.strip()):
        if not chunk:
            continue
        law = None
        for part in chunk.split("、"):
            m = re.match(r"^《([^《》]+)》", part)
            if m:
                law = m.group(1)
                out.append(part)
            elif law is not None and part.startswith("第"):
                out.append(f"《{law}》{part}")
            else:
                out.append(part)
    return out


# ------------------------------------------------------------------------------------------ the index


@dataclass(frozen=True)
class Article:
    law: str
    number: int
    suffix: str
    heading: str  # e.g. "第七十六条"
    paragraphs: tuple[str, ...]  # 款; item lines （一）… are kept inside their paragraph

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def is_known_law(name: str) -> bool:
    """True when the law's text is shipped (its articles can be checked)."""
    return name in LAW_FILES


def known_laws() -> list[str]:
    return list(LAW_FILES)


def _parse_file(law: str, filename: str) -> dict[tuple[int, str], Article]:
    text = data_text("statutes", filename)
    if "<!-- INFO END -->" in text:
        text = text.split("<!-- INFO END -->", 1)[1]
    articles: dict[tuple[int, str], Article] = {}
    current: tuple[int, str, str] | None = None
    paragraphs: list[str] = []

    def flush() -> None:
        if current is not None:
            number, suffix, heading = current
            articles[(number, suffix)] = Article(law, number, suffix, heading, tuple(paragraphs))

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            flush()
            current, paragraphs = None, []
            continue
        m = _HEADING_RE.match(line)
        if m:
            flush()
            suffix = f"之{m['suffix']}" if m["suffix"] else ""
            number = chinese_to_int(m["num"])
            heading = f"第{m['num']}条{suffix}"
            current = (number, suffix, heading)
            paragraphs = [line]
            continue
        if current is None:
            continue
        if _ITEM_LINE_RE.match(line) and paragraphs:
            paragraphs[-1] = paragraphs[-1] + "\n" + line
        else:
            paragraphs.append(line)
    flush()
    return articles


@cache
def _index(law: str) -> dict[tuple[int, str], Article]:
    if law not in LAW_FILES:
        raise UnknownLaw(f"未收录《{law}》的条文")
    merged: dict[tuple[int, str], Article] = {}
    for filename in LAW_FILES[law]:
        merged.update(_parse_file(law, filename))
    return merged


def _key(law: str | Citation, article: int | None, suffix: str) -> tuple[str, int, str]:
    if isinstance(law, Citation):
        return law.law, law.article, law.suffix
    if article is None:
        c = parse_citation(law)
        return c.law, c.article, c.suffix
    return normalize_law_name(law), article, suffix


def article_exists(law: str | Citation, article: int | None = None, suffix: str = "") -> bool:
    """Whether the shipped text of ``law`` has this article.

    Accepts ``("道路交通安全法", 76)``, a ``Citation`` or a citation string. Raises ``UnknownLaw`` when
    the law's text is not shipped.
    """
    name, number, suf = _key(law, article, suffix)
    return (number, suf) in _index(name)


def get_article(law: str | Citation, article: int | None = None, suffix: str = "") -> Article:
    name, number, suf = _key(law, article, suffix)
    try:
        return _index(name)[(number, suf)]
    except KeyError:
        raise ArticleNotFound(f"《{name}》没有第{int_to_chinese(number)}条{suf}") from None


def article_text(law: str | Citation, article: int | None = None, suffix: str = "") -> str:
    """Full text of the article (paragraphs separated by newlines), starting with ``第X条``."""
    return get_article(law, article, suffix).text


def article_count(law: str) -> int:
    return len(_index(law))


CheckStatus = Literal["ok", "malformed", "not_checkable", "missing_article", "missing_paragraph"]


@dataclass(frozen=True)
class CitationCheck:
    citation: str
    status: CheckStatus
    message: str

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "not_checkable")


def check_citation(text: str) -> CitationCheck:
    """Check one citation against the shipped texts (what ``kb lint`` reports)."""
    try:
        d = parse_citation_detail(text)
    except CitationError as exc:
        return CitationCheck(text, "malformed", str(exc))
    law = d.law
    if not is_known_law(law):
        return CitationCheck(text, "not_checkable", f"未收录《{law}》的条文，无法核对")
    try:
        art = get_article(law, d.article, d.suffix)
    except ArticleNotFound as exc:
        return CitationCheck(text, "missing_article", str(exc))
    if d.paragraph is not None and d.paragraph > len(art.paragraphs):
        return CitationCheck(
            text, "missing_paragraph", f"《{law}》{art.heading}只有{len(art.paragraphs)}款，没有第{d.paragraph}款"
        )
    return CitationCheck(text, "ok", "")
