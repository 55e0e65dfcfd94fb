"""Public JSON API of the law core (mounted under ``/api/v1``; no login needed).

POST /estimate · GET /estimate/regions · GET /liability/scenarios · GET /liability/scenarios/{id} ·
POST /liability/guide · POST /deadlines · GET /deadlines.ics
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from claimline.clock import today_local
from claimline.law.compensation import estimate_compensation, known_regions, regions_with_data
from claimline.law.deadlines import (
    Deadline,
    DeadlineRequest,
    compute_deadlines,
    deadlines_to_ics,
    event_labels,
    events_from_query,
)
from claimline.law.liability import (
    GuideStep,
    Scenario,
    ScenarioSummary,
    get_scenario,
    guide_from,
    party_types,
    scenario_summaries,
)
from claimline.law.schemas import EstimateResult, validation_failed_from

router = APIRouter(tags=["赔偿估算与责任、期限"])


ESTIMATE_EXAMPLE: dict[str, Any] = {
    "region": "广东省",
    "victim": {
        "age": 45,
        "outcome": "disability",
        "disability_grade": 8,
        "costs": {"medical": 30000, "transport": 800, "property": 3000},
        "hospital_days": 20,
        "hospital_food_per_day": 100,
        "lost_work": {"days": 180, "daily_income": 200},
        "nursing": {"days": 30, "daily_cost": 150},
        "dependants": [{"age": 10, "other_supporters": 1, "incapacitated": False}],
    },
    "vehicle": {
        "compulsory_insurance": True,
        "at_fault": True,
        "liability_share": 0.7,
        "commercial_third_party_limit": 1000000,
    },
}


@router.post(
    "/estimate",
    summary="赔偿估算：分项金额、交强险与商业险赔付、各方承担",
    response_model=EstimateResult,
)
def estimate(
    body: Annotated[
        dict[str, Any],
        Body(
            description="见 EstimateRequest：region（省份）、statistics（可选，覆盖统计数据）、victim、vehicle；金额单位为元。",
            openapi_examples={"致残": {"summary": "八级伤残、有被扶养人", "value": ESTIMATE_EXAMPLE}},
        ),
    ],
) -> EstimateResult:
    return estimate_compensation(body)


class RegionOut(BaseModel):
    region: str
    figures: dict[str, list[int | None]]


@router.get("/estimate/regions", summary="有统计数据的地区及年度（省份选择用）")
def estimate_regions() -> list[RegionOut]:
    available = regions_with_data()
    return [RegionOut(region=r, figures=available.get(r, {})) for r in known_regions()]


class ScenarioList(BaseModel):
    party_types: dict[str, str]
    scenarios: list[ScenarioSummary]


@router.get("/liability/scenarios", summary="常见事故情形及典型责任划分")
def liability_scenarios() -> ScenarioList:
    return ScenarioList(party_types=party_types(), scenarios=scenario_summaries())


@router.get("/liability/scenarios/{scenario_id}", summary="单个事故情形的详细说明")
def liability_scenario(scenario_id: str) -> Scenario:
    return get_scenario(scenario_id)


@router.post("/liability/guide", summary="责任认定引导：回答2–5个问题，得到可能的情形和下一步")
def liability_guide(
    body: Annotated[
        dict[str, Any],
        Body(
            description='{"answers": {"parties": "car_car", "how": "rear_end", "special": "none", '
            '"certificate": "disagree"}}；未答完时返回下一题。',
            openapi_examples={
                "第一步": {"value": {"answers": {}}},
                "答完": {
                    "value": {
                        "answers": {"parties": "car_car", "how": "rear_end", "special": "none", "certificate": "agree"}
                    }
                },
            },
        ),
    ],
) -> GuideStep:
    return guide_from(body)


class DeadlinesOut(BaseModel):
    accident_date: date
    today: date
    events: dict[str, date]
    event_labels: dict[str, str]
    deadlines: list[Deadline]
    ics_url: str


def _ics_url(accident_date: date, events: dict[str, date]) -> str:
    query = [f"accident_date={accident_date.isoformat()}"]
    query += [f"{quote(code)}={day.isoformat()}" for code, day in events.items()]
    return "/api/v1/deadlines.ics?" + "&".join(query)


@router.post("/deadlines", summary="期限提醒：复核、调解、保险理赔、诉讼时效等期限与倒计时")
def deadlines(
    body: Annotated[
        dict[str, Any],
        Body(
            description="accident_date（YYYY-MM-DD）；events：事件编号→日期；today（可选，默认北京时间今天）。",
            openapi_examples={
                "收到认定书": {
                    "value": {"accident_date": "2026-09-28", "events": {"certificate_received": "2026-09-30"}}
                }
            },
        ),
    ],
) -> DeadlinesOut:
    try:
        req = DeadlineRequest.model_validate(body)
    except ValidationError as exc:
        raise validation_failed_from(exc) from None
    today = req.today or today_local()
    return DeadlinesOut(
        accident_date=req.accident_date,
        today=today,
        events=req.events,
        event_labels=event_labels(),
        deadlines=compute_deadlines(req.accident_date, req.events, today),
        ics_url=_ics_url(req.accident_date, req.events),
    )


@router.get("/deadlines.ics", summary="期限导出为日历文件（.ics）", response_class=Response)
def deadlines_ics(
    request: Request,
    accident_date: Annotated[date, Query(description="事故日期 YYYY-MM-DD")],
    only_mine: Annotated[bool, Query(description="只导出需要本人办理的期限和诉讼时效")] = False,
) -> Response:
    events = events_from_query(dict(request.query_params))
    items = compute_deadlines(accident_date, events, include_expected=not only_mine)
    body = deadlines_to_ics(items)
    return Response(
        content=body.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="claimline-deadlines-{accident_date.isoformat()}.ics"'},
    )
