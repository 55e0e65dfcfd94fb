"""The matching engine as a caller and the hotline would notice it.

Two matchers: one over a handful of hand-written fixture entries (exact, small), one over the
real ``knowledge/`` directory (the product's own content).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest

from claimline.knowledge.entries import KnowledgeEntry, load_entry_directory
from claimline.knowledge.evaluation import EVAL_KEYS, evaluate, parse_cases
from claimline.knowledge.matcher import Matcher, MatchSettings
from claimline.knowledge.text import analyze, normalize, tokenize

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


def entry(
    id: str, topic: str, title: str, questions: list[str], answer: str, *, region: str = "national",
    status: str = "published", tags: tuple[str, ...] = (),
) -> KnowledgeEntry:
    return KnowledgeEntry(
        id=id,
        title=title,
        topic=topic,
        questions=tuple(questions),
        answer=answer,
        legal_basis=("《道路交通安全法》第七十六条",),
        region=region,
        valid_from=dt.date(2021, 1, 1),
        review_by=dt.date(2030, 1, 1),
        status=status,
        tags=tags,
    )


FIXTURES = [
    entry("ci-limits", "compulsory_insurance", "交强险最多赔多少钱？",
          ["交强险的赔偿限额是多少", "交强险能赔几万", "交强险医疗费赔多少", "交强险死亡伤残限额"],
          "有责时交强险总限额20万元：死亡伤残18万元、医疗费用1.8万元、财产损失2000元。", tags=("限额",)),
    entry("ci-uninsured", "compulsory_insurance", "对方车辆没有买交强险怎么办？",
          ["对方没买交强险谁来赔", "肇事车辆没有交强险", "车没上交强险出了事故", "没保交强险要赔多少"],
          "未投保交强险的，由投保义务人在交强险责任限额内先行赔偿。", tags=("未投保",)),
    entry("hr-fled", "hit_and_run", "撞人后对方逃逸了怎么办？",
          ["撞了人开车跑了", "肇事司机逃逸找不到人", "对方肇事逃逸怎么办", "被车撞了司机逃跑了"],
          "立即报警，记下车牌和逃跑方向，保留监控和目击证人；逃逸一方承担全部责任。", tags=("逃逸",)),
    entry("hr-fund", "hit_and_run", "逃逸车辆找不到，医药费怎么办？",
          ["逃逸车找不到医药费谁出", "肇事者逃逸救助基金能垫付吗", "撞人逃逸抓不到人怎么赔", "逃逸案件没破"],
          "肇事车辆逃逸的，抢救费用可以由道路交通事故社会救助基金先行垫付。", tags=("救助基金",)),
    entry("pn-ebike", "pedestrian_nonmotor", "汽车撞了电动车，谁承担责任？",
          ["开车撞到骑电动车的人", "电动车和汽车相撞怎么划分责任", "汽车撞了电动自行车", "骑电动车被小车撞了"],
          "机动车与非机动车驾驶人之间发生事故，非机动车一方没有过错的，由机动车一方承担赔偿责任。",
          tags=("电动车", "非机动车")),
    entry("pn-pedestrian", "pedestrian_nonmotor", "开车撞了行人怎么赔？",
          ["撞了过马路的行人", "行人闯红灯被车撞了谁的责任", "走在路上被汽车撞伤", "行人横穿马路被撞"],
          "机动车撞行人，行人没有过错的由机动车一方赔偿；行人有过错的，减轻机动车一方责任。", tags=("行人",)),
    entry("ls-rear", "liability", "追尾事故谁负责？",
          ["追尾了是不是后车全责", "被人从后面撞了谁负责", "前车急刹车后车追尾", "高速上追尾责任怎么分"],
          "追尾一般由后车承担全部责任，前车有违法行为的除外。", tags=("追尾", "全责")),
    entry("ls-lane", "liability", "变道时发生剐蹭谁的责任？",
          ["变道刮蹭谁全责", "并线时蹭到旁边的车", "强行变道撞车了", "加塞被撞算谁的"],
          "变更车道不得影响相关车道内行驶的机动车正常行驶，变道一方一般承担主要或全部责任。", tags=("变道",)),
    entry("ci-lost-wages", "compensation_items", "误工费怎么计算？",
          ["误工费怎么算", "受伤不能上班工资损失谁赔", "没有固定收入误工费怎么算", "误工时间算多久"],
          "误工费根据误工时间和收入状况确定；有固定收入的按实际减少的收入计算。", tags=("误工费",)),
    entry("ci-nursing", "compensation_items", "护理费怎么赔？",
          ["护理费一天多少钱", "住院家属陪护有护理费吗", "请护工的钱谁出", "护理期怎么定"],
          "护理费根据护理人员的收入状况和护理人数、护理期限确定。", tags=("护理费",)),
    entry("ci-gd-standard", "compensation_items", "广东的赔偿标准是多少？",
          ["广东交通事故赔偿标准", "广东人均可支配收入是多少", "在广东出车祸按什么标准赔", "广州残疾赔偿金标准"],
          "广东按受诉法院所在地上一年度统计数据计算。", region="广东省", tags=("赔偿标准",)),
    entry("ci-zj-standard", "compensation_items", "浙江的赔偿标准是多少？",
          ["浙江交通事故赔偿标准", "浙江人均可支配收入是多少", "在浙江出车祸按什么标准赔", "杭州残疾赔偿金标准"],
          "浙江按受诉法院所在地上一年度统计数据计算。", region="浙江省", tags=("赔偿标准",)),
    entry("ci-national-standard", "compensation_items", "交通事故赔偿标准按哪里算？",
          ["赔偿标准按哪个地方算", "赔偿按城镇还是农村标准", "赔偿标准怎么确定", "人均可支配收入按哪年的"],
          "按受诉法院所在地上一年度城镇居民人均可支配收入等标准计算，不再区分城乡。", tags=("赔偿标准",)),
    entry("la-12348", "legal_aid", "没钱请律师怎么办？",
          ["请不起律师", "怎么申请法律援助", "12348是什么电话", "交通事故能找免费律师吗"],
          "可以拨打12348或到当地法律援助中心申请法律援助。", tags=("法律援助",)),
    entry("la-draft", "legal_aid", "草稿：法律援助新规", ["法律援助新规草稿问题", "草稿问题二", "草稿问题三"],
          "草稿内容不应出现。", status="draft"),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(FIXTURES)


@pytest.fixture(scope="module")
def real_matcher() -> Matcher:
    if not KNOWLEDGE_DIR.is_dir():
        pytest.skip("no knowledge directory")
    entries = [e for e in load_entry_directory(KNOWLEDGE_DIR) if e.is_published]
    if not entries:
        pytest.skip("knowledge/ has no published entries")
    return Matcher.build(entries)


# --------------------------------------------------------------------------- text


def test_normalisation_handles_width_script_emoji_and_typos() -> None:
    assert normalize("ＡＢＣ １２３") == "abc 123"
    assert normalize("車禍賠償😭👍") == "车祸赔偿"
    assert normalize("对方全责怎么赔尝？？？") == "对方全责怎么赔偿"
    assert normalize("🚗💥") == ""


def test_synonyms_map_colloquial_words_to_one_term() -> None:
    for variant in ("强险", "强制险", "交通强制险"):
        assert "交强险" in tokenize(f"对方只买了{variant}")
    for variant in ("电瓶车", "电驴", "电摩"):
        assert "电动车" in tokenize(f"我骑{variant}被撞了")
    assert "逃逸" in tokenize("撞了人就跑了")
    assert "单位" in tokenize("老板不给报销")
    assert "误工费" in tokenize("误工怎么算")
    assert analyze("交警认定我主要责任").tokens.count("主责") == 1


# --------------------------------------------------------------------------- fixture matcher


def test_questions_reach_their_topic(matcher: Matcher) -> None:
    cases = {
        "交强险能赔多少": "compulsory_insurance",
        "对方只有强险，限额多少": "compulsory_insurance",  # synonym 强险 → 交强险
        "我骑电瓶车被小轿车撞了谁的责任": "pedestrian_nonmotor",
        "司机撞了我就开跑了": "hit_and_run",
        "被追尾了对方要负全部责任吗": "liability",
        "误工损失怎么算": "compensation_items",
        "请不起律师能找谁帮忙": "legal_aid",
    }
    for question, topic in cases.items():
        result = matcher.ask(question)
        assert result.results, question
        assert result.topic == result.results[0].topic
        assert topic in [r.topic for r in result.results[:3]], (question, result.to_dict())
        assert result.results[0].topic == topic, (question, [r.id for r in result.results])


def test_result_json_has_exactly_the_documented_shape(matcher: Matcher) -> None:
    data = json.loads(json.dumps(matcher.ask("对方没买交强险怎么办", region=None).to_dict(), ensure_ascii=False))
    assert list(data) == ["action", "topic", "confidence", "results"]
    assert data["action"] in ("answer", "clarify", "handoff")
    assert 0.0 <= data["confidence"] <= 1.0
    assert 1 <= len(data["results"]) <= 5
    for item in data["results"]:
        assert list(item) == ["id", "title", "topic", "score", "answer", "legal_basis"]
        assert isinstance(item["legal_basis"], list) and all(isinstance(x, str) for x in item["legal_basis"])
    scores = [item["score"] for item in data["results"]]
    assert scores == sorted(scores, reverse=True)
    assert data["results"][0]["id"] == "ci-uninsured"


def test_drafts_are_never_returned(matcher: Matcher) -> None:
    result = matcher.ask("法律援助新规草稿问题")
    assert all(r.id != "la-draft" for r in result.results)
    assert "la-draft" not in {e.id for e in matcher.entries}


@pytest.mark.parametrize(
    "question",
    ["朋友被撞了现在昏迷不醒怎么办", "车撞了人，他头上大出血", "对方车着火了里面还有人", "人不行了快来"],
)
def test_emergency_hands_off_and_says_call_120_first(matcher: Matcher, question: str) -> None:
    result = matcher.ask(question)
    assert result.action == "handoff" and result.reason == "emergency"
    first = result.results[0]
    assert "120" in first.answer and "122" in first.answer
    assert "120" in result.message


def test_negated_emergency_words_do_not_trigger(matcher: Matcher) -> None:
    assert matcher.ask("他当时没有昏迷，交强险能赔多少").reason != "emergency"


@pytest.mark.parametrize("question", ["转人工", "人工", "我要找客服", "能不能让真人跟我说", "别回答了，转人工服务"])
def test_asking_for_a_person_hands_off(matcher: Matcher, question: str) -> None:
    result = matcher.ask(question)
    assert result.action == "handoff" and result.reason == "human_requested"
    assert result.message


@pytest.mark.parametrize(
    ("question", "may_answer"),
    [
        ("", False),
        ("   \n\t ", False),
        ("😭😭😭🚗💥", False),
        ("My car was hit by a truck, who pays?", False),
        ("？？？！！！", False),
        ("\x00\x01\ufffd", False),
        ("a", False),
        ("的的的了了吗", False),
        ("我的car被truck hit了, insurance会pay吗", True),
        ("交通事故" * 1250, True),
        ("误工费" + "😭" * 50, True),
    ],
)
def test_bad_input_never_raises(matcher: Matcher, question: str, may_answer: bool) -> None:
    result = matcher.ask(question)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["action"] in ("answer", "clarify", "handoff")
    assert 0.0 <= data["confidence"] <= 1.0
    if not may_answer:
        assert data["action"] in ("clarify", "handoff")
        assert result.message


def test_region_prefers_local_and_never_shows_another_province(matcher: Matcher) -> None:
    guangdong = matcher.ask("交通事故赔偿标准是多少", region="广东")
    ids = [r.id for r in guangdong.results]
    assert "ci-zj-standard" not in ids
    assert ids[0] in ("ci-gd-standard", "ci-national-standard")
    zhejiang = matcher.ask("交通事故赔偿标准是多少", region="浙江省")
    assert "ci-gd-standard" not in [r.id for r in zhejiang.results]
    unknown = matcher.ask("交通事故赔偿标准是多少")
    assert unknown.results[0].id == "ci-national-standard"


def test_clarify_offers_two_to_four_choices(matcher: Matcher) -> None:
    wide = Matcher.build(FIXTURES, MatchSettings(answer_threshold=1.01, clarify_threshold=0.0))
    result = wide.ask("撞了人跑了，交强险赔吗")
    assert result.action == "clarify"
    assert 2 <= len(result.choices) <= 4
    assert len({c.topic for c in result.choices}) == len(result.choices)
    assert {"hit_and_run", "compulsory_insurance"} <= {c.topic for c in result.choices}


def test_empty_knowledge_base_still_replies() -> None:
    empty = Matcher.build([])
    assert empty.ask("交强险赔多少").action in ("clarify", "handoff")


def test_concurrent_questions_get_the_same_answers(matcher: Matcher) -> None:
    questions = ["交强险能赔多少", "误工费怎么算", "被追尾谁负责", "撞人逃逸了"] * 10
    expected = [matcher.ask(q).to_dict() for q in questions]
    got: dict[int, dict[str, object]] = {}

    def work(i: int) -> None:
        got[i] = matcher.ask(questions[i]).to_dict()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(len(questions))] == expected


def test_evaluate_reports_exactly_the_documented_figures(matcher: Matcher) -> None:
    cases = parse_cases(
        [
            json.dumps({"question": "交强险能赔多少", "topics": ["compulsory_insurance"]}, ensure_ascii=False),
            "",
            json.dumps({"question": "转人工", "topics": ["other"]}, ensure_ascii=False),
        ]
    )
    figures = evaluate(matcher, cases)
    assert tuple(figures) == EVAL_KEYS
    assert figures["n"] == 2
    assert figures["top1_topic_accuracy"] == 0.5
    assert figures["handoff_rate"] == 0.5
    assert figures["answer_precision"] in (0.0, 1.0)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("{not json", "line"),
        ('["a list"]', "line"),
        ('{"topics": ["liability"]}', "question"),
        ('{"question": "问", "topics": []}', "topics"),
        ('{"question": "问", "topics": ["weather"]}', "topics"),
    ],
)
def test_bad_eval_lines_are_reported_with_their_line(line: str, field: str) -> None:
    from claimline.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        parse_cases(['{"question": "好的", "topics": ["other"]}', line], "dev.jsonl")
    assert info.value.field == field
    assert "dev.jsonl" in info.value.message and "第 2 行" in info.value.message


# --------------------------------------------------------------------------- real knowledge base


def test_every_title_maps_back_to_its_topic(real_matcher: Matcher) -> None:
    misses = []
    for e in real_matcher.entries:
        topics = [r.topic for r in real_matcher.ask(e.title, region=e.region).results[:3]]
        if e.topic not in topics:
            misses.append((e.id, topics))
    assert not misses, misses


def test_real_synonyms_find_compulsory_insurance_entries(real_matcher: Matcher) -> None:
    if not any(e.topic == "compulsory_insurance" for e in real_matcher.entries):
        pytest.skip("no 交强险 entries yet")
    for question in ("强险能赔多少", "对方只有强制险够不够赔"):
        result = real_matcher.ask(question)
        assert result.results[0].topic == "compulsory_insurance", (question, result.to_dict()["results"][:2])


def test_real_emergency_and_human_requests(real_matcher: Matcher) -> None:
    result = real_matcher.ask("刚才撞了人，他现在昏迷了")
    assert result.action == "handoff" and "120" in result.results[0].answer
    assert real_matcher.ask("转人工").action == "handoff"


def test_a_bare_request_for_a_person_has_no_topic_but_the_rest_of_the_message_does(real_matcher: Matcher) -> None:
    bare = real_matcher.ask("转人工")
    assert (bare.action, bare.topic, bare.results) == ("handoff", "other", ())
    with_story = real_matcher.ask("我要找人工客服，对方撞了我就开车跑了")
    assert with_story.action == "handoff" and with_story.topic == "hit_and_run"


def test_an_animal_killed_on_the_road_is_not_a_death_case(real_matcher: Matcher) -> None:
    result = real_matcher.ask("我家的羊被车撞死了怎么办")
    assert result.topic != "death"


def test_real_answers_carry_their_legal_basis(real_matcher: Matcher) -> None:
    result = real_matcher.ask("追尾事故谁负全责")
    assert result.results and all(isinstance(x, str) for x in result.to_dict()["results"][0]["legal_basis"])
