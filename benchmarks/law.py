"""Benchmark of the law core: compensation estimates per second and per-estimate latency.

Run: .venv/bin/python benchmarks/law.py [--n 20000]
Target (issue 5): ≥ 1,000 estimates/s, ≤ 1 ms each. Also times deadlines and the liability guide.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from claimline.law.compensation import estimate_compensation
from claimline.law.deadlines import compute_deadlines
from claimline.law.liability import guide

REQUESTS: list[dict[str, Any]] = [
    {  # injury only, no statistics
        "victim": {"age": 30, "outcome": "injury", "costs": {"medical": 12000, "transport": 300, "property": 2500},
                   "hospital_days": 8, "hospital_food_per_day": 100, "lost_work": {"days": 45, "daily_income": 260},
                   "nursing": {"days": 8, "daily_cost": 150}},
        "vehicle": {"at_fault": True, "liability_share": 0.7, "commercial_third_party_limit": 1000000},
    },
    {  # disability with a dependant, region data
        "region": "广东省",
        "victim": {"age": 45, "outcome": "disability", "disability_grade": 8, "costs": {"medical": 30000},
                   "dependants": [{"age": 10, "other_supporters": 1}], "mental_damage": 10000},
        "vehicle": {"at_fault": True, "liability_share": 0.7, "commercial_third_party_limit": 1000000},
    },
    {  # death, three dependants with the yearly cap, statistics override
        "statistics": {"disposable_income": 50000, "consumption": 30000, "average_wage": 100000},
        "victim": {"age": 62, "outcome": "death", "mental_damage": 50000,
                   "dependants": [{"age": 5}, {"age": 8}, {"age": 85, "incapacitated": True, "other_supporters": 2}]},
        "vehicle": {"compulsory_insurance": False, "at_fault": True, "liability_share": 1},
    },
]


def timed(label: str, n: int, call: Callable[[int], object]) -> None:
    for i in range(min(200, n)):  # warm-up (data files, caches)
        call(i)
    latencies: list[float] = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        call(i)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    print(
        f"{label:<34} {n / elapsed:>10,.0f}/s   mean {statistics.fmean(ms):.3f} ms   "
        f"p50 {ms[len(ms) // 2]:.3f} ms   p95 {ms[int(len(ms) * 0.95)]:.3f} ms   p99 {ms[int(len(ms) * 0.99)]:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000, help="iterations per measurement")
    n = parser.parse_args().n
    timed("estimate (dict in, model out)", n, lambda i: estimate_compensation(REQUESTS[i % len(REQUESTS)]))
    timed(
        "estimate + JSON serialisation",
        n,
        lambda i: estimate_compensation(REQUESTS[i % len(REQUESTS)]).model_dump_json(),
    )
    events = {"certificate_received": date(2026, 9, 30), "claim_submitted": date(2026, 10, 20)}
    timed("deadlines", n, lambda i: compute_deadlines(date(2026, 9, 28), events, date(2026, 10, 8)))
    answers = {"parties": "car_car", "how": "rear_end", "special": "drunk_driving", "certificate": "disagree"}
    timed("liability guide (4 answers)", n, lambda i: guide(answers))


if __name__ == "__main__":
    main()
