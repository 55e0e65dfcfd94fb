"""Liability guide (责任认定咨询): typical police findings for common accident scenarios and a short
guided flow (2–5 questions → likely scenario, typical allocation, next steps, how to contest).

Pure: scenarios come from ``data/liability_scenarios.yaml`` (read once). Every article cited there is
checked against the shipped statute texts by the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claimline.errors import NotFound, ValidationFailed
from claimline.law.datafiles import load_yaml
from claimline.law.schemas import validation_failed_from


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Responsibility(_Model):
    party: str
    level: str


class TypicalShare(_Model):
    """Indicative money share of ``party`` beyond 交强险 (regional practice)."""

    party: str
    min: float = Field(ge=0, le=1)
    max: float = Field(ge=0, le=1)


class Scenario(_Model):
    id: str
    title: str
    parties: str
    parties_label: str
    keywords: list[str]
    summary: str
    typical_allocation: str
    responsibility: list[Responsibility]
    typical_share: TypicalShare | None = None
    exceptions: list[str]
    articles: list[str]
    local_variation: str
    deciding_questions: list[str]
    what_to_do_now: list[str]


class ScenarioSummary(_Model):
    id: str
    title: str
    parties: str
    parties_label: str
    summary: str
    typical_allocation: str


class Contest(_Model):
    title: str
    steps: list[str]
    articles: list[str]


class Option(_Model):
    id: str
    label: str


class Question(_Model):
    id: str
    text: str
    help: str
    options: list[Option]


class AnswerEcho(_Model):
    question_id: str
    question: str
    option_id: str
    answer: str


class GuideResult(_Model):
    scenario: Scenario
    modifiers: list[Scenario]
    next_steps: list[str]
    contest: Contest
    contest_urgent: bool
    review_deadline: str
    money_note: str
    common_steps: list[str]


class GuideStep(_Model):
    complete: bool
    step: int
    total_steps: int
    question: Question | None
    answered: list[AnswerEcho]
    result: GuideResult | None


class GuideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, str] = Field(default_factory=dict)


# ------------------------------------------------------------------------------------------- data


@cache
def _raw() -> dict[str, Any]:
    return load_yaml("liability_scenarios.yaml")  # type: ignore[no-any-return]


@cache
def _scenarios() -> dict[str, Scenario]:
    raw = _raw()
    labels = raw["party_types"]
    out: dict[str, Scenario] = {}
    for row in raw["scenarios"]:
        scenario = Scenario(parties_label=labels[row["parties"]], **row)
        if scenario.id in out:  # pragma: no cover - data error
            raise RuntimeError(f"duplicate scenario id {scenario.id}")
        out[scenario.id] = scenario
    return out


def list_scenarios(parties: str | None = None) -> list[Scenario]:
    """All scenarios (optionally of one party type), in data order."""
    if parties is not None and parties not in _raw()["party_types"]:
        raise ValidationFailed(
            f"不认识的事故类型“{parties}”。", code="invalid_input", field="parties"
        )
    return [s for s in _scenarios().values() if parties is None or s.parties == parties]


def scenario_summaries() -> list[ScenarioSummary]:
    return [
        ScenarioSummary(
            id=s.id,
            title=s.title,
            parties=s.parties,
            parties_label=s.parties_label,
            summary=s.summary,
            typical_allocation=s.typical_allocation,
        )
        for s in _scenarios().values()
    ]


def get_scenario(scenario_id: str) -> Scenario:
    try:
        return _scenarios()[scenario_id]
    except KeyError:
        raise NotFound(f"没有找到情形“{scenario_id}”。", code="scenario_not_found") from None


def party_types() -> dict[str, str]:
    return dict(_raw()["party_types"])


def contest_guidance() -> Contest:
    return Contest(**_raw()["contest"])


def common_steps() -> list[str]:
    return list(_raw()["common_steps"])


def money_note() -> str:
    return str(_raw()["money_note"]).strip()


def all_citations() -> list[str]:
    """Every citation used by the guide (for tests and the knowledge linter)."""
    out = [a for s in _scenarios().values() for a in s.articles]
    out += contest_guidance().articles
    return list(dict.fromkeys(out))


def suggest_scenarios(text: str, limit: int = 3) -> list[Scenario]:
    """Scenarios whose keywords or title appear in free text (for the conversation engine)."""
    scored: list[tuple[int, int, Scenario]] = []
    for index, s in enumerate(_scenarios().values()):
        score = sum(len(k) for k in s.keywords if k in text)
        if score:
            scored.append((-score, index, s))
    scored.sort(key=lambda row: (row[0], row[1]))
    return [s for _, _, s in scored[:limit]]


# ------------------------------------------------------------------------------------------ guide

_QUESTION_ORDER = ("parties", "how", "special", "certificate")
_SPECIAL_IDS = {"hit_and_run", "drunk_driving", "unlicensed_driver", "uninsured_vehicle"}


@cache
def _question_defs() -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in _raw()["guide"]["questions"]}


def _question(qid: str, answers: Mapping[str, str]) -> Question:
    q = _question_defs()[qid]
    if q.get("options_from") == "party_types":
        options = [Option(id=k, label=v) for k, v in party_types().items()]
    elif q.get("options_from") == "scenarios":
        options = [Option(id=s.id, label=s.title) for s in list_scenarios(answers["parties"])]
    else:
        options = [Option(**o) for o in q["options"]]
    return Question(id=qid, text=q["text"], help=q["help"], options=options)


def _needed(answers: Mapping[str, str]) -> list[str]:
    needed = ["parties", "how"]
    parties = answers.get("parties")
    if parties != "special":  # a special scenario was already chosen in "how"
        needed.append("special")
    needed.append("certificate")
    return needed


def _next_steps(certificate: str, scenario: Scenario, modifiers: list[Scenario]) -> list[str]:
    steps: list[str] = []
    serious = any(m.id in {"hit_and_run", "drunk_driving", "unlicensed_driver"} for m in [scenario, *modifiers])
    if certificate == "not_yet":
        steps.append(
            "等待交警出具事故认定书：一般自现场调查之日起十个工作日内制作，需要检验、鉴定的，自鉴定意见确定之日起"
            "五个工作日内制作（《道路交通事故处理程序规定》第六十二条）。"
        )
        steps.append("拿到认定书后立刻看责任划分：不同意的，只有三个工作日可以申请复核。")
    elif certificate == "agree":
        steps.append(
            "认定书没有异议的，可以按责任比例与对方和保险公司协商赔偿；也可以在收到认定书之日起十个工作日内"
            "由各方一致书面申请交警调解（《道路交通事故处理程序规定》第八十六条），或申请人民调解、直接起诉。"
        )
        steps.append("用赔偿估算工具算一算各项费用和保险能赔多少；起诉的诉讼时效一般为三年（《民法典》第一百八十八条）。")
    elif certificate == "disagree":
        steps.append(
            "在认定书送达之日起三个工作日内提出书面复核申请，写明复核请求、理由和主要证据，逾期不予受理"
            "（《道路交通事故处理程序规定》第七十一条）。"
        )
        steps.append("先查阅、复制交警的证据材料，补充行车记录仪、监控、证人等证据。")
    elif certificate == "proof_only":
        steps.append(
            "事故证明没有划分责任：可以在送达之日起三个工作日内申请复核（《道路交通事故处理程序规定》第七十一条），"
            "或直接起诉由法院根据证据认定过错。"
        )
    elif certificate == "no_police":
        if serious or scenario.parties in {"car_pedestrian", "car_nonmotor"}:
            steps.append("这种情形应当报警处理：有人受伤、对方逃逸、酒驾或无证驾驶时不能私了，请立即拨打 122。")
        else:
            steps.append(
                "只有财产损失、双方没有争议的，可以填写事故协议书或使用当地快处快赔平台，并在当天通知保险公司；"
                "对方事后反悔的，尽快报警（《道路交通事故处理程序规定》第十八条）。"
            )
    steps.extend(scenario.what_to_do_now)
    for m in modifiers:
        steps.extend(m.what_to_do_now)
    return list(dict.fromkeys(steps))


def _validate_answers(answers: Mapping[str, Any]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for qid, value in answers.items():
        if qid not in _QUESTION_ORDER:
            raise ValidationFailed(f"不认识的问题“{qid}”。", code="invalid_input", field=f"answers.{qid}")
        if not isinstance(value, str):
            raise ValidationFailed("答案应为选项编号（文字）。", code="invalid_input", field=f"answers.{qid}")
        clean[qid] = value
    # Check in order: each answer must be one of the options its question offers given earlier answers.
    for qid in _QUESTION_ORDER:
        if qid not in clean:
            continue
        if qid == "how" and "parties" not in clean:
            raise ValidationFailed("请先回答“事故是在谁之间发生的”。", code="invalid_input", field="answers.parties")
        if qid == "special" and clean.get("parties") == "special":
            if clean[qid] != "none":
                raise ValidationFailed(
                    "上一题已经选择了特殊情节，这一题请选“没有”或不回答。", code="invalid_input", field="answers.special"
                )
            continue
        options = {o.id for o in _question(qid, clean).options}
        if clean[qid] not in options:
            raise ValidationFailed(
                f"“{clean[qid]}”不是这一题的选项。", code="invalid_input", field=f"answers.{qid}"
            )
    return clean


def guide(answers: Mapping[str, Any] | None = None) -> GuideStep:
    """One step of the guided flow.

    ``answers`` maps question ids (``parties``, ``how``, ``special``, ``certificate``) to option ids.
    Returns the next unanswered question, or — when all needed questions are answered — the result:
    likely scenario, typical allocation, next steps and how to contest.
    """
    clean = _validate_answers(answers or {})
    needed = _needed(clean)
    defs = _question_defs()
    answered: list[AnswerEcho] = []
    for qid in needed:
        if qid in clean:
            q = _question(qid, clean)
            label = next(o.label for o in q.options if o.id == clean[qid])
            answered.append(AnswerEcho(question_id=qid, question=defs[qid]["text"], option_id=clean[qid], answer=label))
            continue
        return GuideStep(
            complete=False,
            step=len(answered) + 1,
            total_steps=len(needed),
            question=_question(qid, clean),
            answered=answered,
            result=None,
        )
    scenario = get_scenario(clean["how"])
    modifiers: list[Scenario] = []
    special = clean.get("special", "none")
    if special in _SPECIAL_IDS and special != scenario.id:
        modifiers.append(get_scenario(special))
    certificate = clean["certificate"]
    result = GuideResult(
        scenario=scenario,
        modifiers=modifiers,
        next_steps=_next_steps(certificate, scenario, modifiers),
        contest=contest_guidance(),
        contest_urgent=certificate in {"disagree", "proof_only"},
        review_deadline=(
            "对认定书或事故证明不服的，自送达之日起三个工作日内申请复核（《道路交通事故处理程序规定》第七十一条）。"
        ),
        money_note=money_note(),
        common_steps=common_steps(),
    )
    return GuideStep(
        complete=True, step=len(needed), total_steps=len(needed), question=None, answered=answered, result=result
    )


def guide_from(data: Any) -> GuideStep:
    """Validate a raw ``{"answers": {...}}`` body and run ``guide``."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("请求内容必须是一个 JSON 对象。", code="invalid_input")
    try:
        req = GuideRequest.model_validate(data)
    except ValidationError as exc:
        raise validation_failed_from(exc) from None
    return guide(req.answers)
