"""Measuring the matcher on a question set (``claimline eval FILE.jsonl``).

File format: one JSON object per line, ``{"question": "...", "topics": ["main", "other", ...]}``
(an ``id`` and other keys are allowed and ignored). Blank lines are skipped.

Figures (:func:`evaluate`), all over the ``n`` questions of the file:

* ``top1_topic_accuracy``: share whose first result's topic is one of the question's topics;
* ``top3_topic_accuracy``: share where one of the first three results has one of its topics;
* ``handoff_rate``: share the engine hands to a person;
* ``answer_precision``: top-1 accuracy among the questions the engine answers directly
  (0.0 when it answers none);
* ``latency_p50_ms`` / ``latency_p99_ms``: wall time of ``Matcher.ask`` per question.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from claimline.errors import ValidationFailed
from claimline.knowledge.entries import topic_ids

EVAL_KEYS: tuple[str, ...] = (
    "n",
    "top1_topic_accuracy",
    "top3_topic_accuracy",
    "handoff_rate",
    "answer_precision",
    "latency_p50_ms",
    "latency_p99_ms",
)


class _Result(Protocol):
    action: str

    @property
    def results(self) -> Sequence[Any]: ...


class Asker(Protocol):
    def ask(self, question: str, region: str | None = None) -> Any: ...


@dataclass(frozen=True, slots=True)
class EvalCase:
    question: str
    topics: tuple[str, ...]
    id: str = ""
    region: str | None = None


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    case: EvalCase
    action: str
    result_topics: tuple[str, ...]
    confidence: float
    latency_ms: float

    @property
    def top1(self) -> bool:
        return bool(self.result_topics) and self.result_topics[0] in self.case.topics

    @property
    def top3(self) -> bool:
        return any(t in self.case.topics for t in self.result_topics[:3])


def _bad_line(source: str, line_no: int, problem: str, field: str) -> ValidationFailed:
    return ValidationFailed(f"评测文件 {source} 第 {line_no} 行：{problem}", code="invalid_eval_line", field=field)


def parse_cases(lines: Iterable[str], source: str = "<input>") -> list[EvalCase]:
    """Cases of a JSONL text; a bad line raises ValidationFailed naming the line."""
    known = set(topic_ids())
    cases: list[EvalCase] = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad_line(source, line_no, f"不是有效的 JSON（{exc.msg}）", "line") from None
        if not isinstance(data, dict):
            raise _bad_line(source, line_no, "应为 JSON 对象", "line")
        question = data.get("question")
        if not isinstance(question, str):
            raise _bad_line(source, line_no, "缺少文字字段 question", "question")
        topics = data.get("topics")
        if isinstance(topics, str):
            topics = [topics]
        if not isinstance(topics, list) or not topics or not all(isinstance(t, str) for t in topics):
            raise _bad_line(source, line_no, "topics 应为非空的主题列表", "topics")
        unknown = [t for t in topics if t not in known]
        if unknown:
            raise _bad_line(source, line_no, f"未知主题：{'、'.join(unknown)}", "topics")
        region = data.get("region")
        cases.append(
            EvalCase(
                question=question,
                topics=tuple(topics),
                id=str(data.get("id", line_no)),
                region=region if isinstance(region, str) and region.strip() else None,
            )
        )
    return cases


def load_cases(path: str | Path) -> list[EvalCase]:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationFailed(f"评测文件不存在：{file}", code="not_found", field="file") from None
    except UnicodeDecodeError:
        raise ValidationFailed(f"评测文件 {file} 不是 UTF-8 编码", code="invalid_encoding", field="file") from None
    return parse_cases(text.splitlines(), str(file))


def run_cases(matcher: Asker, cases: Iterable[EvalCase]) -> list[CaseOutcome]:
    outcomes: list[CaseOutcome] = []
    for case in cases:
        start = time.perf_counter()
        result = matcher.ask(case.question, region=case.region)
        elapsed = (time.perf_counter() - start) * 1000.0
        outcomes.append(
            CaseOutcome(
                case=case,
                action=result.action,
                result_topics=tuple(r.topic for r in result.results),
                confidence=float(result.confidence),
                latency_ms=elapsed,
            )
        )
    return outcomes


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(outcomes: Sequence[CaseOutcome]) -> dict[str, Any]:
    n = len(outcomes)
    answered = [o for o in outcomes if o.action == "answer"]

    def share(count: int, total: int) -> float:
        return round(count / total, 4) if total else 0.0

    latencies = [o.latency_ms for o in outcomes]
    return {
        "n": n,
        "top1_topic_accuracy": share(sum(o.top1 for o in outcomes), n),
        "top3_topic_accuracy": share(sum(o.top3 for o in outcomes), n),
        "handoff_rate": share(sum(o.action == "handoff" for o in outcomes), n),
        "answer_precision": share(sum(o.top1 for o in answered), len(answered)),
        "latency_p50_ms": round(percentile(latencies, 50), 3),
        "latency_p99_ms": round(percentile(latencies, 99), 3),
    }


def evaluate(matcher: Asker, cases: Iterable[EvalCase]) -> dict[str, Any]:
    """The evaluation figures (exactly :data:`EVAL_KEYS`) of ``matcher`` on ``cases``."""
    return summarize(run_cases(matcher, cases))
