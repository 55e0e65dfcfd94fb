"""Knowledge gaps: clustering (pure) and drafting an entry from a cluster."""

from __future__ import annotations

from sqlalchemy import select

from claimline.db import session_scope
from claimline.knowledge import service
from claimline.knowledge.gaps import GapQuestion, cluster_gaps, cluster_indices, representative
from claimline.knowledge.matcher import AskResult
from claimline.knowledge.models import KnowledgeGap
from tests.conftest import page_csrf
from tests.knowledge.kb_support import import_fixtures

QUESTIONS = [
    "我家的狗被车撞死了能赔吗",
    "宠物狗被汽车撞死了怎么赔偿",
    "猫被车压死了车主要赔吗",
    "代驾撞了人谁来赔",
    "叫的代驾司机出了事故责任谁承担",
    "代驾出事故保险赔不赔",
    "hello",
    "😀",
]


def test_similar_questions_are_grouped_synonyms_included() -> None:
    groups = [sorted(QUESTIONS[i] for i in g) for g in cluster_indices(QUESTIONS)]
    assert sorted(QUESTIONS[3:6]) in groups
    assert any(set(QUESTIONS[0:2]) <= set(g) for g in groups)
    assert ["hello"] in groups and ["😀"] in groups
    assert sum(len(g) for g in groups) == len(QUESTIONS)
    assert len(groups[0]) >= len(groups[-1])  # largest first
    assert cluster_indices([]) == []
    # 强险 and 交强险 are the same word for clustering
    synonyms = cluster_indices(["强险能赔多少", "交强险赔多少钱"])
    assert len(synonyms) == 1 and sorted(synonyms[0]) == [0, 1]


def test_threshold_controls_how_much_is_merged() -> None:
    strict = cluster_indices(QUESTIONS, threshold=0.95)
    loose = cluster_indices(QUESTIONS, threshold=0.05)
    assert len(strict) >= len(cluster_indices(QUESTIONS)) >= len(loose)


def test_clusters_carry_the_majority_topic_guess_and_a_representative_first() -> None:
    gaps = [GapQuestion(i, text, "vehicle_owner" if "代驾" in text else "property_damage")
            for i, text in enumerate(QUESTIONS)]
    clusters = cluster_gaps(gaps)
    designated = next(c for c in clusters if any("代驾" in q.text for q in c.questions))
    assert designated.topic_guess == "vehicle_owner" and designated.count == 3
    assert designated.title in QUESTIONS[3:6]
    assert set(designated.ids) == {3, 4, 5}
    assert representative(["代驾撞了人", "代驾出事故谁赔", "天气"]) in ("代驾撞了人", "代驾出事故谁赔")
    assert representative([]) == ""


def _store(texts: list[str], topic: str = "vehicle_owner") -> list[int]:
    with session_scope() as session:
        ids = []
        for text in texts:
            gap = service.record_gap(session, text, AskResult("handoff", topic, 0.1, ()), "web")
            assert gap is not None
            ids.append(gap.id)
        return ids


def test_gaps_page_and_draft_from_cluster(client, login_as) -> None:
    import_fixtures()
    ids = _store(QUESTIONS[3:6]) + _store(["我家的狗被车撞死了能赔吗", "宠物狗被汽车撞死了怎么赔偿"], "property_damage")
    login_as("supervisor")
    page = client.get("/staff/knowledge-gaps")
    assert page.status_code == 200
    assert page.text.count('data-testid="gap-cluster"') >= 2
    assert "3 个问题" in page.text and "车主与驾驶人责任" in page.text and "据此起草条目" in page.text
    response = client.post(
        "/staff/knowledge-gaps/draft",
        data={"csrf_token": page_csrf(page.text), "gap_ids": [str(i) for i in ids[:3]]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/staff/knowledge/vehicle-owner-gap-") and "/edit" in location
    editor = client.get(location)
    assert editor.status_code == 200 and "代驾" in editor.text and "已根据知识缺口起草条目" in editor.text
    entry_id = location.split("/")[3]
    with session_scope() as session:
        record = service.get_record(session, entry_id)
        assert record.status == "draft" and record.topic == "vehicle_owner"
        assert set(record.questions) == set(QUESTIONS[3:6])
        assert record.title in QUESTIONS[3:6]
        assert service.list_revisions(session, entry_id)[0].action == "gap_draft"
        drafted = list(session.scalars(select(KnowledgeGap).where(KnowledgeGap.draft_entry_id == entry_id)))
        assert len(drafted) == 3
    # drafted questions leave the open list (but can be shown)
    after = client.get("/staff/knowledge-gaps").text
    assert "代驾撞了人谁来赔" not in after and "宠物狗" in after
    assert "代驾撞了人谁来赔" in client.get("/staff/knowledge-gaps", params={"drafted": "1"}).text
    empty = client.post("/staff/knowledge-gaps/draft", data={"csrf_token": page_csrf(page.text)})
    assert empty.status_code == 422 and "请选择至少一个" in empty.text


def test_record_gap_masks_and_skips(client) -> None:
    with session_scope() as session:
        answered = service.record_gap(session, "追尾谁负责", AskResult("answer", "liability", 0.9, ()), "web")
        blank = service.record_gap(session, " \x00 😀 ", AskResult("clarify", "other", 0.0, ()), "web")
        masked = service.record_gap(
            session, "身份证440106199001011234，手机１３８１２３４５６７８，车牌粤b12345\x00",
            AskResult("handoff", "nonsense", 0.0, ()), "sms",
        )
        assert answered is None and blank is None and masked is not None
        assert "440106199001011234" not in masked.text and "12345678" not in masked.text
        assert "b12345" not in masked.text.lower() and "\x00" not in masked.text
        assert masked.topic_guess == "other"
