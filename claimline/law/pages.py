"""Public pages (no login): compensation estimator, liability guide, deadlines.

/tools/estimate (GET form, POST result) · /tools/liability (guided flow, GET) ·
/tools/liability/scenarios/{id} · /tools/deadlines (GET form and result; .ics via the API).

The estimator form posts (personal figures stay out of URLs and logs); the other two use GET forms
so a result can be bookmarked. Everything works without JavaScript; the small script only hides
fields that do not apply.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from claimline.clock import today_local
from claimline.errors import DomainError
from claimline.law import compensation, liability, statutes
from claimline.law.deadlines import compute_deadlines, event_labels, events_from_query
from claimline.law.schemas import EstimateResult
from claimline.web.templating import render

router = APIRouter(include_in_schema=False)

DEPENDANT_ROWS = 4

#: Form field → JSON path of the estimate request (also used to highlight the field of an error).
FIELD_PATHS: dict[str, str] = {
    "region": "region",
    "stat_income": "statistics.disposable_income",
    "stat_consumption": "statistics.consumption",
    "stat_wage": "statistics.average_wage",
    "statistics_year": "statistics_year",
    "age": "victim.age",
    "outcome": "victim.outcome",
    "grade": "victim.disability_grade",
    "medical": "victim.costs.medical",
    "follow_up_treatment": "victim.costs.follow_up_treatment",
    "transport": "victim.costs.transport",
    "accommodation": "victim.costs.accommodation",
    "assistive_devices": "victim.costs.assistive_devices",
    "property": "victim.costs.property",
    "hospital_days": "victim.hospital_days",
    "hospital_food_per_day": "victim.hospital_food_per_day",
    "nutrition_days": "victim.nutrition_days",
    "nutrition_per_day": "victim.nutrition_per_day",
    "lost_days": "victim.lost_work.days",
    "lost_daily": "victim.lost_work.daily_income",
    "nursing_days": "victim.nursing.days",
    "nursing_daily": "victim.nursing.daily_cost",
    "mental_damage": "victim.mental_damage",
    "compulsory": "vehicle.compulsory_insurance",
    "at_fault": "vehicle.at_fault",
    "share_pct": "vehicle.liability_share",
    "commercial_limit": "vehicle.commercial_third_party_limit",
}
for _i in range(DEPENDANT_ROWS):
    FIELD_PATHS[f"dep_age_{_i}"] = f"victim.dependants[{_i}].age"
    FIELD_PATHS[f"dep_sup_{_i}"] = f"victim.dependants[{_i}].other_supporters"
    FIELD_PATHS[f"dep_inc_{_i}"] = f"victim.dependants[{_i}].incapacitated"
PATH_FIELDS = {path: name for name, path in FIELD_PATHS.items()}


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.replace("]", "").replace("[", ".").split(".")
    node: Any = target
    for part, nxt in zip(parts, parts[1:], strict=False):
        key: Any = int(part) if part.isdigit() else part
        if isinstance(node, list):
            while len(node) <= key:
                node.append({})
            node = node[key]
        else:
            node = node.setdefault(key, [] if nxt.isdigit() else {})
    last = parts[-1]
    node[int(last) if last.isdigit() else last] = value


def form_to_request(form: dict[str, str]) -> dict[str, Any]:
    """Flat form fields → the JSON body of ``estimate_compensation`` (empty fields left out)."""
    body: dict[str, Any] = {"victim": {}, "vehicle": {}}
    for name, path in FIELD_PATHS.items():
        raw = (form.get(name) or "").strip().replace(",", "").replace("，", "")
        if name.startswith("dep_"):
            continue
        if name in ("compulsory", "at_fault"):
            _set(body, path, raw != "no")
            continue
        if raw == "":
            continue
        if name == "share_pct":
            try:
                _set(body, path, str(Decimal(raw) / 100))
            except ArithmeticError:  # InvalidOperation, Overflow (1e999999999)
                _set(body, path, raw)
            continue
        _set(body, path, raw)
    dependants: list[dict[str, Any]] = []
    for i in range(DEPENDANT_ROWS):
        age = (form.get(f"dep_age_{i}") or "").strip()
        if not age:
            continue
        dependants.append(
            {
                "age": age,
                "other_supporters": (form.get(f"dep_sup_{i}") or "0").strip() or "0",
                "incapacitated": form.get(f"dep_inc_{i}") == "yes",
            }
        )
    if dependants:
        body["victim"]["dependants"] = dependants
    return body


def _error_field(path: str | None, submitted_dependant_rows: list[int]) -> str | None:
    """The form field to highlight for an error at JSON ``path``."""
    if not path:
        return None
    if path.startswith("victim.dependants["):
        # dependants are re-numbered (empty rows dropped): map back to the submitted row.
        index = int(path.split("[", 1)[1].split("]", 1)[0])
        row = submitted_dependant_rows[index] if index < len(submitted_dependant_rows) else index
        path = path.replace(f"[{index}]", f"[{row}]", 1)
        if path.endswith("]"):
            path += ".age"
    if path == "victim.dependants":
        return "dep_age_0"
    return PATH_FIELDS.get(path)


def estimate_form_context(form: dict[str, str]) -> dict[str, Any]:
    """Template context for ``law/_estimate_form.html`` and ``law/_estimate_result.html``.

    The agent console embeds the same form: render it with this context (plus ``estimate_action``
    to post elsewhere) and turn the posted fields into a request with ``form_to_request``.
    """
    rules = compensation.rules()
    available = compensation.regions_with_data()
    regions = [
        {"name": r, "has_data": r in available, "years": sorted({y for ys in available.get(r, {}).values() for y in ys if y})}
        for r in compensation.known_regions()
    ]
    return {
        "form": form,
        "help": {code: meta["help"] for code, meta in rules.items.items()},
        "names": {code: meta["name"] for code, meta in rules.items.items()},
        "regions": regions,
        "dependant_rows": range(DEPENDANT_ROWS),
        "grades": list(range(1, 11)),
        "coefficients": {g: compensation.fmt_pct(c) for g, c in rules.coefficients.items()},
        "limits": compensation.compulsory_limits(),
        "fmt_money": compensation.fmt_money,
        "fmt_num": compensation.fmt_num,
        "fmt_pct": compensation.fmt_pct,
        "today": today_local(),
    }


@router.get("/tools/estimate")
def estimate_page(request: Request) -> Response:
    form = {"compulsory": "yes", "at_fault": "yes", "outcome": "injury"}
    return render(request, "law/estimate.html", {**estimate_form_context(form), "result": None, "error": None})


@router.post("/tools/estimate")
async def estimate_submit(request: Request) -> Response:
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    rows = [i for i in range(DEPENDANT_ROWS) if (form.get(f"dep_age_{i}") or "").strip()]
    result: EstimateResult | None = None
    error: dict[str, Any] | None = None
    try:
        result = compensation.estimate_compensation(form_to_request(form))
    except DomainError as problem:
        error = {"message": problem.message, "field": _error_field(problem.field, rows), "path": problem.field}
    status = 200 if error is None else 422
    context = {**estimate_form_context(form), "result": result, "error": error}
    return render(request, "law/estimate.html", context, status_code=status)


# ------------------------------------------------------------------------------------------ liability


@router.get("/tools/liability")
def liability_page(request: Request) -> Response:
    answers = {k: v for k, v in request.query_params.items() if k in ("parties", "how", "special", "certificate") and v}
    error = None
    try:
        step = liability.guide(answers)
    except DomainError as problem:
        error = problem.message
        answers = {}
        step = liability.guide({})
    groups: dict[str, list[liability.Scenario]] = {}
    for s in liability.list_scenarios():
        groups.setdefault(s.parties, []).append(s)
    back_links = []
    kept: dict[str, str] = {}
    for echo in step.answered:
        back_links.append({"echo": echo, "href": "/tools/liability?" + urlencode(kept)})
        kept[echo.question_id] = echo.option_id
    return render(
        request,
        "law/liability.html",
        {
            "step": step,
            "answers": answers,
            "error": error,
            "groups": groups,
            "party_types": liability.party_types(),
            "back_links": back_links,
        },
        status_code=200 if error is None else 422,
    )


def _article_texts(citations: list[str]) -> list[dict[str, str]]:
    out = []
    for citation in citations:
        try:
            text = statutes.article_text(statutes.parse_citation(citation))
        except (LookupError, ValueError):
            text = ""
        out.append({"citation": citation, "text": text})
    return out


@router.get("/tools/liability/scenarios/{scenario_id}")
def scenario_page(request: Request, scenario_id: str) -> Response:
    scenario = liability.get_scenario(scenario_id)
    return render(
        request,
        "law/scenario.html",
        {
            "s": scenario,
            "articles": _article_texts(scenario.articles),
            "contest": liability.contest_guidance(),
            "contest_articles": _article_texts(liability.contest_guidance().articles),
            "money_note": liability.money_note(),
            "common_steps": liability.common_steps(),
        },
    )


# ------------------------------------------------------------------------------------------ deadlines


@router.get("/tools/deadlines")
def deadlines_page(request: Request) -> Response:
    params = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    labels = event_labels()
    today = today_local()
    items = None
    error = None
    ics_query = ""
    accident_raw = params.get("accident_date", "")
    if accident_raw:
        try:
            try:
                accident = date.fromisoformat(accident_raw)
            except ValueError:
                raise DomainError("事故日期格式应为 YYYY-MM-DD。", field="accident_date") from None
            events = events_from_query(params, ignore_unknown=True)
            items = compute_deadlines(accident, events, today)
            ics_query = urlencode({"accident_date": accident.isoformat(), **{k: v.isoformat() for k, v in events.items()}})
        except DomainError as problem:
            error = {"message": problem.message, "field": (problem.field or "").removeprefix("events.")}
    return render(
        request,
        "law/deadlines.html",
        {
            "params": params,
            "labels": {k: v for k, v in labels.items() if k != "accident"},
            "items": items,
            "error": error,
            "today": today,
            "ics_query": ics_query,
        },
        status_code=200 if error is None else 422,
    )
