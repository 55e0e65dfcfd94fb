"""Input and output shapes of the compensation estimator (issue 5).

The request mirrors the JSON of ``claimline estimate FILE.json`` and ``POST /api/v1/estimate``:
amounts in yuan, statistics annual. Money is ``Decimal`` internally and a JSON number (rounded
half-up to 0.01 per item) on the way out.

``parse_estimate_request`` turns raw JSON into an ``EstimateRequest`` and reports the first
problem as a ``ValidationFailed`` with a Chinese message and the JSON path of the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError

from claimline.errors import ValidationFailed

#: Largest amount accepted for any money field (one billion yuan): anything above is a typo.
MAX_AMOUNT = Decimal("1000000000")
#: Largest number of days accepted for day counts (100 years).
MAX_DAYS = Decimal("36525")


def _json_number(value: Decimal) -> float | int:
    """Serialise a Decimal as a JSON number (ints stay ints)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


#: Decimal on the inside, JSON number on the outside.
JsonDecimal = Annotated[Decimal, PlainSerializer(_json_number, return_type=float, when_used="json")]

Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Days = Annotated[Decimal, Field(ge=0, le=MAX_DAYS, allow_inf_nan=False)]
Age = Annotated[int, Field(ge=0, le=130)]

Outcome = Literal["injury", "disability", "death"]
CompulsoryCategory = Literal["medical", "death_disability", "property"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StatisticsOverride(_Input):
    """Annual figures the user supplies instead of (or in addition to) the region's data.

    A missing, ``null`` or ``0`` field means "not given": the region's figure is used.
    """

    disposable_income: Money | None = None  # 城镇居民人均可支配收入
    consumption: Money | None = None  # 城镇居民人均消费支出
    average_wage: Money | None = None  # 职工年平均工资


class Costs(_Input):
    medical: Money = Decimal(0)
    follow_up_treatment: Money = Decimal(0)
    transport: Money = Decimal(0)
    accommodation: Money = Decimal(0)
    assistive_devices: Money = Decimal(0)
    property: Money = Decimal(0)


class LostWork(_Input):
    days: Days = Decimal(0)
    daily_income: Money = Decimal(0)


class Nursing(_Input):
    days: Days = Decimal(0)
    daily_cost: Money = Decimal(0)


class Dependant(_Input):
    age: Age
    other_supporters: Annotated[int, Field(ge=0, le=50)] = 0
    incapacitated: bool = False


class Victim(_Input):
    age: Age
    outcome: Outcome
    disability_grade: Annotated[int, Field(ge=1, le=10)] | None = None
    costs: Costs = Field(default_factory=Costs)
    hospital_days: Days = Decimal(0)
    hospital_food_per_day: Money = Decimal(0)
    nutrition_days: Days = Decimal(0)
    nutrition_per_day: Money = Decimal(0)
    lost_work: LostWork = Field(default_factory=LostWork)
    nursing: Nursing = Field(default_factory=Nursing)
    mental_damage: Money = Decimal(0)
    dependants: Annotated[list[Dependant], Field(max_length=20)] = Field(default_factory=list)


class Vehicle(_Input):
    compulsory_insurance: bool = True
    at_fault: bool = True
    liability_share: Annotated[Decimal, Field(allow_inf_nan=False)]
    commercial_third_party_limit: Money = Decimal(0)


class EstimateRequest(_Input):
    region: str | None = None
    statistics: StatisticsOverride | None = None
    #: Optional: use this statistical year instead of the latest available one (第二十二条: the year
    #: before the end of first-instance argument).
    statistics_year: Annotated[int, Field(ge=2000, le=2100)] | None = None
    victim: Victim
    vehicle: Vehicle


# --------------------------------------------------------------------------------------------- output


class _Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EstimateItem(_Output):
    code: str
    name: str
    amount: JsonDecimal
    formula: str
    basis: str
    #: Which 交强险 limit pays this item.
    compulsory_category: CompulsoryCategory


class CompulsoryLimits(_Output):
    medical: JsonDecimal
    death_disability: JsonDecimal
    property: JsonDecimal


class CompulsoryInsurance(_Output):
    medical: JsonDecimal
    death_disability: JsonDecimal
    property: JsonDecimal
    total: JsonDecimal
    #: False when the vehicle has no 交强险: the amounts above are then 0 and the vehicle side pays
    #: the same amounts itself (included in ``liable_party``).
    insured: bool
    #: The loss that falls within the limits per category, whoever pays it (the insurer, or the
    #: uninsured vehicle side under 《道路交通事故损害赔偿解释》第十六条).
    within_limits: CompulsoryLimits
    limits: CompulsoryLimits
    limits_label: str
    basis: str


class Split(_Output):
    """How the loss beyond 交强险 is shared (《道路交通安全法》第七十六条)."""

    beyond_compulsory: JsonDecimal
    liability_share: JsonDecimal
    vehicle_share: JsonDecimal
    victim_share: JsonDecimal


class StatisticFigure(_Output):
    code: Literal["disposable_income", "consumption", "average_wage"]
    name: str
    value: JsonDecimal
    region: str | None
    statistics_year: int | None
    series: str | None = None
    source: str
    status: str
    effective: str | None = None
    note: str | None = None


class StatisticsUsed(_Output):
    region: str | None
    statistics_year: int | None
    figures: list[StatisticFigure]
    notes: list[str]


class EstimateResult(_Output):
    items: list[EstimateItem]
    total: JsonDecimal
    compulsory_insurance: CompulsoryInsurance
    commercial_insurance: JsonDecimal
    liable_party: JsonDecimal
    victim_bears: JsonDecimal
    split: Split
    statistics_used: StatisticsUsed
    notes: list[str]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# ----------------------------------------------------------------------------------- input parsing

_FIELD_LABELS: dict[str, str] = {
    "region": "地区",
    "statistics": "统计数据",
    "statistics_year": "统计年度",
    "disposable_income": "城镇居民人均可支配收入",
    "consumption": "城镇居民人均消费支出",
    "average_wage": "职工年平均工资",
    "victim": "受害人信息",
    "vehicle": "机动车信息",
    "age": "年龄",
    "outcome": "伤亡结果",
    "disability_grade": "伤残等级",
    "costs": "费用",
    "medical": "医疗费",
    "follow_up_treatment": "后续治疗费",
    "transport": "交通费",
    "accommodation": "住宿费",
    "assistive_devices": "残疾辅助器具费",
    "property": "财产损失",
    "hospital_days": "住院天数",
    "hospital_food_per_day": "住院伙食补助每天标准",
    "nutrition_days": "营养天数",
    "nutrition_per_day": "营养费每天标准",
    "lost_work": "误工",
    "days": "天数",
    "daily_income": "每天收入",
    "nursing": "护理",
    "daily_cost": "每天护理费用",
    "mental_damage": "精神损害抚慰金",
    "dependants": "被扶养人",
    "other_supporters": "其他扶养人人数",
    "incapacitated": "是否丧失劳动能力",
    "compulsory_insurance": "是否投保交强险",
    "at_fault": "机动车一方是否有责",
    "liability_share": "机动车一方责任比例",
    "commercial_third_party_limit": "商业三者险保额",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _label(loc: tuple[int | str, ...]) -> str:
    names = [str(p) for p in loc if isinstance(p, str)]
    if not names:
        return "请求"
    label = _FIELD_LABELS.get(names[-1], names[-1])
    if names[-1] == "days" and len(names) >= 2:
        label = _FIELD_LABELS.get(names[-2], names[-2]) + label
    return label


def _message(error: Mapping[str, Any]) -> str:
    loc = tuple(error.get("loc", ()))
    label = _label(loc)
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"缺少必填项：{label}。"
    if kind == "extra_forbidden":
        return f"不认识的字段“{loc[-1] if loc else ''}”，请检查拼写。"
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt", 0))
        if str(limit) in {"0", "0.0"}:
            return f"{label}不能为负数。"
        return f"{label}不能小于 {limit}。"
    if kind in {"less_than_equal", "less_than"}:
        return f"{label}不能大于 {ctx.get('le', ctx.get('lt'))}。"
    if kind == "literal_error":
        if loc and loc[-1] == "outcome":
            return "伤亡结果只能是 injury（受伤）、disability（致残）或 death（死亡）。"
        expected = str(ctx.get("expected", "")).replace(" or ", "、")
        return f"{label}只能是以下之一：{expected}。"
    if kind in {"int_parsing", "int_from_float", "int_type"}:
        return f"{label}必须是整数。"
    if kind.startswith("decimal") or kind in {"float_parsing", "float_type", "finite_number"}:
        return f"{label}必须是数字。"
    if kind.startswith("bool"):
        return f"{label}必须是 true 或 false。"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{label}格式不对，应为一个对象。"
    if kind in {"list_type"}:
        return f"{label}格式不对，应为一个列表。"
    if kind == "too_long":
        return f"{label}条目太多。"
    if kind.startswith("string"):
        return f"{label}必须是文字。"
    return f"{label}填写有误。"


def validation_failed_from(exc: ValidationError) -> ValidationFailed:
    """The first pydantic error as a ``ValidationFailed`` with a Chinese message and field path."""
    first = exc.errors(include_url=False)[0]
    loc = tuple(first.get("loc", ()))
    return ValidationFailed(_message(first), code="invalid_input", field=_path(loc) or None)


def parse_estimate_request(data: Any) -> EstimateRequest:
    """Validate raw JSON (a dict) into an ``EstimateRequest``; raise ``ValidationFailed`` otherwise."""
    if isinstance(data, EstimateRequest):
        return data
    if not isinstance(data, Mapping):
        raise ValidationFailed("请求内容必须是一个 JSON 对象。", code="invalid_input")
    try:
        return EstimateRequest.model_validate(data)
    except ValidationError as exc:
        raise validation_failed_from(exc) from None
