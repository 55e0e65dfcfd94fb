"""Chinese text handling for matching: normalisation, segmentation, synonyms.

``analyze(text)`` turns what a caller typed into canonical tokens:

1. normalise: NFKC (full-width → half-width), traditional → simplified for the characters
   frequent in accident questions, lower-case latin, emoji and symbols dropped, frequent
   typos/dialect forms replaced (``data/synonyms.yaml`` ``typos``);
2. segment with a private ``jieba.Tokenizer`` that knows the domain dictionary
   (``data/domain_dict.txt``) and every synonym variant;
3. map each token to its canonical form (``data/synonyms.yaml`` ``groups``; 强险 → 交强险,
   电瓶车 → 电动车 …), add broader concept tokens, drop stop words (``data/stopwords.txt``).

Data files are read once (``functools.cache``); jieba is initialised once, quietly, under a lock.
After :func:`warm_up` no I/O happens at query time.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_PACKAGE = "claimline.knowledge"
# Everything but letters and digits (emoji, symbols, punctuation, controls) becomes a space.
_NOT_WORD_RE = re.compile(r"[\W_]+")
_SPACE_RE = re.compile(r"\s+")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[a-z]")
# Clauses: split at sentence and clause punctuation (after NFKC: ? ! , ; are half-width) and at
# runs of spaces, which callers use as punctuation.
_CLAUSE_RE = re.compile(r"([。.!?;,，、；！？\n\r]+|\s{2,})")
# Words that mark the clause asking the question.
_QUESTION_CUES = (
    "吗", "么", "呢", "怎么", "怎样", "如何", "多少", "能否", "是否", "可否", "可以", "哪", "谁", "什么",
    "几", "啥", "咋", "合理", "算不算", "要不要", "会不会", "能不能", "有没有", "该不该", "行不行",
)
_MIN_FOCUS_TOKENS = 3
# Collapse long runs of one character ("啊啊啊啊") that add nothing; digits are left alone.
_REPEAT_RE = re.compile(r"([^\d])\1{3,}")


def _data_text(name: str) -> str:
    return resources.files(_PACKAGE).joinpath(f"data/{name}").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The vocabulary of the engine, built from the data files."""

    canonical: dict[str, tuple[str, ...]]  # token → tokens it stands for (canonical + broader)
    typos: dict[str, str]
    typo_re: re.Pattern[str] | None
    traditional: dict[int, str]
    stopwords: frozenset[str]
    dictionary: tuple[tuple[str, int], ...]  # extra jieba words with frequencies


def _parse_groups(raw: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    mapping: dict[str, tuple[str, ...]] = {}
    for group in raw:
        canonical = str(group["canonical"]).strip().lower()
        also = tuple(str(t).strip().lower() for t in group.get("also") or ())
        output = (canonical, *also)
        for variant in (canonical, *(str(v).strip().lower() for v in group.get("variants") or ())):
            if variant and variant not in mapping:
                mapping[variant] = output
    return mapping


@cache
def lexicon() -> Lexicon:
    raw = yaml.safe_load(_data_text("synonyms.yaml")) or {}
    canonical = _parse_groups(raw.get("groups") or [])
    typos = {str(k): str(v) for k, v in (raw.get("typos") or {}).items()}
    # longest first, so that a typo inside a longer one does not win
    typo_re = re.compile("|".join(re.escape(k) for k in sorted(typos, key=len, reverse=True))) if typos else None
    pairs = "".join(str(raw.get("traditional") or "").split())
    traditional = {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2) if pairs[i] != pairs[i + 1]}
    stopwords = frozenset(
        line.strip()
        for line in _data_text("stopwords.txt").splitlines()
        if line.strip() and not line.startswith("#")
    )
    words: dict[str, int] = {}
    for line in _data_text("domain_dict.txt").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            words[parts[0].lower()] = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 10000
    for variant in canonical:
        if len(variant) > 1 and variant not in words:
            words[variant] = 10000
    return Lexicon(
        canonical=canonical,
        typos=typos,
        typo_re=typo_re,
        traditional=traditional,
        stopwords=stopwords,
        dictionary=tuple(sorted(words.items())),
    )


# --------------------------------------------------------------------------- normalisation


def normalize(text: str) -> str:
    """Normalised text: half-width, simplified, lower-case, no emoji/symbols, typos fixed."""
    lex = lexicon()
    value = unicodedata.normalize("NFKC", text).translate(lex.traditional).lower()
    value = _NOT_WORD_RE.sub(" ", value)
    value = _REPEAT_RE.sub(r"\1", value)
    if lex.typo_re is not None:
        value = lex.typo_re.sub(lambda m: lex.typos[m.group(0)], value)
    return _SPACE_RE.sub(" ", value).strip()


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def cjk_ratio(text: str) -> float:
    """Share of CJK characters among the letters of ``text`` (0 when there are none)."""
    cjk = len(_CJK_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


# --------------------------------------------------------------------------- segmentation


class _Segmenter:
    """One private jieba tokenizer, initialised once and quietly."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokenizer: Any = None

    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build()
        return self._tokenizer

    @staticmethod
    def _build() -> Any:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word, freq in lexicon().dictionary:
            tokenizer.add_word(word, freq)
        return tokenizer


_SEGMENTER = _Segmenter()


def warm_up() -> None:
    """Load data files and jieba now (start-up), so queries never wait for them."""
    lexicon()
    _SEGMENTER.tokenizer()


def segment(normalized: str) -> list[str]:
    """jieba words of already normalised text, spaces removed."""
    return [w for w in _SEGMENTER.tokenizer().cut(normalized, HMM=False) if w.strip()]


def _sub_words(word: str, freq: dict[str, int]) -> list[str]:
    """Dictionary words of two and three characters inside a longer word (jieba's search mode)."""
    out: list[str] = []
    for n in (2, 3):
        if len(word) > n:
            out.extend(word[i : i + n] for i in range(len(word) - n + 1) if freq.get(word[i : i + n]))
    return out


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text ready for matching.

    ``tokens``: canonical content words (synonyms mapped, stop words dropped), plus the dictionary
    sub-words of long words (赔偿标准 → 赔偿, 标准, 赔偿标准) so that compounds match their parts.
    ``phrase``: the canonical words of the plain segmentation joined, input of character n-grams.
    ``focus`` / ``focus_phrase``: the same for the clause that asks the question, when the text
    has several clauses (callers tell the story first and ask last); empty otherwise.
    """

    normalized: str
    tokens: tuple[str, ...]
    phrase: str
    focus: tuple[str, ...] = ()
    focus_phrase: str = ""

    def joined(self, other: Analysis) -> Analysis:
        """Two texts one after the other (the second one asking)."""
        return Analysis(
            f"{self.normalized} {other.normalized}",
            self.tokens + other.tokens,
            f"{self.phrase} {other.phrase}",
            other.focus or other.tokens,
            other.focus_phrase or other.phrase,
        )


def canonical_tokens(words: list[str]) -> list[str]:
    lex = lexicon()
    tokens: list[str] = []
    for word in words:
        mapped = lex.canonical.get(word)
        if mapped is not None:
            tokens.extend(mapped)
        elif word not in lex.stopwords:
            tokens.append(word)
    return tokens


def _analyse_clause(clause: str, freq: dict[str, int]) -> tuple[str, list[str], str]:
    normalized = normalize(clause)
    words = segment(normalized)
    lex = lexicon()
    tokens: list[str] = []
    for word in words:
        if len(word) > 2 and word not in lex.canonical:
            tokens.extend(canonical_tokens(_sub_words(word, freq)))
        tokens.extend(canonical_tokens([word]))
    return normalized, tokens, "".join(canonical_tokens(words))


def _question_clause(clauses: list[tuple[str, str, list[str], str]]) -> int:
    """Index of the clause that asks: the last one ending in "?" or holding a question cue, else
    the last one with content. ``clauses`` items are (delimiter after it, normalised, tokens, phrase)."""
    for i in range(len(clauses) - 1, -1, -1):
        delimiter, normalized, tokens, _ = clauses[i]
        if tokens and ("?" in delimiter or "？" in delimiter or any(cue in normalized for cue in _QUESTION_CUES)):
            return i
    return max(i for i, c in enumerate(clauses) if c[2])


def analyze(text: str) -> Analysis:
    """Normalise, segment and canonicalise ``text``, marking the clause that asks."""
    freq = _SEGMENTER.tokenizer().FREQ
    parts = _CLAUSE_RE.split(unicodedata.normalize("NFKC", text))
    # split() alternates clause, delimiter, clause, ...; keep each clause with the delimiter after it
    clauses = [
        (parts[i + 1] if i + 1 < len(parts) else "", *_analyse_clause(parts[i], freq))
        for i in range(0, len(parts), 2)
        if parts[i].strip()
    ]
    normalized = " ".join(c[1] for c in clauses if c[1])
    tokens = tuple(t for c in clauses for t in c[2])
    phrase = " ".join(c[3] for c in clauses if c[3])
    if sum(1 for c in clauses if c[2]) < 2:
        return Analysis(normalized, tokens, phrase)
    ask = _question_clause(clauses)
    first = ask
    # a bare "怎么办" asks about the clause before it
    while first > 0 and sum(len(c[2]) for c in clauses[first : ask + 1]) < _MIN_FOCUS_TOKENS:
        first -= 1
    focus = tuple(t for c in clauses[first : ask + 1] for t in c[2])
    if len(focus) == len(tokens):
        return Analysis(normalized, tokens, phrase)
    focus_phrase = " ".join(c[3] for c in clauses[first : ask + 1] if c[3])
    return Analysis(normalized, tokens, phrase, focus, focus_phrase)


def tokenize(text: str) -> list[str]:
    return list(analyze(text).tokens)


def analyze_tokens(text: str) -> tuple[str, ...]:
    """The tokens ``analyze`` gives, in one segmentation pass (no clauses: long texts such as answers)."""
    return tuple(_analyse_clause(unicodedata.normalize("NFKC", text), _SEGMENTER.tokenizer().FREQ)[1])
