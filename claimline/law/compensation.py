"""Compensation estimator for road-accident personal injury (人身损害赔偿估算).

Pure rules, no I/O at query time (data files are read once). Sources:

* 《民法典》第一千一百七十九条 (items), 第一千一百八十三条 (精神损害), 第一千二百一十三条 (order of payment);
* 《人身损害赔偿解释》(法释〔2022〕14号) 第六条至第十七条 (how each item is computed), 第二十二条 (statistics);
* 《机动车交通事故责任强制保险条款》第八条 (which item falls under which 交强险 limit; 2020 limits);
* 《道路交通安全法》第七十六条 (the loss beyond 交强险 is shared by fault).

Money is ``Decimal`` in yuan; every item is rounded half-up to 0.01 once, at its end. Everything
shown to people (names, formulas, notes, errors) is Simplified Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from claimline.errors import ValidationFailed
from claimline.law import datafiles as law_data
from claimline.law.schemas import (
    CompulsoryInsurance,
    CompulsoryLimits,
    EstimateItem,
    EstimateRequest,
    EstimateResult,
    Split,
    StatisticFigure,
    StatisticsOverride,
    StatisticsUsed,
    Victim,
    parse_estimate_request,
)

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

#: Item codes in the order they are listed in the result.
ITEM_CODES: tuple[str, ...] = (
    "medical",
    "follow_up_treatment",
    "hospital_food",
    "nutrition",
    "lost_work",
    "nursing",
    "transport",
    "accommodation",
    "assistive_devices",
    "disability_compensation",
    "death_compensation",
    "funeral",
    "dependant_living",
    "mental_damage",
    "property",
)

CATEGORIES: tuple[str, ...] = ("medical", "death_disability", "property")

FIGURE_NAMES: dict[str, str] = {
    "disposable_income": "城镇居民人均可支配收入",
    "consumption": "城镇居民人均消费支出",
    "average_wage": "职工年平均工资",
}

GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级", 6: "六级", 7: "七级", 8: "八级", 9: "九级", 10: "十级"}

DISCLAIMER = "本估算仅供参考，不构成法律意见；实际金额以保险公司核定、调解协议或法院判决为准。"


# ------------------------------------------------------------------------------------------ helpers


def round_money(value: Decimal) -> Decimal:
    """Round half-up to 0.01 yuan (done once, at the end of each item)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_num(value: Decimal | int) -> str:
    """``59306.6`` → ``59,306.6``; ``49000`` → ``49,000``; ``12.50`` → ``12.5``."""
    d = Decimal(value)
    if d == d.to_integral_value():
        return f"{d.quantize(ONE):,}"
    return f"{d.normalize():,f}"


def fmt_money(value: Decimal) -> str:
    """Money with two decimals unless whole: ``12345.6`` → ``12,345.60``; ``12000`` → ``12,000``."""
    if value == value.to_integral_value():
        return f"{value.quantize(ONE):,}"
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def fmt_pct(value: Decimal) -> str:
    """``0.3`` → ``30%``; ``0.333`` → ``33.3%``."""
    return f"{fmt_num(value * 100)}%"


# --------------------------------------------------------------------------------------- rule data


@dataclass(frozen=True)
class _Rules:
    base_years: int
    reduce_from_age: int
    floor_from_age: int
    floor_years: int
    minor_until_age: int
    funeral_months: int
    nursing_max_days: int
    coefficients: dict[int, Decimal]
    items: dict[str, dict[str, str]]


@cache
def rules() -> _Rules:
    raw = law_data.load_yaml("personal_injury.yaml")
    y = raw["years_by_age"]
    return _Rules(
        base_years=int(y["base_years"]),
        reduce_from_age=int(y["reduce_from_age"]),
        floor_from_age=int(y["floor_from_age"]),
        floor_years=int(y["floor_years"]),
        minor_until_age=int(y["minor_until_age"]),
        funeral_months=int(raw["funeral_months"]),
        nursing_max_days=int(raw["nursing_max_days"]),
        coefficients={int(k): Decimal(str(v)) for k, v in raw["disability_index"]["grades"].items()},
        items={code: dict(v) for code, v in raw["items"].items()},
    )


@dataclass(frozen=True)
class _LimitSet:
    label: str
    at_fault: dict[str, Decimal]
    not_at_fault: dict[str, Decimal]
    status: str


@cache
def compulsory_limits() -> _LimitSet:
    """The 交强险 limits in force (the set without an end date)."""
    raw = law_data.load_yaml("compulsory_insurance.yaml")
    current = [row for row in raw["limits"] if row.get("effective_until") is None]
    if len(current) != 1:  # pragma: no cover - data error
        raise RuntimeError("compulsory_insurance.yaml must have exactly one limit set without effective_until")
    row = current[0]
    return _LimitSet(
        label=str(row["label"]),
        at_fault={k: Decimal(str(row["at_fault"][k])) for k in CATEGORIES},
        not_at_fault={k: Decimal(str(row["not_at_fault"][k])) for k in CATEGORIES},
        status=str(row.get("status", "")),
    )


# ------------------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class _Figure:
    code: str
    region: str
    statistics_year: int | None
    value: Decimal
    status: str
    effective: str | None
    source: str
    series: str | None
    note: str | None


@dataclass(frozen=True)
class _Statistics:
    aliases: dict[str, str]  # any accepted spelling -> canonical name
    outside_scope: frozenset[str]
    special_cities: frozenset[str]
    figures: dict[tuple[str, str], tuple[_Figure, ...]]  # (code, region) -> figures, newest first


@cache
def statistics_data() -> _Statistics:
    raw = law_data.load_yaml("statistics.yaml")
    aliases: dict[str, str] = {}
    for canonical, others in raw["regions"].items():
        aliases[canonical] = canonical
        for other in others or []:
            aliases[other] = canonical
    figures: dict[tuple[str, str], list[_Figure]] = {}
    for code, rows in raw["figures"].items():
        for row in rows:
            fig = _Figure(
                code=code,
                region=row["region"],
                statistics_year=row.get("statistics_year"),
                value=Decimal(str(row["value"])),
                status=str(row["status"]),
                effective=None if row.get("effective") is None else str(row["effective"]),
                source=str(row["source"]),
                series=row.get("series"),
                note=row.get("note"),
            )
            if fig.region not in raw["regions"]:  # pragma: no cover - data error
                raise RuntimeError(f"statistics.yaml: unknown region {fig.region!r}")
            figures.setdefault((code, fig.region), []).append(fig)
    ordered = {
        key: tuple(sorted(rows, key=lambda f: -1 if f.statistics_year is None else f.statistics_year, reverse=True))
        for key, rows in figures.items()
    }
    return _Statistics(
        aliases=aliases,
        outside_scope=frozenset(raw.get("outside_scope", [])),
        special_cities=frozenset(raw.get("special_cities", [])),
        figures=ordered,
    )


def normalize_region(name: str) -> str:
    """Canonical region name (``"广东省"`` → ``"广东"``); ``ValidationFailed`` when unknown."""
    data = statistics_data()
    key = name.strip().replace(" ", "")
    if key in data.aliases:
        return data.aliases[key]
    raise ValidationFailed(
        f"不认识的地区“{name}”。请填写省、自治区或直辖市的名称，例如“广东省”“上海市”。",
        code="unknown_region",
        field="region",
    )


def known_regions() -> list[str]:
    """Canonical names of regions the estimator knows (for the province picker)."""
    data = statistics_data()
    return [r for r in dict.fromkeys(data.aliases.values()) if r not in data.outside_scope]


def regions_with_data() -> dict[str, dict[str, list[int | None]]]:
    """For each region, which statistical years each figure is available for (for the page)."""
    out: dict[str, dict[str, list[int | None]]] = {}
    for (code, region), figs in statistics_data().figures.items():
        usable = [f.statistics_year for f in figs if f.status != "conflict"]
        if usable:
            out.setdefault(region, {})[code] = usable
    return out


def _missing(region: str, code: str, reason: str = "") -> ValidationFailed:
    name = FIGURE_NAMES[code]
    return ValidationFailed(
        f"暂无{region}{name}的可靠统计数据{reason}。请在 statistics.{code} 中填写受诉法院采用的{name}"
        f"（元/年），或换一个有数据的地区后再计算。",
        code="statistics_missing",
        field=f"statistics.{code}",
    )


def _figure_out(fig: _Figure) -> StatisticFigure:
    return StatisticFigure(
        code=fig.code,  # type: ignore[arg-type]
        name=FIGURE_NAMES[fig.code],
        value=fig.value,
        region=fig.region,
        statistics_year=fig.statistics_year,
        series=fig.series,
        source=fig.source,
        status=fig.status,
        effective=fig.effective,
        note=fig.note,
    )


def resolve_statistics(
    region: str | None,
    override: StatisticsOverride | None,
    statistics_year: int | None,
    needed: Iterable[str],
) -> tuple[dict[str, Decimal], StatisticsUsed]:
    """Pick the figures the estimate needs: user overrides first, then the region's data.

    Income and consumption come from one statistical year (the latest year in which the region has
    every one of them that is needed, or ``statistics_year``); the wage comes from the latest year not
    after it (wages are published months later, so courts' tables often use an older wage).
    """
    data = statistics_data()
    needed = [c for c in FIGURE_NAMES if c in set(needed)]
    canonical = normalize_region(region) if region else None
    values: dict[str, Decimal] = {}
    figures: list[StatisticFigure] = []
    notes: list[str] = []

    given = {}
    if override is not None:
        for code in FIGURE_NAMES:
            v = getattr(override, code)
            if v is not None and v > 0:
                given[code] = v
    for code in needed:
        if code in given:
            values[code] = given[code]
            figures.append(
                StatisticFigure(
                    code=code,  # type: ignore[arg-type]
                    name=FIGURE_NAMES[code],
                    value=given[code],
                    region=canonical,
                    statistics_year=statistics_year,
                    source="用户填写",
                    status="user",
                )
            )
    from_region = [c for c in needed if c not in values]
    base_year: int | None = statistics_year

    if from_region:
        if canonical is None:
            code = from_region[0]
            raise ValidationFailed(
                f"请填写事故赔偿的地区（region，一般为受诉法院所在省份），或在 statistics.{code} 中"
                f"填写{FIGURE_NAMES[code]}（元/年）。",
                code="statistics_missing",
                field="region",
            )
        if canonical in data.outside_scope:
            raise ValidationFailed(
                f"{canonical}不适用内地的赔偿统计标准，请在 statistics 中填写受诉法院采用的数据。",
                code="statistics_missing",
                field=f"statistics.{from_region[0]}",
            )

        def usable(code: str) -> tuple[_Figure, ...]:
            return tuple(f for f in data.figures.get((code, canonical), ()) if f.status != "conflict")

        yearly = [c for c in from_region if c in ("disposable_income", "consumption")]
        if yearly:
            by_code = {c: {f.statistics_year: f for f in usable(c) if f.statistics_year is not None} for c in yearly}
            for c in yearly:
                if not by_code[c]:
                    raise _missing(canonical, c)
            common = set.intersection(*(set(v) for v in by_code.values()))
            if statistics_year is not None:
                for c in yearly:
                    if statistics_year not in by_code[c]:
                        years = "、".join(str(y) for y in sorted(by_code[c]))
                        raise _missing(canonical, c, f"（{statistics_year}年；已有年度：{years}）")
                base_year = statistics_year
            elif not common:
                # e.g. income only for 2024 and consumption only for 2023: no single year has both.
                c = yearly[-1]
                years = "、".join(str(y) for y in sorted(by_code[c]))
                raise _missing(canonical, c, f"（与其他数据同一年度的数据缺失；已有年度：{years}）")
            else:
                base_year = max(common)
                newer = sorted({y for c in yearly for y in by_code[c] if y > base_year})
                if newer:
                    lacking = [FIGURE_NAMES[c] for c in yearly if newer[-1] not in by_code[c]]
                    notes.append(
                        f"{canonical}{newer[-1]}年的{'、'.join(lacking)}暂无可靠数据，为保持同一统计年度，"
                        f"本次统一采用{base_year}年数据。"
                    )
            for c in yearly:
                fig = by_code[c][base_year]
                values[c] = fig.value
                figures.append(_figure_out(fig))

        if "average_wage" in from_region:
            all_wages = data.figures.get(("average_wage", canonical), ())
            wages = usable("average_wage")
            if base_year is not None:
                wages = tuple(f for f in wages if f.statistics_year is None or f.statistics_year <= base_year)
            if not wages:
                conflict = [f for f in all_wages if f.status == "conflict"]
                reason = f"（来源之间不一致：{conflict[0].note or ''}）" if conflict else ""
                raise _missing(canonical, "average_wage", reason)
            fig = wages[0]
            values["average_wage"] = fig.value
            figures.append(_figure_out(fig))
            if fig.statistics_year is None:
                notes.append(f"{canonical}职工平均工资的来源未写明统计年度，请核对。")
            elif base_year is not None and fig.statistics_year < base_year:
                notes.append(
                    f"丧葬费采用{fig.statistics_year}年的职工平均工资（工资数据一般比收入数据晚半年公布，"
                    f"法院公布的标准中常用上一年的工资）。"
                )

        if canonical == "全国":
            notes.append("法院按受诉法院所在省份（或经济特区、计划单列市）的数据计算，全国数据只能粗略参考。")
        if any(f.status in {"single_source", "secondary"} for f in figures):
            notes.append("部分统计数据只有一个或非官方来源，请以当地法院公布的赔偿标准为准。")

    if needed:
        notes.append(
            "法院采用一审法庭辩论终结时上一统计年度的数据（《人身损害赔偿解释》第二十二条）；"
            "案件审理时如已公布新一年度数据，金额会相应变化。"
        )
    used = StatisticsUsed(
        region=canonical,
        statistics_year=base_year,
        figures=figures,
        notes=notes,
    )
    return values, used


# ---------------------------------------------------------------------------------------- the rules


def compensation_years(age: int) -> int:
    """Years of 残疾赔偿金 / 死亡赔偿金 / adult dependant's living costs by age (第十二、十五、十七条).

    Under 60: 20 years; from 60 one year less per year of age; 75 and over: 5 years.
    """
    r = rules()
    if age >= r.floor_from_age:
        return r.floor_years
    if age >= r.reduce_from_age:
        return r.base_years - (age - r.reduce_from_age)
    return r.base_years


def _years_explained(age: int) -> str:
    r = rules()
    years = compensation_years(age)
    if age >= r.floor_from_age:
        return f"{years} 年（{age}周岁，七十五周岁以上按五年）"
    if age >= r.reduce_from_age:
        return f"{years} 年（{age}周岁：20 − ({age} − 60)）"
    return f"{years} 年"


def disability_coefficient(grade: int) -> Decimal:
    """伤残赔偿指数: grade 1 = 100 % … grade 10 = 10 % (court practice)."""
    try:
        return rules().coefficients[grade]
    except KeyError:
        raise ValidationFailed(
            "伤残等级只能是 1 到 10 级。", code="invalid_input", field="victim.disability_grade"
        ) from None


def dependant_years(age: int, incapacitated: bool) -> int:
    """Years of 被扶养人生活费 for one dependant (第十七条)."""
    r = rules()
    if incapacitated:
        # 无劳动能力又无其他生活来源: 20 years with the age rule. For an incapacitated minor this is
        # at least as long as "to 18", which courts apply in that case (practice).
        return compensation_years(age)
    return max(r.minor_until_age - age, 0)


def _validate(req: EstimateRequest) -> None:
    v, vehicle = req.victim, req.vehicle
    r = rules()
    if v.outcome != "disability" and v.disability_grade is not None:
        raise ValidationFailed(
            "只有伤亡结果为致残（disability）时才填写伤残等级；受伤未致残或死亡时请删除伤残等级。",
            code="inconsistent_input",
            field="victim.disability_grade",
        )
    if v.outcome == "disability" and v.disability_grade is None:
        raise ValidationFailed(
            "致残时必须填写伤残等级（1–10级，一级最重），以伤残鉴定意见为准。",
            code="inconsistent_input",
            field="victim.disability_grade",
        )
    if v.dependants and v.outcome == "injury":
        raise ValidationFailed(
            "被扶养人生活费只在受害人致残或死亡时计算（计入残疾赔偿金或死亡赔偿金，"
            "《人身损害赔偿解释》第十六条）；受伤未致残时请不要填写被扶养人。",
            code="inconsistent_input",
            field="victim.dependants",
        )
    for i, dep in enumerate(v.dependants):
        if dep.age >= r.minor_until_age and not dep.incapacitated:
            raise ValidationFailed(
                f"第{i + 1}位被扶养人已成年：成年人只有丧失劳动能力又无其他生活来源时才算被扶养人"
                "（《人身损害赔偿解释》第十七条）。如属这种情况，请勾选“丧失劳动能力”。",
                code="inconsistent_input",
                field=f"victim.dependants[{i}].incapacitated",
            )
    if v.costs.assistive_devices > 0 and v.outcome != "disability":
        raise ValidationFailed(
            "残疾辅助器具费只在造成残疾时赔偿（《民法典》第一千一百七十九条）；治疗期间临时使用的器具请计入医疗费。",
            code="inconsistent_input",
            field="victim.costs.assistive_devices",
        )
    if v.nursing.days > r.nursing_max_days:
        raise ValidationFailed(
            "护理期限最长不超过二十年（《人身损害赔偿解释》第八条）。",
            code="inconsistent_input",
            field="victim.nursing.days",
        )
    share = vehicle.liability_share
    if share < 0 or share > 1:
        raise ValidationFailed(
            "机动车一方责任比例必须在 0 到 1 之间，例如 0.7 表示承担 70%。",
            code="invalid_input",
            field="vehicle.liability_share",
        )
    if not vehicle.at_fault and share > Decimal("0.1"):
        raise ValidationFailed(
            "机动车一方无责时，对行人、非机动车一方最多承担不超过 10% 的赔偿责任，机动车之间无责则不承担"
            "（《道路交通安全法》第七十六条）。请检查“是否有责”或责任比例。",
            code="inconsistent_input",
            field="vehicle.liability_share",
        )
    if vehicle.at_fault and share == 0:
        raise ValidationFailed(
            "机动车一方有责时，责任比例应大于 0（例如次要责任常见为 30%–40%）。",
            code="inconsistent_input",
            field="vehicle.liability_share",
        )


def _needed_figures(v: Victim) -> list[str]:
    needed = []
    if v.outcome in ("disability", "death"):
        needed.append("disposable_income")
    if v.dependants:
        needed.append("consumption")
    if v.outcome == "death":
        needed.append("average_wage")
    return needed


def _dependant_living(v: Victim, consumption: Decimal) -> tuple[Decimal, str, bool]:
    """Amount (unrounded), formula text and whether the several-dependants cap applied."""
    grade = v.disability_grade
    coefficient = disability_coefficient(grade) if v.outcome == "disability" and grade is not None else ONE
    rows: list[tuple[int, Decimal]] = []  # (years, yearly amount)
    lines: list[str] = []
    for i, dep in enumerate(v.dependants, start=1):
        years = dependant_years(dep.age, dep.incapacitated)
        supporters = dep.other_supporters + 1
        yearly = consumption * coefficient / supporters
        rows.append((years, yearly))
        kind = "丧失劳动能力" if dep.incapacitated else f"未成年，算至{rules().minor_until_age}周岁"
        parts = [f"{fmt_num(consumption)} 元/年"]
        if v.outcome == "disability":
            parts.append(fmt_pct(coefficient))
        text = " × ".join(parts)
        if supporters > 1:
            text += f" ÷ {supporters} 名扶养人"
        years_text = _years_explained(dep.age) if dep.incapacitated else f"{years} 年"
        text += f" × {years_text}"
        lines.append(f"被扶养人{i}（{dep.age}岁，{kind}）：{text} = {fmt_money(round_money(yearly * years))}")

    # Year by year: several dependants' yearly total is capped at one year's consumption (第十七条第二款).
    total = ZERO
    capped_segments: list[str] = []
    previous = 0
    for threshold in sorted({years for years, _ in rows}):
        if threshold <= previous:
            continue
        span = threshold - previous
        yearly_sum = sum((amount for years, amount in rows if years >= threshold), ZERO)
        if yearly_sum > consumption:
            capped_segments.append(
                f"第{previous + 1}–{threshold}年每年 {fmt_money(round_money(yearly_sum))} 超过上限，按 "
                f"{fmt_num(consumption)} 计"
            )
            yearly_sum = consumption
        total += yearly_sum * span
        previous = threshold
    formula = "；".join(lines)
    if capped_segments:
        formula += (
            f"；被扶养人有数人，年赔偿总额不超过一年城镇居民人均消费支出 {fmt_num(consumption)} 元："
            + "，".join(capped_segments)
        )
    formula += f"；合计 {fmt_money(round_money(total))}"
    return total, formula, bool(capped_segments)


def estimate_compensation(request: EstimateRequest | Mapping[str, Any]) -> EstimateResult:
    """Itemised compensation, who pays what, and the statistics used.

    Raises ``ValidationFailed`` (Chinese message, JSON field path) for nonsense input or a region
    without the statistics the case needs.
    """
    req = parse_estimate_request(request)
    _validate(req)
    v, vehicle = req.victim, req.vehicle
    r = rules()
    stats, stats_used = resolve_statistics(req.region, req.statistics, req.statistics_year, _needed_figures(v))
    notes: list[str] = []
    items: list[EstimateItem] = []

    def add(code: str, amount: Decimal, formula: str, *, always: bool = False) -> None:
        amount = round_money(amount)
        if amount == 0 and not always:
            return
        meta = r.items[code]
        items.append(
            EstimateItem(
                code=code,
                name=meta["name"],
                amount=amount,
                formula=formula,
                basis=meta["basis"],
                compulsory_category=meta["category"],  # type: ignore[arg-type]
            )
        )

    c = v.costs
    add("medical", c.medical, f"按票据实际发生 {fmt_money(c.medical)}")
    add("follow_up_treatment", c.follow_up_treatment, f"按医疗证明或鉴定意见确定 {fmt_money(c.follow_up_treatment)}")
    add(
        "hospital_food",
        v.hospital_days * v.hospital_food_per_day,
        f"{fmt_num(v.hospital_days)} 天 × {fmt_num(v.hospital_food_per_day)} 元/天",
    )
    add(
        "nutrition",
        v.nutrition_days * v.nutrition_per_day,
        f"{fmt_num(v.nutrition_days)} 天 × {fmt_num(v.nutrition_per_day)} 元/天",
    )
    add(
        "lost_work",
        v.lost_work.days * v.lost_work.daily_income,
        f"{fmt_num(v.lost_work.days)} 天 × {fmt_num(v.lost_work.daily_income)} 元/天",
    )
    add(
        "nursing",
        v.nursing.days * v.nursing.daily_cost,
        f"{fmt_num(v.nursing.days)} 天 × {fmt_num(v.nursing.daily_cost)} 元/天",
    )
    add("transport", c.transport, f"按票据实际发生 {fmt_money(c.transport)}")
    add("accommodation", c.accommodation, f"按票据实际发生 {fmt_money(c.accommodation)}")
    add("assistive_devices", c.assistive_devices, f"按普通适用器具的合理费用 {fmt_money(c.assistive_devices)}")

    if v.outcome == "disability":
        assert v.disability_grade is not None
        income = stats["disposable_income"]
        coefficient = disability_coefficient(v.disability_grade)
        years = compensation_years(v.age)
        add(
            "disability_compensation",
            income * years * coefficient,
            f"{fmt_num(income)} 元/年 × {_years_explained(v.age)} × {fmt_pct(coefficient)}"
            f"（{GRADE_NAMES[v.disability_grade]}伤残）",
            always=True,
        )
        notes.append(
            "伤残赔偿指数（一级100%，每降一级减10%，十级10%）是法院通行做法，法律条文只写“根据丧失劳动能力程度"
            "或者伤残等级”；多处伤残时的附加指数各地掌握不同。收入没有减少或职业受严重影响时，法院可以调整"
            "残疾赔偿金（《人身损害赔偿解释》第十二条第二款）。年龄按定残之日的周岁计算。"
        )
    if v.outcome == "death":
        income = stats["disposable_income"]
        add(
            "death_compensation",
            income * compensation_years(v.age),
            f"{fmt_num(income)} 元/年 × {_years_explained(v.age)}",
            always=True,
        )
        wage = stats["average_wage"]
        add(
            "funeral",
            wage / 12 * r.funeral_months,
            f"{fmt_num(wage)} 元/年 ÷ 12 × {r.funeral_months} 个月",
            always=True,
        )
        wage_fig = next((f for f in stats_used.figures if f.code == "average_wage"), None)
        series = f"本次采用：{wage_fig.series}。" if wage_fig and wage_fig.series else ""
        notes.append(
            "丧葬费按职工月平均工资的六个月计算；各省法院采用的工资口径（在岗职工、非私营单位就业人员或"
            f"全口径城镇单位就业人员）不同，{series}以受诉法院采用的标准为准。"
        )
    if v.dependants:
        amount, formula, capped = _dependant_living(v, stats["consumption"])
        add("dependant_living", amount, formula, always=True)
        into = "残疾赔偿金" if v.outcome == "disability" else "死亡赔偿金"
        notes.append(f"被扶养人生活费依法计入{into}（《人身损害赔偿解释》第十六条），这里单列便于核对。")
        if v.outcome == "disability" and len(v.dependants) > 1:
            notes.append(
                "多个被扶养人的年赔偿总额上限是否也要乘伤残赔偿指数，条文没有写明，各地做法不同；"
                "本计算按条文以一年城镇居民人均消费支出为上限。"
            )
        if any(d.incapacitated and d.age < r.minor_until_age for d in v.dependants):
            notes.append("丧失劳动能力的未成年被扶养人按二十年计算（而不是算至十八周岁），这是多数法院的做法，并非条文明文规定。")
        if capped:
            notes.append("被扶养人有数人，部分年度的合计超过了一年城镇居民人均消费支出，已按上限计算。")
    if v.mental_damage > 0:
        add("mental_damage", v.mental_damage, f"按主张数额 {fmt_money(v.mental_damage)}（法院酌定）")
        notes.append(
            "精神损害抚慰金没有全国统一标准，由法院根据过错程度、侵权后果、当地平均生活水平等因素酌定"
            "（《精神损害赔偿解释》第五条）；一般只在致残、死亡等严重精神损害时支持。可以请求交强险优先赔付"
            "精神损害（《道路交通事故损害赔偿解释》第十三条第二款）。"
        )
    add("property", c.property, f"按维修票据或评估 {fmt_money(c.property)}")

    total = sum((i.amount for i in items), ZERO)

    # 交强险 first, per category up to its 有责/无责 limit (《民法典》第一千二百一十三条).
    limit_set = compulsory_limits()
    limits = limit_set.at_fault if vehicle.at_fault else limit_set.not_at_fault
    by_category = {cat: sum((i.amount for i in items if i.compulsory_category == cat), ZERO) for cat in CATEGORIES}
    within = {cat: min(by_category[cat], limits[cat]) for cat in CATEGORIES}
    within_total = sum(within.values(), ZERO)
    insured = vehicle.compulsory_insurance
    paid = within if insured else dict.fromkeys(CATEGORIES, ZERO)

    # The rest is shared by fault (《道路交通安全法》第七十六条).
    beyond = total - within_total
    vehicle_share = round_money(beyond * vehicle.liability_share)
    victim_share = beyond - vehicle_share
    commercial = min(vehicle_share, vehicle.commercial_third_party_limit)
    liable = vehicle_share - commercial + (ZERO if insured else within_total)

    fault = "有责" if vehicle.at_fault else "无责"
    limit_text = "、".join(
        f"{n} {fmt_num(limits[k])}" for k, n in (("death_disability", "死亡伤残"), ("medical", "医疗费用"), ("property", "财产损失"))
    )
    notes.append(
        f"交强险按{limit_set.label}（{fault}：{limit_text} 元）分项赔付；同一事故有多名受害人时，"
        "交强险按各受害人的损失比例分配（《道路交通事故损害赔偿解释》第十九条）。"
    )
    if not insured:
        notes.append(
            "肇事车辆未投保交强险：应投保的一方须在交强险限额内自行赔偿（《道路交通事故损害赔偿解释》第十六条），"
            "这部分已计入“机动车一方自行承担”。抢救、丧葬费用可申请道路交通事故社会救助基金垫付"
            "（《民法典》第一千二百一十六条）。"
        )
    if vehicle.commercial_third_party_limit > 0:
        notes.append("商业三者险按保险合同约定和事故责任比例赔付，是否赔付精神损害抚慰金、有无免赔等以合同为准。")
    if not vehicle.at_fault:
        notes.append(
            "机动车一方无责：对行人、非机动车驾驶人承担不超过10%的赔偿责任；机动车之间无责一方不承担"
            "（《道路交通安全法》第七十六条）。"
        )
    notes.append(
        "超出交强险的部分按责任比例分担；责任比例由交警认定书、调解或法院确定，主要、同等、次要责任对应的比例"
        "各地法院掌握不同。"
    )
    notes.append(DISCLAIMER)

    return EstimateResult(
        items=items,
        total=total,
        compulsory_insurance=CompulsoryInsurance(
            medical=paid["medical"],
            death_disability=paid["death_disability"],
            property=paid["property"],
            total=sum(paid.values(), ZERO),
            insured=insured,
            within_limits=CompulsoryLimits(**within),
            limits=CompulsoryLimits(**limits),
            limits_label=f"{limit_set.label}（{fault}）",
            basis="《民法典》第一千二百一十三条；《机动车交通事故责任强制保险条例》第二十三条；"
            "《机动车交通事故责任强制保险条款》第八条",
        ),
        commercial_insurance=commercial,
        liable_party=liable,
        victim_bears=victim_share,
        split=Split(
            beyond_compulsory=beyond,
            liability_share=vehicle.liability_share,
            vehicle_share=vehicle_share,
            victim_share=victim_share,
        ),
        statistics_used=stats_used,
        notes=notes,
    )


# -------------------------------------------------------------------------------------------- text


def render_estimate_text(result: EstimateResult) -> str:
    """Plain Chinese text of an estimate (CLI output without ``--json``)."""
    lines = ["赔偿估算", "=" * 8]
    width = max((len(i.name) for i in result.items), default=4)
    for item in result.items:
        lines.append(f"{item.name.ljust(width, '　')}  {fmt_money(item.amount):>14} 元")
        lines.append(f"    计算：{item.formula}")
        lines.append(f"    依据：{item.basis}")
    lines.append(f"{'合计'.ljust(width, '　')}  {fmt_money(result.total):>14} 元")
    lines.append("")
    ci = result.compulsory_insurance
    who = "交强险保险公司" if ci.insured else "交强险限额内（未投保，由机动车一方自行承担）"
    within = ci.medical + ci.death_disability + ci.property
    lines.append("谁来赔")
    lines.append("-" * 6)
    if ci.insured:
        lines.append(
            f"{who}：{fmt_money(within)} 元（医疗费用 {fmt_money(ci.medical)}，死亡伤残 "
            f"{fmt_money(ci.death_disability)}，财产损失 {fmt_money(ci.property)}）"
        )
    else:
        w = ci.within_limits
        lines.append(
            f"{who}：{fmt_money(w.medical + w.death_disability + w.property)} 元（医疗费用 {fmt_money(w.medical)}，"
            f"死亡伤残 {fmt_money(w.death_disability)}，财产损失 {fmt_money(w.property)}）"
        )
    lines.append(f"    限额：{ci.limits_label}")
    sp = result.split
    lines.append(
        f"超出交强险的损失 {fmt_money(sp.beyond_compulsory)} 元，机动车一方按 {fmt_pct(sp.liability_share)} 承担 "
        f"{fmt_money(sp.vehicle_share)} 元"
    )
    lines.append(f"商业三者险：{fmt_money(result.commercial_insurance)} 元")
    lines.append(f"机动车一方自行承担：{fmt_money(result.liable_party)} 元")
    lines.append(f"受害人自担：{fmt_money(result.victim_bears)} 元")
    su = result.statistics_used
    if su.figures:
        lines.append("")
        lines.append("所用统计数据")
        lines.append("-" * 6)
        for f in su.figures:
            year = f"{f.statistics_year}年" if f.statistics_year else "年度未注明"
            where = f.region or ""
            lines.append(f"{f.name}：{fmt_num(f.value)} 元（{where}{year}；来源：{f.source}）")
    notes = list(su.notes) + list(result.notes)
    if notes:
        lines.append("")
        lines.append("说明")
        lines.append("-" * 4)
        lines.extend(f"· {n}" for n in notes)
    return "\n".join(lines) + "\n"
