"""The statute index the knowledge-base linter and the liability guide rely on."""

from __future__ import annotations

import re

import pytest

from claimline.law import statutes
from claimline.law.statutes import (
    Citation,
    CitationError,
    UnknownLaw,
    article_exists,
    article_text,
    check_citation,
    chinese_to_int,
    format_citation,
    int_to_chinese,
    parse_citation,
    parse_citation_detail,
    split_citations,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("七十六", 76), ("一百", 100), ("一百零八", 108),
     ("一百一十", 110), ("一百三十三", 133), ("三百零六", 306), ("一千零五", 1005), ("一千一百七十九", 1179),
     ("一千二百一十三", 1213), ("一千二百五十八", 1258)],
)
def test_chinese_numerals_both_ways(text: str, number: int) -> None:
    assert chinese_to_int(text) == number
    assert int_to_chinese(number) == text


@pytest.mark.parametrize("bad", ["", "七六", "十十", "零", "百一", "abc", "一千千"])
def test_bad_numerals(bad: str) -> None:
    with pytest.raises(CitationError):
        chinese_to_int(bad)


def test_parse_citation() -> None:
    assert parse_citation("《道路交通安全法》第七十六条") == ("道路交通安全法", 76, "")
    assert parse_citation("《民法典》第一千二百一十三条") == Citation("民法典", 1213, "")
    assert parse_citation("《刑法》第一百三十三条之一") == Citation("刑法", 133, "之一")
    detail = parse_citation_detail("《道路交通安全法》第七十六条第二款")
    assert (detail.law, detail.article, detail.paragraph) == ("道路交通安全法", 76, 2)
    assert format_citation("民法典", 1213) == "《民法典》第一千二百一十三条"
    assert format_citation("道路交通安全法", 76, paragraph=2) == "《道路交通安全法》第七十六条第二款"


@pytest.mark.parametrize("bad", ["道路交通安全法第七十六条", "《道路交通安全法》第76条", "《道路交通安全法》七十六条", "《》第一条"])
def test_malformed_citations(bad: str) -> None:
    with pytest.raises(CitationError):
        parse_citation(bad)


def test_articles_exist_and_text() -> None:
    assert article_exists("道路交通安全法", 76)
    assert article_exists("《道路交通安全法》第七十六条")
    assert not article_exists("道路交通安全法", 125)  # the law has 124 articles
    assert article_exists("刑法", 133, "之一")
    assert not article_exists("刑法", 133, "之九")
    text = article_text("道路交通安全法", 76)
    assert text.startswith("第七十六条 机动车发生交通事故")
    assert "不超过百分之十" in text
    # 民法典 = 总则编 + 侵权责任编
    assert "三年" in article_text("民法典", 188)
    assert "强制保险" in article_text(parse_citation("《民法典》第一千二百一十三条"))
    assert not article_exists("民法典", 500)  # 合同编 is not shipped
    with pytest.raises(UnknownLaw):
        article_exists("机动车交通事故责任强制保险条款", 8)


def test_check_citation_statuses() -> None:
    assert check_citation("《道路交通安全法》第七十六条").status == "ok"
    assert check_citation("《道路交通安全法》第七十六条第二款").status == "ok"
    assert check_citation("《道路交通安全法》第七十六条第三款").status == "missing_paragraph"
    assert check_citation("《道路交通安全法》第二百条").status == "missing_article"
    assert check_citation("《机动车交通事故责任强制保险条款》第八条").status == "not_checkable"
    assert check_citation("道路交通安全法76条").status == "malformed"
    # Items （一）（二） belong to their paragraph: 第四十三条 has one paragraph with four items.
    assert check_citation("《道路交通安全法》第四十三条第二款").status == "missing_paragraph"


def test_every_shipped_law_is_indexed_with_consecutive_articles() -> None:
    for law in statutes.known_laws():
        numbers = sorted(n for n, suffix in statutes._index(law) if not suffix)
        assert numbers[0] == 1, law
        ranges = [(1, 204), (1164, 1258)] if law == "民法典" else [(1, numbers[-1])]
        expected = [n for lo, hi in ranges for n in range(lo, hi + 1)]
        assert numbers == expected, law


def test_split_citations_inherits_law() -> None:
    assert split_citations("《民法典》第一千一百七十九条；《人身损害赔偿解释》第十六条、第十七条") == [
        "《民法典》第一千一百七十九条",
        "《人身损害赔偿解释》第十六条",
        "《人身损害赔偿解释》第十七条",
    ]


CITATION_RE = re.compile(r"《[^《》]+》第[零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?(?:第[一二三四五六七八九十]+款)?")


def test_every_citation_in_law_data_and_code_is_real() -> None:
    """All citations the law core shows to people point at articles that exist in the shipped texts."""
    from pathlib import Path

    root = Path(statutes.__file__).parent
    sources = list(root.glob("*.py")) + list((root / "data").glob("*.yaml"))
    seen = 0
    for path in sources:
        for citation in CITATION_RE.findall(path.read_text(encoding="utf-8")):
            result = check_citation(citation)
            assert result.ok, f"{path.name}: {citation}: {result.message}"
            seen += 1
    assert seen > 100
