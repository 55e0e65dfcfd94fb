"""Compensation estimator: golden cases worked by hand, error cases, and properties.

Rules (人身损害赔偿解释 2022; 交强险 2020 limits 有责 180,000 / 18,000 / 2,000, 无责 18,000 / 1,800 / 100):
- years(age): < 60 → 20; 60–74 → 20 − (age − 60); ≥ 75 → 5.
- 残疾赔偿金 = income × years × coefficient (grade 1 = 100 % … grade 10 = 10 %).
- 死亡赔偿金 = income × years; 丧葬费 = wage ÷ 12 × 6.
- 被扶养人生活费 per dependant per year = consumption × coefficient ÷ (other_supporters + 1), minors to 18,
  incapacitated adults by years(age); the yearly total over all dependants ≤ consumption.
- 交强险 pays first per category; the rest × liability_share is the vehicle side's, 商业三者险 pays it up to the
  limit, the vehicle side pays what is left (plus the 交强险 part when uninsured); the victim bears the rest.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from claimline.errors import ValidationFailed
from claimline.law.compensation import (
    compensation_years,
    disability_coefficient,
    estimate_compensation,
    render_estimate_text,
)
from claimline.law.schemas import EstimateResult

D = Decimal


def request(victim: dict[str, Any], vehicle: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "victim": victim,
        "vehicle": vehicle or {"compulsory_insurance": True, "at_fault": True, "liability_share": 1},
    }
    body.update(top)
    return body


def amounts(result: EstimateResult) -> dict[str, Decimal]:
    return {i.code: i.amount for i in result.items}


def assert_parts(result: EstimateResult, *, jqx: str, commercial: str, liable: str, victim: str) -> None:
    assert result.compulsory_insurance.total == D(jqx)
    assert result.commercial_insurance == D(commercial)
    assert result.liable_party == D(liable)
    assert result.victim_bears == D(victim)


STATS = {"disposable_income": 50000, "consumption": 30000, "average_wage": 100000}


# ----------------------------------------------------------------------------------- golden cases


def test_g01_injury_everything_within_compulsory_limits() -> None:
    # medical 10,000; food 10 × 100 = 1,000; nutrition 30 × 20 = 600   → medical class 11,600 ≤ 18,000
    # lost work 60 × 300 = 18,000; nursing 10 × 150 = 1,500; transport 500 → death/disability class 20,000
    # property 1,500 ≤ 2,000.  total 33,100, all paid by 交强险; nothing beyond it.
    r = estimate_compensation(
        request(
            {
                "age": 30,
                "outcome": "injury",
                "costs": {"medical": 10000, "transport": 500, "property": 1500},
                "hospital_days": 10,
                "hospital_food_per_day": 100,
                "nutrition_days": 30,
                "nutrition_per_day": 20,
                "lost_work": {"days": 60, "daily_income": 300},
                "nursing": {"days": 10, "daily_cost": 150},
            }
        )
    )
    assert amounts(r) == {
        "medical": D(10000),
        "hospital_food": D(1000),
        "nutrition": D(600),
        "lost_work": D(18000),
        "nursing": D(1500),
        "transport": D(500),
        "property": D(1500),
    }
    assert r.total == D(33100)
    ci = r.compulsory_insurance
    assert (ci.medical, ci.death_disability, ci.property) == (D(11600), D(20000), D(1500))
    assert_parts(r, jqx="33100", commercial="0", liable="0", victim="0")
    assert r.statistics_used.figures == []  # an injury case needs no statistics and no region


INJURY_70 = {
    "age": 40,
    "outcome": "injury",
    "costs": {"medical": 50000},
    "hospital_days": 20,
    "hospital_food_per_day": 100,
    "lost_work": {"days": 90, "daily_income": 200},
}


def test_g02_medical_over_limit_split_70_30_commercial_pays_vehicle_share() -> None:
    # medical class 50,000 + 2,000 = 52,000 → 交强险 18,000; lost work 18,000 → 交强险 18,000.
    # total 70,000; beyond 70,000 − 36,000 = 34,000; vehicle 70 % = 23,800 (三者险); victim 10,200.
    r = estimate_compensation(
        request(INJURY_70, {"at_fault": True, "liability_share": 0.7, "commercial_third_party_limit": 1000000})
    )
    assert r.total == D(70000)
    assert (r.compulsory_insurance.medical, r.compulsory_insurance.death_disability) == (D(18000), D(18000))
    assert r.split.beyond_compulsory == D(34000)
    assert_parts(r, jqx="36000", commercial="23800", liable="0", victim="10200")


def test_g03_no_commercial_insurance_vehicle_side_pays_its_share() -> None:
    # As g02 without 三者险: the vehicle side pays 23,800 itself.
    r = estimate_compensation(request(INJURY_70, {"at_fault": True, "liability_share": 0.7}))
    assert_parts(r, jqx="36000", commercial="0", liable="23800", victim="10200")


def test_g04_commercial_limit_too_small() -> None:
    # As g02 with a 20,000 三者险 limit: 三者险 20,000, vehicle side 23,800 − 20,000 = 3,800.
    r = estimate_compensation(
        request(INJURY_70, {"at_fault": True, "liability_share": 0.7, "commercial_third_party_limit": 20000})
    )
    assert_parts(r, jqx="36000", commercial="20000", liable="3800", victim="10200")


def test_g05_uninsured_vehicle_pays_the_compulsory_part_itself() -> None:
    # As g03 but without 交强险: insurer pays 0; the vehicle side pays the 36,000 within the limits
    # (道交解释第十六条) plus 23,800 = 59,800; victim 10,200.  0 + 0 + 59,800 + 10,200 = 70,000.
    r = estimate_compensation(
        request(INJURY_70, {"compulsory_insurance": False, "at_fault": True, "liability_share": 0.7})
    )
    assert r.compulsory_insurance.insured is False
    assert_parts(r, jqx="0", commercial="0", liable="59800", victim="10200")
    within = r.compulsory_insurance.within_limits  # shown to the person: what the vehicle side pays itself
    assert within.medical + within.death_disability + within.property == Decimal("36000")
    assert "36,000" in render_estimate_text(r)
    assert any("第十六条" in n for n in r.notes)


def test_g06_vehicle_not_at_fault_uses_no_fault_limits_and_at_most_ten_percent() -> None:
    # 无责 limits: medical 1,800, death/disability 18,000, property 100.
    # medical 5,000 → 1,800; lost work 20 × 200 = 4,000 → 4,000; property 500 → 100.  交强险 5,900.
    # total 9,500; beyond 3,600; vehicle 10 % = 360 (三者险); victim 3,240.
    r = estimate_compensation(
        request(
            {
                "age": 25,
                "outcome": "injury",
                "costs": {"medical": 5000, "property": 500},
                "lost_work": {"days": 20, "daily_income": 200},
            },
            {"at_fault": False, "liability_share": 0.1, "commercial_third_party_limit": 500000},
        )
    )
    ci = r.compulsory_insurance
    assert (ci.medical, ci.death_disability, ci.property, ci.total) == (D(1800), D(4000), D(100), D(5900))
    assert (ci.limits.medical, ci.limits.death_disability, ci.limits.property) == (D(1800), D(18000), D(100))
    assert_parts(r, jqx="5900", commercial="360", liable="0", victim="3240")


def test_g07_grade_ten_disability_age_40() -> None:
    # 残疾赔偿金 = 50,000 × 20 × 10 % = 100,000; medical 20,000.  total 120,000.
    # 交强险 18,000 + 100,000 = 118,000; beyond 2,000 all 三者险.
    r = estimate_compensation(
        request(
            {"age": 40, "outcome": "disability", "disability_grade": 10, "costs": {"medical": 20000}},
            {"at_fault": True, "liability_share": 1, "commercial_third_party_limit": 1000000},
            statistics=STATS,
        )
    )
    assert amounts(r)["disability_compensation"] == D(100000)
    assert r.items[-1].formula.startswith("50,000 元/年 × 20 年 × 10%")
    assert_parts(r, jqx="118000", commercial="2000", liable="0", victim="0")


def test_g08_grade_one_age_65_split_half() -> None:
    # years = 20 − (65 − 60) = 15; 50,000 × 15 × 100 % = 750,000.  交强险 180,000; beyond 570,000;
    # vehicle 50 % = 285,000: 三者险 200,000 (limit), vehicle side 85,000; victim 285,000.
    r = estimate_compensation(
        request(
            {"age": 65, "outcome": "disability", "disability_grade": 1},
            {"at_fault": True, "liability_share": 0.5, "commercial_third_party_limit": 200000},
            statistics=STATS,
        )
    )
    assert amounts(r)["disability_compensation"] == D(750000)
    assert "20 − (65 − 60)" in r.items[0].formula
    assert_parts(r, jqx="180000", commercial="200000", liable="85000", victim="285000")


def test_g09_grade_five_age_80_gets_five_years() -> None:
    # ≥ 75 → 5 years; 50,000 × 5 × 60 % = 150,000.
    r = estimate_compensation(
        request({"age": 80, "outcome": "disability", "disability_grade": 5}, statistics=STATS)
    )
    assert amounts(r)["disability_compensation"] == D(150000)


def test_g10_ages_74_and_75_around_the_floor() -> None:
    # grade 3 = 80 %: age 74 → 20 − 14 = 6 years → 240,000; age 75 → 5 years → 200,000.
    at = {
        age: amounts(
            estimate_compensation(
                request({"age": age, "outcome": "disability", "disability_grade": 3}, statistics=STATS)
            )
        )["disability_compensation"]
        for age in (74, 75)
    }
    assert at == {74: D(240000), 75: D(200000)}


def test_g11_death_age_30_with_mental_damage() -> None:
    # 死亡赔偿金 59,306.6 × 20 = 1,186,132; 丧葬费 120,698 ÷ 12 × 6 = 60,349; 精神损害 50,000.
    # total 1,296,481; 交强险 180,000 (all death/disability class); beyond 1,116,481 at 100 %:
    # 三者险 1,000,000, vehicle side 116,481.
    r = estimate_compensation(
        request(
            {"age": 30, "outcome": "death", "mental_damage": 50000},
            {"at_fault": True, "liability_share": 1, "commercial_third_party_limit": 1000000},
            statistics={"disposable_income": 59306.6, "average_wage": 120698},
        )
    )
    assert amounts(r) == {"death_compensation": D(1186132), "funeral": D(60349), "mental_damage": D(50000)}
    assert r.total == D(1296481)
    assert_parts(r, jqx="180000", commercial="1000000", liable="116481", victim="0")


def test_g12_death_age_62_two_dependants_below_cap() -> None:
    # death years 20 − 2 = 18 → 50,000 × 18 = 900,000; funeral 100,000 ÷ 2 = 50,000.
    # child 10, one other supporter: 30,000 ÷ 2 = 15,000/yr × 8 years;
    # parent 85, incapacitated, two other supporters: 30,000 ÷ 3 = 10,000/yr × 5 years.
    # years 1–5: 25,000 ≤ 30,000; years 6–8: 15,000 → 125,000 + 45,000 = 170,000 (no cap).
    r = estimate_compensation(
        request(
            {
                "age": 62,
                "outcome": "death",
                "dependants": [
                    {"age": 10, "other_supporters": 1},
                    {"age": 85, "other_supporters": 2, "incapacitated": True},
                ],
            },
            statistics=STATS,
        )
    )
    a = amounts(r)
    assert (a["death_compensation"], a["funeral"], a["dependant_living"]) == (D(900000), D(50000), D(170000))
    assert "超过上限" not in r.items[-1].formula


def test_g13_death_three_children_capped_at_one_years_consumption() -> None:
    # children 5, 8, 16, no other supporter: 30,000/yr each for 13, 10 and 2 years.
    # every year's total ≥ 30,000 → capped at 30,000 for 13 years = 390,000 (uncapped would be 750,000).
    r = estimate_compensation(
        request(
            {"age": 35, "outcome": "death", "dependants": [{"age": 5}, {"age": 8}, {"age": 16}]},
            statistics=STATS,
        )
    )
    item = next(i for i in r.items if i.code == "dependant_living")
    assert item.amount == D(390000)
    assert "超过上限" in item.formula
    assert any("已按上限计算" in n for n in r.notes)


def test_g14_disability_dependants_multiplied_by_coefficient() -> None:
    # grade 8 (30 %), consumption 40,000: two children 10 and 14, no other supporter:
    # 40,000 × 30 % = 12,000/yr each for 8 and 4 years → 96,000 + 48,000 = 144,000 (yearly 24,000 ≤ 40,000).
    # grade 1 (100 %): 40,000/yr each → years 1–4 80,000 capped to 40,000; years 5–8 40,000 → 320,000.
    def dependants(grade: int) -> Decimal:
        r = estimate_compensation(
            request(
                {"age": 40, "outcome": "disability", "disability_grade": grade, "dependants": [{"age": 10}, {"age": 14}]},
                statistics={"disposable_income": 50000, "consumption": 40000},
            )
        )
        return amounts(r)["dependant_living"]

    assert dependants(8) == D(144000)
    assert dependants(1) == D(320000)


def test_g15_guangdong_statistics_from_data_file() -> None:
    # 广东 2023 (广东统计年鉴2024): income 59,306.6, consumption 39,333.3.
    # 残疾赔偿金 59,306.6 × 20 × 30 % = 355,839.60; child 10 with one other supporter:
    # 39,333.3 × 30 % ÷ 2 × 8 = 47,199.96.
    r = estimate_compensation(
        request(
            {"age": 45, "outcome": "disability", "disability_grade": 8, "dependants": [{"age": 10, "other_supporters": 1}]},
            region="广东省",
        )
    )
    a = amounts(r)
    assert (a["disability_compensation"], a["dependant_living"]) == (D("355839.60"), D("47199.96"))
    su = r.statistics_used
    assert (su.region, su.statistics_year) == ("广东", 2023)
    assert {f.code: f.value for f in su.figures} == {"disposable_income": D("59306.6"), "consumption": D("39333.3")}
    assert all("nianjianbao.com" in f.source for f in su.figures)


def test_g16_rounding_half_up_per_item() -> None:
    # 残疾赔偿金: 33,333.33 × 19 (age 61) × 40 % (grade 7) = 253,333.308 → 253,333.31.
    r = estimate_compensation(
        request(
            {"age": 61, "outcome": "disability", "disability_grade": 7},
            statistics={"disposable_income": 33333.33},
        )
    )
    assert amounts(r)["disability_compensation"] == D("253333.31")
    # 丧葬费: 99,999.99 ÷ 12 × 6 = 49,999.995 → 50,000.00 (half up, not to even);
    # child 17, two other supporters: 10,000 ÷ 3 × 1 = 3,333.333… → 3,333.33.
    r = estimate_compensation(
        request(
            {"age": 40, "outcome": "death", "dependants": [{"age": 17, "other_supporters": 2}]},
            statistics={"disposable_income": 10000, "consumption": 10000, "average_wage": 99999.99},
        )
    )
    a = amounts(r)
    assert (a["funeral"], a["dependant_living"]) == (D("50000.00"), D("3333.33"))


def test_g17_beijing_uses_one_year_for_income_and_consumption() -> None:
    # 北京 has 2024 income (92,464) but no sourced 2024 consumption, so with dependants both come from 2023:
    # income 88,650 × 20 × 10 % = 177,300; child 10, one other supporter: 50,897 × 10 % ÷ 2 × 8 = 20,358.80.
    r = estimate_compensation(
        request(
            {"age": 40, "outcome": "disability", "disability_grade": 10, "dependants": [{"age": 10, "other_supporters": 1}]},
            region="北京市",
        )
    )
    a = amounts(r)
    assert (a["disability_compensation"], a["dependant_living"]) == (D(177300), D("20358.80"))
    assert r.statistics_used.statistics_year == 2023
    assert any("2024年" in n and "统一采用2023年" in n for n in r.statistics_used.notes)
    # Without dependants only income is needed: the latest year, 2024: 92,464 × 20 × 10 % = 184,928.
    r = estimate_compensation(request({"age": 40, "outcome": "disability", "disability_grade": 10}, region="北京"))
    assert amounts(r)["disability_compensation"] == D(184928)
    assert r.statistics_used.statistics_year == 2024


def test_g18_shanghai_and_jiangsu_funeral_match_published_tables() -> None:
    # 上海: income 2024 93,095 × 20 = 1,861,900; wage 2023 全口径 12,307/月 → 丧葬费 73,842 (published figure).
    r = estimate_compensation(request({"age": 45, "outcome": "death"}, region="上海"))
    assert (amounts(r)["death_compensation"], amounts(r)["funeral"]) == (D(1861900), D(73842))
    assert any("2023年的职工平均工资" in n for n in r.statistics_used.notes)
    # 江苏: income 2024 66,173 × 20 = 1,323,460; wage 2023 在岗 127,620 → 63,810 (published figure).
    r = estimate_compensation(request({"age": 45, "outcome": "death"}, region="江苏省"))
    assert (amounts(r)["death_compensation"], amounts(r)["funeral"]) == (D(1323460), D(63810))


def test_g19_national_figures_and_funeral_wage_one_year_older() -> None:
    # 全国 2025: income 56,502; wage 2025 not published → 2024 124,110 → 丧葬费 62,055; age 70 → 10 years.
    r = estimate_compensation(request({"age": 70, "outcome": "death"}, region="全国"))
    assert (amounts(r)["death_compensation"], amounts(r)["funeral"]) == (D(565020), D(62055))
    assert r.statistics_used.statistics_year == 2025
    assert any("全国数据只能粗略参考" in n for n in r.statistics_used.notes)


def test_g20_partial_override_mixes_user_and_region_figures() -> None:
    # 湖南 2024: income 51,243 from data; wage given by the user 90,000 → 丧葬费 45,000.
    r = estimate_compensation(
        request({"age": 50, "outcome": "death"}, region="湖南省", statistics={"average_wage": 90000})
    )
    assert (amounts(r)["death_compensation"], amounts(r)["funeral"]) == (D(1024860), D(45000))
    sources = {f.code: f.source for f in r.statistics_used.figures}
    assert sources["average_wage"] == "用户填写"
    assert "湖南" not in sources["average_wage"]


def test_g21_chosen_statistics_year() -> None:
    # 江苏 with statistics_year 2023: income 63,211 × 20 × 20 % (grade 9) = 252,844.
    r = estimate_compensation(
        request({"age": 30, "outcome": "disability", "disability_grade": 9}, region="江苏", statistics_year=2023)
    )
    assert amounts(r)["disability_compensation"] == D(252844)


# ------------------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("age", "years"), [(0, 20), (45, 20), (59, 20), (60, 20), (61, 19), (65, 15), (70, 10), (74, 6), (75, 5), (99, 5)]
)
def test_years_by_age(age: int, years: int) -> None:
    assert compensation_years(age) == years


def test_disability_coefficients() -> None:
    assert [disability_coefficient(g) for g in range(1, 11)] == [D(f"{x / 10:.2f}") for x in range(10, 0, -1)]


def test_items_cite_articles_and_show_numbers() -> None:
    r = estimate_compensation(
        request({"age": 40, "outcome": "disability", "disability_grade": 6, "costs": {"medical": 100}}, statistics=STATS)
    )
    by_code = {i.code: i for i in r.items}
    assert "《人身损害赔偿解释》第十二条" in by_code["disability_compensation"].basis
    assert "50,000 元/年 × 20 年 × 50%" in by_code["disability_compensation"].formula
    assert "《民法典》第一千一百七十九条" in by_code["medical"].basis
    assert any("法院通行做法" in n for n in r.notes)  # the coefficient table is practice, and we say so


def test_render_text_lists_items_parties_and_sources() -> None:
    r = estimate_compensation(request(INJURY_70, {"liability_share": 0.7}))
    text = render_estimate_text(r)
    assert "医疗费" in text and "50,000" in text
    assert "交强险保险公司：36,000 元" in text
    assert "受害人自担：10,200 元" in text
    assert "不构成法律意见" in text


# -------------------------------------------------------------------------------------------- errors


BASE = {"age": 40, "outcome": "injury"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"victim": {**BASE, "disability_grade": 8}}, "victim.disability_grade", "只有伤亡结果为致残"),
        ({"victim": {**BASE, "outcome": "disability"}}, "victim.disability_grade", "必须填写伤残等级"),
        ({"victim": {**BASE, "outcome": "disability", "disability_grade": 11}}, "victim.disability_grade", "不能大于 10"),
        ({"victim": {**BASE, "dependants": [{"age": 5}]}}, "victim.dependants", "致残或死亡"),
        (
            {"victim": {"age": 40, "outcome": "death", "dependants": [{"age": 30}]}, "statistics": STATS},
            "victim.dependants[0].incapacitated",
            "丧失劳动能力",
        ),
        ({"victim": {**BASE, "costs": {"medical": -1}}}, "victim.costs.medical", "不能为负数"),
        ({"victim": {**BASE, "age": 131}}, "victim.age", "不能大于 130"),
        ({"victim": {**BASE, "age": -1}}, "victim.age", "不能为负数"),
        ({"victim": {**BASE, "outcome": "dead"}}, "victim.outcome", "death（死亡）"),
        ({"victim": {**BASE, "costs": {"assistive_devices": 800}}}, "victim.costs.assistive_devices", "造成残疾"),
        ({"victim": {**BASE, "nursing": {"days": 8000, "daily_cost": 100}}}, "victim.nursing.days", "二十年"),
        ({"victim": {**BASE, "foo": 1}}, "victim.foo", "不认识的字段"),
        ({"vehicle": {"liability_share": 1.5}}, "vehicle.liability_share", "0 到 1"),
        ({"vehicle": {"liability_share": -0.1}}, "vehicle.liability_share", "0 到 1"),
        ({"vehicle": {"at_fault": False, "liability_share": 0.5}}, "vehicle.liability_share", "不超过 10%"),
        ({"vehicle": {"at_fault": True, "liability_share": 0}}, "vehicle.liability_share", "大于 0"),
        ({"vehicle": {"liability_share": "七成"}}, "vehicle.liability_share", "必须是数字"),
        ({"vehicle": None}, "vehicle", "机动车信息"),
    ],
)
def test_nonsense_input_is_rejected_with_field(change: dict[str, Any], field: str, words: str) -> None:
    body: dict[str, Any] = {"victim": dict(BASE), "vehicle": {"liability_share": 1}}
    body.update(copy.deepcopy(change))
    if body["vehicle"] is None:
        del body["vehicle"]
    with pytest.raises(ValidationFailed) as caught:
        estimate_compensation(body)
    assert caught.value.field == field
    assert words in caught.value.message


def test_region_without_figures_asks_for_statistics_and_never_invents() -> None:
    with pytest.raises(ValidationFailed) as caught:
        estimate_compensation(request({"age": 40, "outcome": "disability", "disability_grade": 5}, region="浙江省"))
    assert caught.value.code == "statistics_missing"
    assert caught.value.field == "statistics.disposable_income"
    assert "浙江" in caught.value.message and "statistics.disposable_income" in caught.value.message
    # With the figure supplied the same request works.
    r = estimate_compensation(
        request(
            {"age": 40, "outcome": "disability", "disability_grade": 5},
            region="浙江省",
            statistics={"disposable_income": 70000},
        )
    )
    assert amounts(r)["disability_compensation"] == D(840000)  # 70,000 × 20 × 60 %


def test_conflicting_wage_is_not_used() -> None:
    with pytest.raises(ValidationFailed) as caught:
        estimate_compensation(request({"age": 40, "outcome": "death"}, region="贵州"))
    assert caught.value.field == "statistics.average_wage"
    assert "不一致" in caught.value.message


def test_unknown_region_and_missing_region() -> None:
    with pytest.raises(ValidationFailed) as caught:
        estimate_compensation(request(dict(BASE), region="火星"))
    assert (caught.value.code, caught.value.field) == ("unknown_region", "region")
    with pytest.raises(ValidationFailed) as caught:
        estimate_compensation(request({"age": 40, "outcome": "death"}))
    assert caught.value.field == "region"


def test_statistics_year_without_data() -> None:
    with pytest.raises(ValidationFailed) as caught:
        estimate_compensation(
            request({"age": 40, "outcome": "disability", "disability_grade": 5}, region="广东", statistics_year=2025)
        )
    assert "2025年" in caught.value.message and "2023" in caught.value.message


# ------------------------------------------------------------------------------------- properties

money = st.decimals(min_value=0, max_value=500000, places=2, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=400)
dependant = st.fixed_dictionaries(
    {"age": st.integers(min_value=0, max_value=17), "other_supporters": st.integers(min_value=0, max_value=3)}
) | st.fixed_dictionaries(
    {
        "age": st.integers(min_value=0, max_value=100),
        "other_supporters": st.integers(min_value=0, max_value=3),
        "incapacitated": st.just(True),
    }
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    outcome = draw(st.sampled_from(["injury", "disability", "death"]))
    victim: dict[str, Any] = {
        "age": draw(st.integers(min_value=0, max_value=110)),
        "outcome": outcome,
        "costs": {
            "medical": draw(money),
            "follow_up_treatment": draw(money),
            "transport": draw(money),
            "accommodation": draw(money),
            "property": draw(money),
        },
        "hospital_days": draw(days),
        "hospital_food_per_day": draw(money.filter(lambda x: x < 1000)),
        "nutrition_days": draw(days),
        "nutrition_per_day": draw(money.filter(lambda x: x < 1000)),
        "lost_work": {"days": draw(days), "daily_income": draw(money.filter(lambda x: x < 5000))},
        "nursing": {"days": draw(days), "daily_cost": draw(money.filter(lambda x: x < 5000))},
        "mental_damage": draw(money),
    }
    if outcome == "disability":
        victim["disability_grade"] = draw(st.integers(min_value=1, max_value=10))
        victim["costs"]["assistive_devices"] = draw(money)
    if outcome != "injury":
        victim["dependants"] = draw(st.lists(dependant, max_size=4))
    at_fault = draw(st.booleans())
    share = draw(st.decimals(min_value=0, max_value=1 if at_fault else D("0.1"), places=2))
    if at_fault and share == 0:
        share = D("0.01")
    vehicle = {
        "compulsory_insurance": draw(st.booleans()),
        "at_fault": at_fault,
        "liability_share": share,
        "commercial_third_party_limit": draw(st.sampled_from([0, 500000, 1000000, 2000000]) | money),
    }
    stats = {
        "disposable_income": draw(st.decimals(min_value=10000, max_value=100000, places=1)),
        "consumption": draw(st.decimals(min_value=10000, max_value=60000, places=1)),
        "average_wage": draw(st.decimals(min_value=50000, max_value=200000, places=0)),
    }
    return {"victim": victim, "vehicle": vehicle, "statistics": stats}


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(requests())
def test_property_totals_parts_and_limits(body: dict[str, Any]) -> None:
    r = estimate_compensation(body)
    cents = D("0.01")
    assert r.total == sum((i.amount for i in r.items), D(0))
    for value in [i.amount for i in r.items] + [r.total, r.commercial_insurance, r.liable_party, r.victim_bears]:
        assert value >= 0 and value == value.quantize(cents)
    ci = r.compulsory_insurance
    for category in ("medical", "death_disability", "property"):
        paid = getattr(ci, category)
        assert paid <= getattr(ci.limits, category)
        assert paid <= sum((i.amount for i in r.items if i.compulsory_category == category), D(0))
    assert ci.total == ci.medical + ci.death_disability + ci.property
    assert r.commercial_insurance <= D(str(body["vehicle"]["commercial_third_party_limit"]))
    assert r.commercial_insurance <= r.split.vehicle_share
    assert ci.total + r.commercial_insurance + r.liable_party + r.victim_bears == r.total
    assert r.split.vehicle_share + r.split.victim_share == r.split.beyond_compulsory


def _with(body: dict[str, Any], **victim: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    out["victim"].update(victim)
    return out


@PROPERTY
@given(requests(), st.integers(min_value=0, max_value=110), st.integers(min_value=0, max_value=110))
def test_property_older_victim_never_gets_more(body: dict[str, Any], a1: int, a2: int) -> None:
    assume(body["victim"]["outcome"] != "injury")
    young, old = sorted((a1, a2))
    code = "death_compensation" if body["victim"]["outcome"] == "death" else "disability_compensation"
    assert amounts(estimate_compensation(_with(body, age=young)))[code] >= amounts(
        estimate_compensation(_with(body, age=old))
    )[code]


@PROPERTY
@given(requests(), st.integers(min_value=1, max_value=10), st.integers(min_value=1, max_value=10))
def test_property_more_severe_grade_never_gets_less(body: dict[str, Any], g1: int, g2: int) -> None:
    assume(body["victim"]["outcome"] == "disability")
    severe, light = sorted((g1, g2))  # grade 1 is the most severe
    a_severe = amounts(estimate_compensation(_with(body, disability_grade=severe)))
    a_light = amounts(estimate_compensation(_with(body, disability_grade=light)))
    assert a_severe["disability_compensation"] >= a_light["disability_compensation"]
    assert a_severe.get("dependant_living", D(0)) >= a_light.get("dependant_living", D(0))


@PROPERTY
@given(requests(), st.decimals(min_value=0, max_value=1, places=2), st.decimals(min_value=0, max_value=1, places=2))
def test_property_higher_share_means_vehicle_side_pays_more(body: dict[str, Any], s1: Decimal, s2: Decimal) -> None:
    body["vehicle"]["at_fault"] = True
    low, high = sorted((max(s1, D("0.01")), max(s2, D("0.01"))))

    def vehicle_pays(share: Decimal) -> Decimal:
        b = copy.deepcopy(body)
        b["vehicle"]["liability_share"] = share
        r = estimate_compensation(b)
        return r.compulsory_insurance.total + r.commercial_insurance + r.liable_party

    assert vehicle_pays(low) <= vehicle_pays(high)
