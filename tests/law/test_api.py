"""The law core over HTTP: JSON API under /api/v1 and the public pages (no login)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

BODY: dict[str, Any] = {
    "region": "广东省",
    "victim": {
        "age": 45,
        "outcome": "disability",
        "disability_grade": 8,
        "costs": {"medical": 30000},
        "dependants": [{"age": 10, "other_supporters": 1, "incapacitated": False}],
    },
    "vehicle": {"compulsory_insurance": True, "at_fault": True, "liability_share": 0.7,
                "commercial_third_party_limit": 1000000},
}


def test_estimate_returns_items_numbers_and_sources(client: TestClient) -> None:
    response = client.post("/api/v1/estimate", json=BODY)
    assert response.status_code == 200, response.text
    data = response.json()
    items = {i["code"]: i for i in data["items"]}
    assert items["disability_compensation"]["amount"] == 355839.6
    assert items["dependant_living"]["amount"] == 47199.96
    assert isinstance(data["total"], float | int) and data["total"] == 433039.56
    assert items["disability_compensation"]["basis"].endswith("《人身损害赔偿解释》第十二条")
    assert data["compulsory_insurance"] == {
        **data["compulsory_insurance"], "medical": 18000, "death_disability": 180000, "property": 0, "total": 198000,
    }
    parts = data["compulsory_insurance"]["total"] + data["commercial_insurance"] + data["liable_party"] + data["victim_bears"]
    assert round(parts, 2) == data["total"]
    assert data["statistics_used"]["statistics_year"] == 2023
    assert data["statistics_used"]["region"] == "广东"


def test_estimate_errors_use_the_api_error_shape(client: TestClient) -> None:
    bad = {**BODY, "victim": {**BODY["victim"], "outcome": "injury"}}
    response = client.post("/api/v1/estimate", json=bad)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "victim.disability_grade"
    assert "致残" in error["message"]

    response = client.post("/api/v1/estimate", json={**BODY, "region": "浙江省"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "statistics_missing"

    response = client.post("/api/v1/estimate", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "error" in response.json()


def test_regions_for_the_picker(client: TestClient) -> None:
    regions = {r["region"]: r["figures"] for r in client.get("/api/v1/estimate/regions").json()}
    assert 2023 in regions["广东"]["disposable_income"]
    assert regions["浙江"] == {}


def test_liability_endpoints(client: TestClient) -> None:
    data = client.get("/api/v1/liability/scenarios").json()
    assert len(data["scenarios"]) >= 30
    assert "car_car" in data["party_types"]
    one = client.get("/api/v1/liability/scenarios/rear_end").json()
    assert "《道路交通安全法》第四十三条" in one["articles"]
    missing = client.get("/api/v1/liability/scenarios/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "scenario_not_found"

    first = client.post("/api/v1/liability/guide", json={"answers": {}}).json()
    assert first["complete"] is False and first["question"]["id"] == "parties"
    done = client.post(
        "/api/v1/liability/guide",
        json={"answers": {"parties": "car_car", "how": "lane_change", "special": "none", "certificate": "disagree"}},
    ).json()
    assert done["complete"] is True
    assert done["result"]["scenario"]["id"] == "lane_change"
    assert done["result"]["contest_urgent"] is True
    wrong = client.post("/api/v1/liability/guide", json={"answers": {"parties": "boats"}})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "answers.parties"


def test_deadlines_endpoint_and_ics(client: TestClient) -> None:
    response = client.post(
        "/api/v1/deadlines",
        json={"accident_date": "2026-09-28", "events": {"certificate_received": "2026-09-30"}, "today": "2026-10-08"},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    review = next(d for d in data["deadlines"] if d["code"] == "review_application")
    assert review["due"] == "2026-10-10" and review["days_left"] == 2
    assert review["article"] == "《道路交通事故处理程序规定》第七十一条"
    ics = client.get(data["ics_url"])
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "attachment" in ics.headers["content-disposition"]
    assert "DTSTART;VALUE=DATE:20261010" in ics.text.replace("\r\n ", "")
    mine = client.get(data["ics_url"] + "&only_mine=true").text.replace("\r\n ", "")
    assert "交强险" not in mine and "申请复核" in mine

    bad = client.post("/api/v1/deadlines", json={"accident_date": "2026-09-28", "events": {"moon": "2026-10-01"}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "events.moon"
    bad_ics = client.get("/api/v1/deadlines.ics?accident_date=2026-09-28&certificate_received=tomorrow")
    assert bad_ics.status_code == 422


def test_estimator_page_is_public_and_computes(client: TestClient) -> None:
    page = client.get("/tools/estimate")
    assert page.status_code == 200
    assert "交通事故赔偿估算" in page.text and '<option value="广东"' in page.text
    form = {
        "region": "广东", "age": "45", "outcome": "disability", "grade": "8", "medical": "30,000",
        "dep_age_0": "10", "dep_sup_0": "1", "compulsory": "yes", "at_fault": "yes", "share_pct": "70",
        "commercial_limit": "1000000",
    }
    result = client.post("/tools/estimate", data=form)
    assert result.status_code == 200
    assert re.search(r'id="total">433,039.56<', result.text)
    assert "《人身损害赔偿解释》第十二条" in result.text
    assert "59,306.6 元/年 × 20 年 × 30%" in result.text


def test_estimator_page_shows_errors_at_the_field(client: TestClient) -> None:
    response = client.post("/tools/estimate", data={"age": "45", "outcome": "death", "dep_age_1": "30", "share_pct": "100",
                                                   "stat_income": "50000", "stat_consumption": "30000",
                                                   "stat_wage": "100000"})
    assert response.status_code == 422
    assert "丧失劳动能力" in response.text
    # The adult dependant was typed in row 2: that row's checkbox is highlighted.
    assert re.search(r'<label class="check invalid"><input type="checkbox" name="dep_inc_1"', response.text)
    response = client.post("/tools/estimate", data={"age": "abc", "outcome": "injury", "share_pct": "100"})
    assert response.status_code == 422
    assert re.search(r'<label class="invalid" for="f-age">', response.text)


def test_liability_and_deadline_pages(client: TestClient) -> None:
    first = client.get("/tools/liability")
    assert first.status_code == 200 and "第 1 / 4 题" in first.text
    done = client.get("/tools/liability?parties=car_car&how=rear_end&special=none&certificate=disagree")
    assert "最可能的情形：追尾" in done.text and "三个工作日" in done.text
    scenario = client.get("/tools/liability/scenarios/door_opening")
    assert scenario.status_code == 200 and "车辆停稳前不得开车门" in scenario.text  # full article text shown
    deadlines = client.get("/tools/deadlines?accident_date=2026-09-28&certificate_received=2026-09-30")
    assert deadlines.status_code == 200
    assert "申请复核" in deadlines.text and "/api/v1/deadlines.ics?accident_date=2026-09-28" in deadlines.text
    bad = client.get("/tools/deadlines?accident_date=2026-09-28&certificate_received=2026-01-01")
    assert bad.status_code == 422 and "不能早于事故日期" in bad.text
