"""Liability guide: scenario data quality and the guided flow."""

from __future__ import annotations

import pytest

from claimline.errors import NotFound, ValidationFailed
from claimline.law import liability
from claimline.law.liability import get_scenario, guide, guide_from, list_scenarios, suggest_scenarios
from claimline.law.statutes import check_citation

REQUIRED_TOPICS = [
    "rear_end", "lane_change", "turn_vs_straight", "reversing", "door_opening", "red_light",
    "pedestrian_crosswalk", "ebike_vs_car", "drunk_driving", "hit_and_run", "parked_car", "animal",
    "chain_collision",
]


def test_at_least_thirty_scenarios_cover_the_common_cases() -> None:
    scenarios = list_scenarios()
    assert len(scenarios) >= 30
    ids = {s.id for s in scenarios}
    assert set(REQUIRED_TOPICS) <= ids
    assert {s.parties for s in scenarios} == set(liability.party_types())


@pytest.mark.parametrize("scenario", list_scenarios(), ids=lambda s: s.id)
def test_each_scenario_is_complete_and_cites_real_articles(scenario: liability.Scenario) -> None:
    assert scenario.title and scenario.summary and scenario.typical_allocation
    assert scenario.responsibility, "typical allocation by party"
    assert len(scenario.deciding_questions) >= 1
    assert len(scenario.what_to_do_now) >= 1
    assert scenario.local_variation
    assert scenario.articles
    for citation in scenario.articles:
        result = check_citation(citation)
        assert result.status == "ok", f"{citation}: {result.message}"
    if scenario.typical_share is not None:
        assert scenario.typical_share.min <= scenario.typical_share.max


def test_contest_guidance_says_three_working_days_and_article_71() -> None:
    contest = liability.contest_guidance()
    text = "".join(contest.steps)
    assert "三个工作日" in text
    assert "《道路交通事故处理程序规定》第七十一条" in contest.articles
    assert "只能复核一次" in text
    for citation in contest.articles:
        assert check_citation(citation).status == "ok"


def test_every_guide_citation_is_real() -> None:
    assert all(check_citation(c).status == "ok" for c in liability.all_citations())


def test_guided_flow_asks_four_questions_then_answers() -> None:
    step = guide({})
    assert not step.complete and step.question is not None and step.question.id == "parties"
    assert step.total_steps == 4

    step = guide({"parties": "car_car"})
    assert step.question is not None and step.question.id == "how"
    assert "rear_end" in {o.id for o in step.question.options}
    assert "pedestrian_crosswalk" not in {o.id for o in step.question.options}

    step = guide({"parties": "car_car", "how": "rear_end"})
    assert step.question is not None and step.question.id == "special"
    step = guide({"parties": "car_car", "how": "rear_end", "special": "none"})
    assert step.question is not None and step.question.id == "certificate"

    step = guide({"parties": "car_car", "how": "rear_end", "special": "none", "certificate": "disagree"})
    assert step.complete and step.result is not None
    result = step.result
    assert result.scenario.id == "rear_end"
    assert "后车" in result.scenario.typical_allocation
    assert result.contest_urgent
    assert any("三个工作日内" in s and "第七十一条" in s for s in result.next_steps)
    assert [a.answer for a in step.answered][0] == "机动车与机动车"


def test_special_circumstance_adds_a_modifier() -> None:
    step = guide({"parties": "car_pedestrian", "how": "pedestrian_crosswalk", "special": "drunk_driving",
                  "certificate": "not_yet"})
    assert step.result is not None
    assert [m.id for m in step.result.modifiers] == ["drunk_driving"]
    assert any("十个工作日" in s for s in step.result.next_steps)
    assert not step.result.contest_urgent


def test_special_party_type_skips_the_special_question() -> None:
    step = guide({"parties": "special", "how": "hit_and_run"})
    assert step.question is not None and step.question.id == "certificate"
    assert step.total_steps == 3
    done = guide({"parties": "special", "how": "hit_and_run", "certificate": "no_police"})
    assert done.result is not None
    assert any("122" in s for s in done.result.next_steps)


def test_property_only_without_police_gets_self_settlement_advice() -> None:
    step = guide({"parties": "car_car", "how": "fast_settlement_property_only", "special": "none",
                  "certificate": "no_police"})
    assert step.result is not None
    assert any("协议书" in s for s in step.result.next_steps)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"weather": "rain"}, "answers.weather"),
        ({"parties": "aliens"}, "answers.parties"),
        ({"parties": "car_car", "how": "pedestrian_crosswalk"}, "answers.how"),
        ({"how": "rear_end"}, "answers.parties"),
        ({"parties": "car_car", "how": "rear_end", "special": "maybe"}, "answers.special"),
        ({"parties": "car_car", "how": "rear_end", "special": "none", "certificate": "lost"}, "answers.certificate"),
    ],
)
def test_wrong_answers_are_rejected(answers: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        guide(answers)
    assert caught.value.field == field


def test_guide_from_raw_json() -> None:
    assert guide_from({"answers": {"parties": "nonmotor"}}).question is not None
    with pytest.raises(ValidationFailed) as caught:
        guide_from({"answers": {"parties": 3}})
    assert caught.value.field == "answers.parties"


def test_unknown_scenario() -> None:
    with pytest.raises(NotFound):
        get_scenario("teleport")


def test_suggest_scenarios_from_words() -> None:
    assert suggest_scenarios("被后车追尾了，后车全责吗")[0].id == "rear_end"
    assert suggest_scenarios("对方撞了就跑，肇事逃逸")[0].id == "hit_and_run"
    assert suggest_scenarios("今天天气很好") == []
