"""Benchmark of the matching engine against a plain jieba + rank_bm25 baseline.

Usage::

    .venv/bin/python benchmarks/matching.py [EVAL.jsonl] [--knowledge DIR] [--sweep] [--details]

Loads the published entries of ``knowledge/``, builds the matcher (timed), evaluates it on the
question file (default ``/work/shared/eval/dev_questions.jsonl`` when present; benchmarks may read
it, the product and tests may not), then the baseline on the same file, and prints both side by
side with the difference in points, plus build time, latency and memory.

The baseline is what one gets without any of our work: default jieba (no domain dictionary, no
synonyms, no normalisation), ``rank_bm25.BM25Okapi`` over each entry's questions + title +
answer, the top document's topic as the answer, always answering.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimline.knowledge.entries import KnowledgeEntry, load_entry_directory  # noqa: E402
from claimline.knowledge.evaluation import (  # noqa: E402
    EVAL_KEYS,
    load_cases,
    percentile,
    run_cases,
    summarize,
)
from claimline.knowledge.matcher import Matcher, MatchSettings  # noqa: E402
from claimline.knowledge.text import warm_up  # noqa: E402

DEFAULT_EVAL = Path("/work/shared/eval/dev_questions.jsonl")


class _Hit:
    def __init__(self, topic: str) -> None:
        self.topic = topic


class _BaselineResult:
    def __init__(self, topics: list[str]) -> None:
        self.action = "answer"
        self.confidence = 0.0
        self.results = [_Hit(t) for t in topics]


class Baseline:
    """Plain jieba + BM25Okapi over questions + title + answer of each entry."""

    def __init__(self, entries: list[KnowledgeEntry]) -> None:
        import jieba
        from rank_bm25 import BM25Okapi

        self._jieba = jieba
        self.entries = entries
        corpus = [jieba.lcut(" ".join([*e.questions, e.title, e.answer])) for e in entries]
        self.bm25 = BM25Okapi(corpus)

    def ask(self, question: str, region: str | None = None) -> _BaselineResult:
        scores = self.bm25.get_scores(self._jieba.lcut(question))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:5]
        return _BaselineResult([self.entries[i].topic for i in order])


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB."""
    current = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def fmt(key: str, value: Any) -> str:
    if key == "n":
        return str(value)
    if key.endswith("_ms"):
        return f"{value:.2f} ms"
    return f"{100 * value:.1f} %"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_file", nargs="?", default=str(DEFAULT_EVAL) if DEFAULT_EVAL.exists() else None)
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    parser.add_argument("--sweep", action="store_true", help="print precision/coverage per answer threshold")
    parser.add_argument("--details", action="store_true", help="print one line per question (ids, no text)")
    parser.add_argument("--topics", action="store_true", help="per-topic figures of the held-out phrasings")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    t0 = time.perf_counter()
    warm_up()
    init_s = time.perf_counter() - t0
    entries = [e for e in load_entry_directory(args.knowledge) if e.is_published]
    topics_covered = len({e.topic for e in entries})

    gc.collect()
    t0 = time.perf_counter()
    matcher = Matcher.build(entries, MatchSettings())
    build_s = time.perf_counter() - t0
    calibration = matcher.calibration

    report: dict[str, Any] = {
        "entries": len(entries),
        "topics_covered": topics_covered,
        "jieba_init_s": round(init_s, 3),
        "build_s": round(build_s, 3),
        "heldout_top1": round(calibration.heldout_top1, 4),
        "heldout_top3": round(calibration.heldout_top3, 4),
        "calibration_rows": calibration.rows,
    }
    if args.eval_file is None:
        print("no evaluation file given and the default one is absent", file=sys.stderr)
        return 2
    cases = load_cases(args.eval_file)

    ours_outcomes = run_cases(matcher, cases)
    ours = summarize(ours_outcomes)
    reasons = Counter(matcher.ask(c.question, region=c.region).reason for c in cases)
    # latency over repeated passes (more samples → a stable p99)
    latencies: list[float] = []
    for _ in range(10):
        latencies.extend(o.latency_ms for o in run_cases(matcher, cases))
    report["latency_repeated_p50_ms"] = round(percentile(latencies, 50), 3)
    report["latency_repeated_p99_ms"] = round(percentile(latencies, 99), 3)
    report["latency_repeated_mean_ms"] = round(statistics.fmean(latencies), 3)

    report["rss_ours_mb"] = round(rss_mb()[0], 1)
    t0 = time.perf_counter()
    baseline = Baseline(entries)
    report["baseline_build_s"] = round(time.perf_counter() - t0, 3)
    base = summarize(run_cases(baseline, cases))
    current, peak = rss_mb()
    report["rss_mb"] = round(current, 1)
    report["peak_rss_mb"] = round(peak, 1)
    report["ours"] = ours
    report["baseline"] = base
    report["top1_gain_points"] = round(100 * (ours["top1_topic_accuracy"] - base["top1_topic_accuracy"]), 1)

    actions = [o.action for o in ours_outcomes]
    report["actions"] = {a: actions.count(a) for a in ("answer", "clarify", "handoff")}
    report["reasons"] = dict(reasons)

    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    print(f"knowledge: {len(entries)} published entries over {topics_covered} topics")
    print(f"jieba + data init: {init_s:.2f} s   index build (incl. calibration): {build_s:.2f} s")
    print(
        f"build-time calibration: {calibration.rows} held-out phrasings, "
        f"top-1 {100 * calibration.heldout_top1:.1f} %, top-3 {100 * calibration.heldout_top3:.1f} %"
    )
    print(f"eval file: {args.eval_file} ({len(cases)} questions)\n")
    print(f"{'metric':<22}{'ours':>12}{'baseline':>12}{'diff (pts)':>12}")
    for key in EVAL_KEYS:
        diff = ""
        if key != "n" and not key.endswith("_ms"):
            diff = f"{100 * (ours[key] - base[key]):+.1f}"
        print(f"{key:<22}{fmt(key, ours[key]):>12}{fmt(key, base[key]):>12}{diff:>12}")
    print(f"\nactions: {report['actions']}   reasons: {report['reasons']}")
    print(
        f"latency over 10 passes: p50 {report['latency_repeated_p50_ms']:.2f} ms, "
        f"p99 {report['latency_repeated_p99_ms']:.2f} ms, mean {report['latency_repeated_mean_ms']:.2f} ms"
    )
    print(
        f"RSS: {report['rss_ours_mb']:.0f} MB with our matcher built and used; {current:.0f} MB now, "
        f"{peak:.0f} MB peak (with the baseline's own jieba dictionary and index)"
    )
    print(f"top-1 gain over baseline: {report['top1_gain_points']:+.1f} points")

    if args.sweep:
        print("\nanswer threshold sweep (eval file | held-out phrasings):")
        print(f"{'threshold':>10}{'answered':>10}{'precision':>11}{'answered':>12}{'precision':>11}")
        held = list(zip(calibration.confidences, calibration.correct_top1, strict=True))
        for step in range(20, 95, 5):
            th = step / 100
            ans = [o for o in ours_outcomes if o.confidence >= th]
            prec = sum(o.top1 for o in ans) / len(ans) if ans else 0.0
            hans = [ok for c, ok in held if c >= th]
            hprec = sum(hans) / len(hans) if hans else 0.0
            print(
                f"{th:>10.2f}{len(ans) / len(ours_outcomes):>10.0%}{prec:>11.1%}"
                f"{len(hans) / max(len(held), 1):>12.0%}{hprec:>11.1%}"
            )
        print("\nclarify threshold sweep (share of non-answered whose right topic is in the top two):")
        th_a = matcher.settings.answer_threshold
        pairs = list(zip(calibration.confidences, calibration.second_confidences, calibration.correct_top2,
                         strict=True))
        for step in range(20, 95, 10):
            th = step / 100
            sel = [ok for c1, c2, ok in pairs if c1 < th_a and c2 >= th]
            rate = sum(sel) / len(sel) if sel else 0.0
            print(f"{th:>10.2f}  held-out clarified {len(sel):>5}  right topic among top two {rate:.1%}")

    if args.topics:
        print("\nper topic, leave-entries-out phrasings (entries, top-1, most frequent wrong topic):")
        counts = Counter(e.topic for e in entries)
        for topic in matcher.topics:
            rows = [p for t, p in calibration.single_outcomes if t == topic]
            wrong = Counter(p for p in rows if p != topic).most_common(2)
            acc = sum(p == topic for p in rows) / len(rows) if rows else 0.0
            print(f"  {topic:<22}{counts[topic]:>4}{acc:>8.0%}   {', '.join(f'{t} {n}' for t, n in wrong)}")

    if args.details:
        print("\nper question (id, expected topics, action, confidence, result topics):")
        for o in ours_outcomes:
            mark = "ok " if o.top1 else ("t3 " if o.top3 else "-- ")
            print(
                f"{mark}{o.case.id:<10} {','.join(o.case.topics):<55} {o.action:<8} {o.confidence:.2f} "
                f"{','.join(o.result_topics[:3])}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
