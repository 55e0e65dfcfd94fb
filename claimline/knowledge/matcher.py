"""The matching engine: a caller's question → answer, clarify or hand-off.

Pure: :meth:`Matcher.build` takes knowledge entries (no database, no files besides the package's
own data, loaded once); :meth:`Matcher.ask` does no I/O and never raises on any text.

How a question is matched
-------------------------
1. Guards before retrieval: empty/emoji-only input → ``clarify``; text that is not Chinese →
   ``handoff``; emergency words (昏迷, 大出血, 着火 …, not negated) → ``handoff`` with a first
   result telling them to call 120/122/110; a request for a person (转人工, 真人 …) → ``handoff``.
2. ``text.analyze``: normalised, segmented (jieba + domain dictionary), synonyms mapped to
   canonical words; the clause that asks the question is marked (stories come first).
3. Signals, all our own code over sparse matrices (one product per signal per question):
   * BM25F over each entry's title, questions, tags and answer (weighted fields);
   * phrase similarity: cosine of character uni/bigram TF-IDF between the question (and its
     asking clause) and each title/question of an entry (robust to typos and odd segmentation);
   * a topic classifier: nearest centroid (Rocchio) over word uni/bigram + character TF-IDF of
     every entry's questions, title and tags, as a softmax over topics.
   * intent cues (``data/intent_cues.yaml``): whether the text asks the kind of question a topic
     answers ("……是谁的责任", "……会判几年", "……多久出认定书"), so that a long story about a dog
     or a child is matched by what it asks, not by what it is about.
4. A small stacking model (logistic regression over the classifier's log-probability and
   probability, the topic's best phrase similarity and its intent cue) gives a distribution over
   topics; the cue's weight is learned like the others, not set by hand.
   It and the confidence calibrators (Platt scaling) are fitted at build time on held-out
   phrasings: the entries are split into folds, each fold is left out whole, the index is rebuilt
   on the others and the left-out phrasings (alone, and in pairs of two topics, which imitate
   long questions mixing topics) are matched. Nothing is tuned by hand to a question set and the
   model follows the knowledge base as it grows.
5. ``confidence`` = calibrated probability that the top topic is right; a second calibrator gives
   the probability that the right topic is one of the top two.
6. Decision (:class:`MatchSettings`, ``data/THRESHOLDS.md``): ``answer`` when confidence ≥
   ``answer_threshold``; else ``clarify`` with 2–4 choices (``AskResult.choices``) when the top
   two topics are likely to hold the right one; else ``handoff``.

Results: at most five entries, best first. The first ones are the best entry of each of the
three most likely topics (so that competing topics surface), then the remaining entries by score
with repeats of a topic damped. Within a topic entries are ranked by BM25F and phrase similarity;
an entry's ``score`` is its topic's probability times its relevance relative to the topic's best
entry (capped so the list never increases). Entries of another province are never returned when
the caller's region is known; without a region a provincial entry never comes first when its topic
has a national one.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp
import yaml

from claimline.knowledge.entries import KnowledgeEntry, normalize_region, topic_ids, topic_name
from claimline.knowledge.text import Analysis, analyze, analyze_tokens, cjk_ratio, has_cjk, warm_up

ACTIONS = ("answer", "clarify", "handoff")
FALLBACK_TOPIC = "other"


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and weights of the engine; the defaults were chosen from data
    (``claimline/knowledge/data/THRESHOLDS.md`` has the tables behind them).

    ``answer_threshold`` (0.55): answer directly when the calibrated probability that the top
    topic is right reaches it. The calibration questions (entries left out whole: the strictest
    proxy) are answered 48 % of the time at 0.55 with 72 % precision against 56 % overall; on
    the development questions of real callers 0.55 is the lowest value that keeps the precision
    of direct answers ≥ 95 % (0.50 gives 89 %, 0.45 gives 84 %), a margin above the 90 % target
    for questions we have not seen.

    ``clarify_threshold`` (0.5): below ``answer_threshold``, offer 2–4 choices when the calibrated
    probability that one of the top two topics is right is at least even; below that a person
    helps better than a guess (hand-off). In the calibration data this is where the top-two
    hit rate crosses 50 % (top-1 confidence about 0.3).

    ``alt_topic_share`` (0.12): a further topic becomes a clarify choice when its probability is at
    least this share of the top topic's (about one in eight: less likely topics are noise).
    """

    answer_threshold: float = 0.55
    clarify_threshold: float = 0.5
    alt_topic_share: float = 0.12
    max_results: int = 5
    max_choices: int = 4
    max_query_chars: int = 800
    min_cjk_ratio: float = 0.3
    # BM25F
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    weight_title: float = 2.0
    weight_questions: float = 1.0
    weight_tags: float = 1.5
    weight_answer: float = 0.25
    # classifier
    centroid_temperature: float = 20.0
    weight_tag_sample: float = 0.5  # weight of an entry's tags as one classifier sample
    # within-topic relevance = share_bm25 * bm25 + (1 - share_bm25) * phrase similarity
    share_bm25: float = 0.5
    diverse_results: int = 3  # the first results come from this many different topics
    same_topic_damping: float = 0.5
    regional_without_region: float = 0.5  # relevance factor of provincial entries when region unknown
    regional_match_bonus: float = 1.2  # relevance factor of entries of the caller's province
    # calibration at build time
    calibration_folds: int = 3
    calibration_holdout: str = "entries"  # or "questions"
    calibration_pairs: float = 1.0  # synthetic two-topic questions per held-out phrasing
    seed: int = 20240601


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class MatchedEntry:
    id: str
    title: str
    topic: str
    score: float
    answer: str
    legal_basis: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "score": self.score,
            "answer": self.answer,
            "legal_basis": list(self.legal_basis),
        }


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a clarifying question: a topic and its best entry."""

    topic: str
    topic_name: str
    entry_id: str
    title: str


@dataclass(frozen=True, slots=True)
class AskResult:
    action: str
    topic: str
    confidence: float
    results: tuple[MatchedEntry, ...]
    choices: tuple[Choice, ...] = ()
    reason: str = ""  # machine code: confident, competing_topics, low_confidence, emergency, ...
    message: str = ""  # what to tell the person (the answer itself for ``answer``)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "topic": self.topic,
            "confidence": self.confidence,
            "results": [r.to_dict() for r in self.results],
        }


# --------------------------------------------------------------------------- guards


@dataclass(frozen=True, slots=True)
class _Messages:
    emergency_re: re.Pattern[str]
    negations: tuple[str, ...]
    human_re: re.Pattern[str]
    human_exact: frozenset[str]
    emergency_entry: MatchedEntry
    texts: dict[str, str]


@cache
def _messages() -> _Messages:
    raw = yaml.safe_load(
        resources.files("claimline.knowledge").joinpath("data/messages.yaml").read_text(encoding="utf-8")
    )
    emergency = raw["emergency"]
    human = raw["human"]

    def alternation(words: Iterable[str]) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))

    return _Messages(
        emergency_re=alternation(emergency["phrases"]),
        negations=tuple(sorted(emergency["negations"], key=len, reverse=True)),
        human_re=alternation(human["phrases"]),
        human_exact=frozenset(human["exact"]),
        emergency_entry=MatchedEntry(
            id=emergency["id"],
            title=emergency["title"],
            topic=FALLBACK_TOPIC,
            score=1.0,
            answer=emergency["answer"].strip(),
            legal_basis=tuple(emergency["legal_basis"]),
        ),
        texts={str(k): str(v).strip() for k, v in raw["texts"].items()},
    )


@cache
def _intent_cues() -> dict[str, re.Pattern[str]]:
    """Per topic, what a caller asks when the question is of that topic (data/intent_cues.yaml)."""
    raw = yaml.safe_load(
        resources.files("claimline.knowledge").joinpath("data/intent_cues.yaml").read_text(encoding="utf-8")
    )
    return {topic: re.compile("|".join(f"(?:{p})" for p in patterns))
            for topic, patterns in raw["cues"].items() if patterns}


def intent_cue_matrix(texts: Sequence[str], topics: Sequence[str]) -> np.ndarray:
    """(texts × topics): 1 where the text asks the kind of question a topic answers."""
    cues = _intent_cues()
    patterns = [(j, cues[topic]) for j, topic in enumerate(topics) if topic in cues]
    out = np.zeros((len(texts), len(topics)))
    for i, text in enumerate(texts):
        compact = text.replace(" ", "")
        for j, pattern in patterns:
            if pattern.search(compact):
                out[i, j] = 1.0
    return out


def is_emergency(normalized: str) -> bool:
    """True when the text says someone is in danger now (negated mentions do not count)."""
    msgs = _messages()
    for match in msgs.emergency_re.finditer(normalized):
        before = normalized[max(0, match.start() - 2) : match.start()]
        if not any(before.endswith(n) for n in msgs.negations):
            return True
    return False


def asks_for_human(normalized: str) -> bool:
    msgs = _messages()
    compact = normalized.replace(" ", "")
    return compact in msgs.human_exact or msgs.human_re.search(compact) is not None


# --------------------------------------------------------------------------- models

_CHAR_N = (1, 2)  # character n-gram sizes of the classifier and phrase similarity


def _char_ngrams(phrase: str) -> list[str]:
    """Character uni- and bigrams of a canonical phrase (bigrams span word boundaries)."""
    s = phrase.replace(" ", "")
    return [s[i : i + n] for n in _CHAR_N for i in range(len(s) - n + 1)]


def _word_ngrams(tokens: Sequence[str]) -> list[str]:
    return [*tokens, *(f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False))]


class _Tfidf:
    """TF-IDF with sub-linear tf and l2-normalised rows (as scikit-learn's, without its overhead)."""

    def __init__(self, docs: Sequence[Sequence[str]]) -> None:
        vocab: dict[str, int] = {}
        df: dict[int, int] = {}
        for doc in docs:
            for term in set(doc):
                i = vocab.setdefault(term, len(vocab))
                df[i] = df.get(i, 0) + 1
        self.vocab = vocab
        counts = np.zeros(len(vocab))
        for i, c in df.items():
            counts[i] = c
        self.idf = np.log((1.0 + len(docs)) / (1.0 + counts)) + 1.0

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        vocab = self.vocab
        for doc in docs:
            counts: dict[int, int] = {}
            for term in doc:
                i = vocab.get(term)
                if i is not None:
                    counts[i] = counts.get(i, 0) + 1
            indices.extend(counts)
            data.extend(counts.values())
            indptr.append(len(indices))
        idx = np.asarray(indices, dtype=np.int64)
        values = (1.0 + np.log(np.asarray(data, dtype=np.float64))) * self.idf[idx]
        matrix = sp.csr_matrix((values, idx, np.asarray(indptr)), shape=(len(docs), len(vocab)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.asarray(np.log(q / (1 - q)))


def _sigmoid(z: np.ndarray | float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64))))


def _fit_binary(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Logistic regression of a 0/1 target on a few dense features, by Newton's method
    (L2 penalty ‖w‖²/(2c) on the coefficients, none on the intercept)."""
    n, d = x.shape
    design = np.column_stack([x, np.ones(n)])
    target = y.astype(np.float64)
    theta = np.zeros(d + 1)
    penalty = np.full(d + 1, 1.0 / c)
    penalty[-1] = 0.0
    for _ in range(50):
        p = _sigmoid(design @ theta)
        grad = design.T @ (p - target) + penalty * theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, grad)
        theta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return theta[:d], float(theta[d])


@dataclass(frozen=True, slots=True)
class _EntryText:
    """An entry's fields analysed once per build."""

    entry: KnowledgeEntry
    title: Analysis
    questions: tuple[Analysis, ...]
    tags: Analysis
    answer_tokens: tuple[str, ...]


def _analyse_entry(entry: KnowledgeEntry) -> _EntryText:
    return _EntryText(
        entry=entry,
        title=analyze(entry.title),
        questions=tuple(analyze(q) for q in entry.questions),
        tags=analyze(" ".join(entry.tags)),
        answer_tokens=analyze_tokens(entry.answer),
    )


@dataclass(frozen=True, slots=True)
class _Signals:
    """Per question (rows): BM25F and phrase similarity per entry, classifier probability per topic."""

    bm25: np.ndarray
    phrase_sim: np.ndarray
    probs: np.ndarray
    cues: np.ndarray  # (questions × topics) intent cue matches


class _Index:
    """BM25F, phrase similarity and the topic classifier over some entries and phrasings.

    ``texts`` must be grouped by topic; ``keep[e]`` lists the questions of entry ``e`` to use
    (calibration leaves some out).
    """

    def __init__(
        self,
        texts: Sequence[_EntryText],
        keep: Sequence[Sequence[int]],
        topics: Sequence[str],
        settings: MatchSettings,
        with_bm25: bool = True,
    ) -> None:
        self.n_topics = len(topics)
        self.topics = tuple(topics)
        topic_pos = {t: i for i, t in enumerate(topics)}
        self.entry_topic = np.array([topic_pos[t.entry.topic] for t in texts], dtype=np.int64)
        if np.any(np.diff(self.entry_topic) < 0):
            raise ValueError("entries must be grouped by topic")
        self.topic_starts = np.flatnonzero(np.r_[True, np.diff(self.entry_topic) != 0])
        self.present_topics = self.entry_topic[self.topic_starts]
        if with_bm25:  # calibration indexes only need the topic features
            self._bm25_index(texts, keep, settings)

        # phrases (titles + kept questions) for similarity; they and the tags train the classifier
        phrases: list[list[str]] = []
        phrase_entry: list[int] = []
        word_docs: list[list[str]] = []
        labels: list[int] = []
        weights: list[float] = []
        for e, text in enumerate(texts):
            for analysis in (text.title, *(text.questions[i] for i in keep[e])):
                phrases.append(_char_ngrams(analysis.phrase))
                phrase_entry.append(e)
                word_docs.append(_word_ngrams(analysis.tokens))
                labels.append(int(self.entry_topic[e]))
                weights.append(1.0)
            if text.tags.tokens:
                phrases.append(_char_ngrams(text.tags.phrase))
                phrase_entry.append(-1)  # a sample of the classifier, not a phrase to match
                word_docs.append(_word_ngrams(text.tags.tokens))
                labels.append(int(self.entry_topic[e]))
                weights.append(settings.weight_tag_sample)
        self.chars = _Tfidf(phrases)
        self.words = _Tfidf(word_docs)
        char_matrix = self.chars.transform(phrases)
        owner = np.asarray(phrase_entry)
        real = np.flatnonzero(owner >= 0)
        self.phrase_matrix = char_matrix[real].T.tocsr()  # features × phrases, grouped by entry
        owner = owner[real]
        self.phrase_starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        self.phrase_owner = owner[self.phrase_starts]

        # nearest-centroid topic classifier: cosine to each topic's mean sample → softmax
        x = sp.hstack([self.words.transform(word_docs), char_matrix]).tocsr()
        label_arr = np.asarray(labels)
        self.classes = np.unique(label_arr)
        member = sp.csr_matrix(
            (np.asarray(weights), (np.searchsorted(self.classes, label_arr), np.arange(len(label_arr)))),
            shape=(len(self.classes), len(label_arr)),
        )
        centroids = np.asarray((member @ x).todense())
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        self.coef = centroids.T * settings.centroid_temperature

    def _bm25_index(
        self, texts: Sequence[_EntryText], keep: Sequence[Sequence[int]], settings: MatchSettings
    ) -> None:
        """BM25F: each entry one bag of words, fields weighted, saturated once (terms × entries)."""
        n_entries = len(texts)
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lengths = np.zeros(n_entries)
        for e, text in enumerate(texts):
            fields = [
                (settings.weight_title, text.title.tokens),
                (settings.weight_tags, text.tags.tokens),
                (settings.weight_answer, text.answer_tokens),
                *((settings.weight_questions, text.questions[i].tokens) for i in keep[e]),
            ]
            weighted: dict[int, float] = {}
            for weight, tokens in fields:
                lengths[e] += weight * len(tokens)
                for token in tokens:
                    idx = vocab.setdefault(token, len(vocab))
                    weighted[idx] = weighted.get(idx, 0.0) + weight
            rows.extend([e] * len(weighted))
            cols.extend(weighted)
            vals.extend(weighted.values())
        self.vocab = vocab
        col_arr = np.asarray(cols, dtype=np.int64)
        row_arr = np.asarray(rows, dtype=np.int64)
        tf = np.asarray(vals)
        df = np.bincount(col_arr, minlength=len(vocab))
        idf = np.log(1.0 + (n_entries - df + 0.5) / (df + 0.5))
        k1, b = settings.bm25_k1, settings.bm25_b
        norm = k1 * (1.0 - b + b * lengths / max(float(lengths.mean()), 1e-9))
        weights = idf[col_arr] * tf * (k1 + 1.0) / (tf + norm[row_arr])
        self.bm25 = sp.csr_matrix((weights, (row_arr, col_arr)), shape=(n_entries, len(vocab))).T.tocsr()

    def signals(self, analyses: Sequence[Analysis], *, with_bm25: bool = True) -> _Signals:
        """Signals of a batch of questions (phrase similarity also of the clause that asks).

        ``with_bm25=False`` skips BM25F (it ranks entries within a topic and is no topic feature),
        which build-time calibration does not need."""
        n_q, n_entries = len(analyses), len(self.entry_topic)
        bm25 = self._bm25_scores(analyses) if with_bm25 else np.zeros((n_q, 0))

        chars = self.chars.transform([_char_ngrams(a.phrase) for a in analyses])
        sims = np.asarray((chars @ self.phrase_matrix).todense()).reshape(n_q, -1)
        focused = [q for q, a in enumerate(analyses) if a.focus_phrase]
        if focused:
            asked = self.chars.transform([_char_ngrams(analyses[q].focus_phrase) for q in focused])
            sims[focused] = np.maximum(sims[focused], np.asarray((asked @ self.phrase_matrix).todense()))
        phrase_sim = np.zeros((n_q, n_entries))
        if sims.shape[1]:
            phrase_sim[:, self.phrase_owner] = np.maximum.reduceat(sims, self.phrase_starts, axis=1)

        words = self.words.transform([_word_ngrams(a.tokens) for a in analyses])
        x = sp.hstack([words, chars]).tocsr()
        probs = np.full((n_q, self.n_topics), 1e-6)
        probs[:, self.classes] = _softmax_rows(np.asarray(x @ self.coef))
        cues = intent_cue_matrix([a.normalized for a in analyses], self.topics)
        return _Signals(bm25=bm25, phrase_sim=phrase_sim, probs=probs, cues=cues)

    def _bm25_scores(self, analyses: Sequence[Analysis]) -> np.ndarray:
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for analysis in analyses:
            counts: dict[int, int] = {}
            for token in analysis.tokens:
                i = self.vocab.get(token)
                if i is not None:
                    counts[i] = counts.get(i, 0) + 1
            indices.extend(counts)
            data.extend(1.0 + math.log(c) for c in counts.values())  # repeats count sub-linearly
            indptr.append(len(indices))
        query_terms = sp.csr_matrix((data, indices, indptr), shape=(len(analyses), len(self.vocab)))
        return np.asarray((query_terms @ self.bm25).todense()).reshape(len(analyses), len(self.entry_topic))

    def per_topic_max(self, values: np.ndarray) -> np.ndarray:
        """(questions × entries) → (questions × topics): best value among a topic's entries (0 if none)."""
        out = np.zeros((values.shape[0], self.n_topics))
        out[:, self.present_topics] = np.maximum.reduceat(values, self.topic_starts, axis=1)
        return out

    def topic_features(self, signals: _Signals, allowed: np.ndarray | None = None) -> np.ndarray:
        """(questions × topics × features) input of the stacking model: the classifier's log
        probability and probability, the best phrase similarity among the topic's entries, and
        whether the question matches the topic's intent cues.

        BM25F is deliberately not a topic feature: on questions that no entry phrases word for
        word (entries left out at calibration, real callers' stories) the best BM25 entry of a
        topic is a weak, noisy topic signal that pushed right topics out of the top three; it
        ranks entries within a topic instead (see THRESHOLDS.md)."""
        phrase_sim = signals.phrase_sim if allowed is None else np.where(allowed, signals.phrase_sim, 0.0)
        return np.stack(
            [
                np.log(np.clip(signals.probs, 1e-6, 1.0)),
                signals.probs,
                self.per_topic_max(phrase_sim),
                signals.cues,
            ],
            axis=2,
        )


@dataclass(frozen=True, slots=True)
class _Fusion:
    """Stacking weights and confidence calibrators fitted on held-out phrasings."""

    stack_coef: np.ndarray
    stack_bias: float
    conf1: tuple[float, float, float]  # a·logit(p1) + b·(logit p1 − logit p2) + c
    conf2: tuple[float, float]  # a·logit(p1 + p2) + c

    def distribution(self, features: np.ndarray) -> np.ndarray:
        """(questions × topics × features) → (questions × topics) probabilities."""
        return _softmax_rows(features @ self.stack_coef + self.stack_bias)

    def confidence(self, p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated P(top topic right) and P(right topic among the top two)."""
        a, b, c = self.conf1
        top1 = _sigmoid(a * _logit(p1) + b * (_logit(p1) - _logit(p2)) + c)
        a2, c2 = self.conf2
        top2 = _sigmoid(a2 * _logit(np.minimum(p1 + p2, 1.0)) + c2)
        return top1, np.maximum(top1, top2)


# Used when there is too little to calibrate (fewer than two topics or phrasings).
_DEFAULT_FUSION = _Fusion(
    stack_coef=np.array([1.0, 0.0, 1.0, 1.0]), stack_bias=0.0, conf1=(1.0, 0.0, 0.0), conf2=(1.0, 0.0)
)


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    """What build-time calibration saw (the benchmark prints it; THRESHOLDS.md uses it)."""

    rows: int = 0
    heldout_top1: float = 0.0
    heldout_top3: float = 0.0
    confidences: tuple[float, ...] = ()
    second_confidences: tuple[float, ...] = ()
    correct_top1: tuple[bool, ...] = ()
    correct_top2: tuple[bool, ...] = ()
    # single held-out phrasings: (entry topic, predicted top topic), for per-topic figures
    single_outcomes: tuple[tuple[str, str], ...] = ()


def _heldout_queries(
    texts: Sequence[_EntryText], topics: Sequence[str], settings: MatchSettings
) -> tuple[list[np.ndarray], list[set[int]]]:
    """Topic features and right topics of held-out phrasings, fold by fold.

    ``entries`` scheme: every ``folds``-th entry is left out whole and its phrasings asked of an
    index of the others: they stand for real questions that no entry phrases word for word.
    ``questions`` scheme: some questions of every entry are left out instead. Besides single
    phrasings, pairs of phrasings of two topics (either topic right) imitate long questions
    that mix topics.
    """
    folds = settings.calibration_folds
    rng = random.Random(settings.seed)
    topic_pos = {t: i for i, t in enumerate(topics)}
    features: list[np.ndarray] = []
    label_sets: list[set[int]] = []
    for fold in range(folds):
        held: list[tuple[int, int]]
        if settings.calibration_holdout == "entries":
            inside = [e for e in range(len(texts)) if e % folds != fold]
            held = [(e, i) for e in range(len(texts)) if e % folds == fold for i in range(len(texts[e].questions))]
            index = _Index(
                [texts[e] for e in inside],
                [range(len(texts[e].questions)) for e in inside],
                topics,
                settings,
                with_bm25=False,
            )
        else:
            keep: list[list[int]] = []
            held = []
            for e, text in enumerate(texts):
                n = len(text.questions)
                out = [i for i in range(n) if n >= 3 and (i + e) % folds == fold]
                held.extend((e, i) for i in out)
                keep.append([i for i in range(n) if i not in out])
            index = _Index(texts, keep, topics, settings, with_bm25=False)
        if len(held) < 2:
            continue
        singles = [texts[e].questions[i] for e, i in held]
        single_signals = index.signals(singles, with_bm25=False)
        features.extend(index.topic_features(single_signals))
        label_sets.extend({topic_pos[texts[e].entry.topic]} for e, _ in held)
        pairs: list[Analysis] = []
        asking: list[int] = []  # which single asks in each pair (the second one)
        for _ in range(int(len(held) * settings.calibration_pairs)):
            a, b = rng.sample(range(len(held)), 2)
            t1, t2 = topic_pos[texts[held[a][0]].entry.topic], topic_pos[texts[held[b][0]].entry.topic]
            if t1 != t2:
                # The asking clause's phrase similarity is that single's own row (computed above),
                # so the pair is matched as a whole only.
                pairs.append(replace(singles[a].joined(singles[b]), focus=(), focus_phrase=""))
                asking.append(b)
                label_sets.append({t1, t2})
        if pairs:
            pair_signals = index.signals(pairs, with_bm25=False)
            pair_signals = replace(
                pair_signals, phrase_sim=np.maximum(pair_signals.phrase_sim, single_signals.phrase_sim[asking])
            )
            features.extend(index.topic_features(pair_signals))
    return features, label_sets


def _fit_fusion(
    texts: Sequence[_EntryText], topics: Sequence[str], settings: MatchSettings
) -> tuple[_Fusion, CalibrationReport]:
    if settings.calibration_folds < 2 or len({t.entry.topic for t in texts}) < 2:
        return _DEFAULT_FUSION, CalibrationReport()
    features, label_sets = _heldout_queries(texts, topics, settings)
    if not features:
        return _DEFAULT_FUSION, CalibrationReport()
    stacked = np.stack(features)  # questions × topics × features
    target = np.zeros(stacked.shape[:2], dtype=np.int64)
    for q, labels in enumerate(label_sets):
        target[q, list(labels)] = 1
    # stacking: is this topic right for this question? (one row per question and topic)
    coef, bias = _fit_binary(stacked.reshape(-1, stacked.shape[2]), target.ravel(), c=1.0)
    dist = _Fusion(coef, bias, (1.0, 0.0, 0.0), (1.0, 0.0)).distribution(stacked)
    order = np.argsort(-dist, axis=1)
    rows = np.arange(len(features))
    p1, p2 = dist[rows, order[:, 0]], dist[rows, order[:, 1]]
    hit = target[rows[:, None], order[:, :3]].astype(bool)
    ok1, ok2, ok3 = hit[:, 0], np.asarray(hit[:, :2].any(axis=1)), np.asarray(hit.any(axis=1))
    # calibration (Platt scaling): was the top topic right / one of the top two?
    conf1 = (1.0, 0.0, 0.0)
    if 0 < ok1.sum() < len(ok1):
        w1, b1 = _fit_binary(np.column_stack([_logit(p1), _logit(p1) - _logit(p2)]), ok1, c=100.0)
        conf1 = (float(w1[0]), float(w1[1]), b1)
    conf2 = (1.0, 0.0)
    if 0 < ok2.sum() < len(ok2):
        w2, b2 = _fit_binary(_logit(np.minimum(p1 + p2, 1.0))[:, None], ok2, c=100.0)
        conf2 = (float(w2[0]), b2)
    fusion = _Fusion(coef, bias, conf1, conf2)
    top1, top2 = fusion.confidence(p1, p2)
    singles = tuple(
        (topics[next(iter(labels))], topics[int(order[q, 0])])
        for q, labels in enumerate(label_sets)
        if len(labels) == 1
    )
    return fusion, CalibrationReport(
        rows=len(features),
        heldout_top1=float(ok1.mean()),
        heldout_top3=float(ok3.mean()),
        confidences=tuple(float(v) for v in top1),
        second_confidences=tuple(float(v) for v in top2),
        correct_top1=tuple(bool(v) for v in ok1),
        correct_top2=tuple(bool(v) for v in ok2),
        single_outcomes=singles,
    )


# --------------------------------------------------------------------------- matcher


class Matcher:
    """A built index; immutable after :meth:`build`, safe to share between threads."""

    def __init__(
        self,
        settings: MatchSettings,
        entries: tuple[KnowledgeEntry, ...],
        topics: tuple[str, ...],
        index: _Index | None = None,
        fusion: _Fusion = _DEFAULT_FUSION,
        calibration: CalibrationReport | None = None,
    ) -> None:
        self.settings = settings
        self.entries = entries
        self.topics = topics
        self.calibration = calibration or CalibrationReport()
        self._index = index
        self._fusion = fusion
        self._entry_region = tuple(normalize_region(e.region) for e in entries)
        self._by_region: dict[str | None, tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def build(cls, entries: Iterable[KnowledgeEntry], settings: MatchSettings | None = None) -> Matcher:
        """Index the published entries (drafts and retired entries are ignored)."""
        settings = settings or MatchSettings()
        warm_up()
        topics = topic_ids()
        rank = {t: i for i, t in enumerate(topics)}
        chosen = tuple(
            sorted((e for e in entries if e.is_published), key=lambda e: (rank.get(e.topic, len(rank)), e.id))
        )
        chosen = tuple(e for e in chosen if e.topic in rank)
        if not chosen:
            return cls(settings, chosen, topics)
        _messages()  # load the reply texts now, not at the first question
        texts = [_analyse_entry(e) for e in chosen]
        index = _Index(texts, [range(len(t.questions)) for t in texts], topics, settings)
        fusion, report = _fit_fusion(texts, topics, settings)
        return cls(settings, chosen, topics, index, fusion, report)

    def __len__(self) -> int:
        return len(self.entries)

    def ask(self, question: str, region: str | None = None) -> AskResult:
        """Decide how to reply to ``question``; never raises on any text."""
        msgs = _messages()
        analysis = analyze((question or "")[: self.settings.max_query_chars])
        if not analysis.tokens:  # empty, emoji, punctuation or only filler words
            return AskResult("clarify", FALLBACK_TOPIC, 0.0, (), reason="empty", message=msgs.texts["empty"])
        normalized = analysis.normalized
        if is_emergency(normalized):
            ranking = self._rank(analysis, region)
            first = msgs.emergency_entry
            topic = ranking.topic if ranking else FALLBACK_TOPIC
            emergency = MatchedEntry(first.id, first.title, topic, 1.0, first.answer, first.legal_basis)
            results = (emergency, *(ranking.results if ranking else ()))[: self.settings.max_results]
            confidence = ranking.confidence if ranking else 0.0
            return AskResult("handoff", topic, confidence, results, reason="emergency", message=msgs.texts["emergency"])
        if asks_for_human(normalized):
            # rank what else they said ("转人工，我想问工伤" → work_injury), not the request itself
            compact = normalized.replace(" ", "")
            rest = "" if compact in _messages().human_exact else _messages().human_re.sub(" ", compact)
            ranking = self._rank(analyze(rest), region) if rest.strip() else None
            return self._reply("handoff", ranking, "human_requested")
        if not has_cjk(normalized) or cjk_ratio(normalized) < self.settings.min_cjk_ratio:
            return AskResult(
                "handoff", FALLBACK_TOPIC, 0.0, (), reason="not_chinese", message=msgs.texts["not_chinese"]
            )
        ranking = self._rank(analysis, region)
        s = self.settings
        if ranking is not None and ranking.confidence >= s.answer_threshold:
            return self._reply("answer", ranking, "confident")
        if (
            ranking is not None
            and ranking.top2_confidence >= s.clarify_threshold
            and len(ranking.choices) >= 2
        ):
            return self._reply("clarify", ranking, "competing_topics")
        return self._reply("handoff", ranking, "low_confidence")

    @staticmethod
    def _reply(action: str, ranking: _Ranking | None, reason: str) -> AskResult:
        texts = _messages().texts
        if ranking is None:
            return AskResult(action, FALLBACK_TOPIC, 0.0, (), reason=reason, message=texts[reason])
        message = ranking.results[0].answer if action == "answer" else texts[reason]
        return AskResult(
            action,
            ranking.topic,
            ranking.confidence,
            ranking.results,
            choices=ranking.choices if action == "clarify" else (),
            reason=reason,
            message=message,
        )

    # ---- internals
    def _region_weights(self, region: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(entries allowed for this caller, relevance factor per entry), computed once per region."""
        wanted = normalize_region(region)
        cached = self._by_region.get(wanted)
        if cached is None:
            cached = self._compute_region_weights(wanted)
            if len(self._by_region) < 64:  # provinces; odd region strings are not kept
                self._by_region[wanted] = cached
        return cached

    def _compute_region_weights(self, wanted: str | None) -> tuple[np.ndarray, np.ndarray]:
        s = self.settings
        allowed = np.ones(len(self.entries), dtype=bool)
        factor = np.ones(len(self.entries))
        for i, own in enumerate(self._entry_region):
            if own is None:
                continue
            if wanted is None:
                factor[i] = s.regional_without_region
            elif own == wanted:
                factor[i] = s.regional_match_bonus
            else:
                allowed[i] = False
        return allowed, factor

    def _pick(self, order: np.ndarray, scores: np.ndarray) -> list[int]:
        """Entries to show: the best entry of each of the first ``diverse_results`` topics (so
        that competing topics surface), then the rest by score with repeats of a topic damped."""
        assert self._index is not None
        s = self.settings
        topic_of = self._index.entry_topic
        picked: list[int] = []
        for t in order:
            if len(picked) >= min(s.diverse_results, s.max_results):
                break
            members = np.flatnonzero((topic_of == t) & (scores >= 0))
            if members.size:
                picked.append(int(members[np.argmax(scores[members])]))
        damped = scores.copy()
        for i in picked:
            same = topic_of == topic_of[i]
            damped[same] = np.where(scores[same] >= 0, scores[same] * s.same_topic_damping, -1.0)
        damped[picked] = -1.0
        while len(picked) < s.max_results:
            i = int(np.argmax(damped))
            if damped[i] < 0:
                break
            picked.append(i)
            same = topic_of == topic_of[i]
            damped[same] = np.where(damped[same] >= 0, damped[same] * s.same_topic_damping, -1.0)
            damped[picked] = -1.0
        return picked

    def _rank(self, analysis: Analysis, region: str | None) -> _Ranking | None:
        index = self._index
        if index is None or not analysis.tokens:
            return None
        s = self.settings
        allowed, factor = self._region_weights(region)
        if not allowed.any():
            return None
        signals = index.signals([analysis])
        dist = self._fusion.distribution(index.topic_features(signals, allowed))[0]
        has_entry = np.zeros(index.n_topics, dtype=bool)
        has_entry[index.entry_topic[allowed]] = True
        dist = np.where(has_entry, dist, 0.0)
        dist = dist / dist.sum()
        order = np.argsort(-dist, kind="stable")
        p1 = float(dist[order[0]])
        p2 = float(dist[order[1]]) if len(order) > 1 else 0.0
        top1, top2 = self._fusion.confidence(np.asarray([p1]), np.asarray([p2]))

        # relevance of each entry within its topic: BM25F (relative to the best) and phrase similarity
        bm25, phrase_sim = signals.bm25[0], signals.phrase_sim[0]
        top_bm25 = float(bm25[allowed].max())
        rel_bm25 = bm25 / top_bm25 if top_bm25 > 0 else bm25
        relevance = (s.share_bm25 * rel_bm25 + (1 - s.share_bm25) * phrase_sim) * factor
        relevance = np.where(allowed, np.maximum(relevance, 1e-6), 0.0)
        best = index.per_topic_max(relevance[None, :])[0]
        topic_of = index.entry_topic
        # an entry's score: its topic's probability times its relevance relative to the topic's best
        scores = np.where(allowed, dist[topic_of] * relevance / np.where(best > 0, best, 1.0)[topic_of], -1.0)

        picked = self._pick(order, scores)
        if picked and normalize_region(region) is None and self._entry_region[picked[0]] is not None:
            # without a known region a provincial entry never comes first: the topic's best
            # national entry does, when there is one
            topic_of = index.entry_topic
            national = [
                int(i)
                for i in np.flatnonzero(topic_of == topic_of[picked[0]])
                if self._entry_region[int(i)] is None
            ]
            if national:
                best = max(national, key=lambda i: float(scores[i]))
                picked = [best, *(i for i in picked if i != best)][: s.max_results]
        shown: list[float] = []
        for i in picked:  # an entry's score, capped so that the list never increases
            shown.append(min(float(scores[i]), shown[-1]) if shown else float(scores[i]))
        results = tuple(
            MatchedEntry(
                id=self.entries[i].id,
                title=self.entries[i].title,
                topic=self.entries[i].topic,
                score=round(score, 4),
                answer=self.entries[i].answer,
                legal_basis=self.entries[i].legal_basis,
            )
            for i, score in zip(picked, shown, strict=True)
        )
        if not results:
            return None
        choices: list[Choice] = []
        for t in order[: s.max_choices]:
            if dist[t] <= 0 or float(dist[t]) < s.alt_topic_share * p1:
                break
            members = np.flatnonzero((topic_of == t) & allowed)
            entry = self.entries[int(members[np.argmax(scores[members])])]
            choices.append(Choice(entry.topic, topic_name(entry.topic), entry.id, entry.title))
        if len(choices) < 2:
            # one topic stands out but not enough to answer: offer its best entries instead
            shown_ids = {c.entry_id for c in choices}
            for i in picked:
                entry = self.entries[i]
                if entry.topic == results[0].topic and entry.id not in shown_ids and len(choices) < 3:
                    choices.append(Choice(entry.topic, topic_name(entry.topic), entry.id, entry.title))
        return _Ranking(
            topic=results[0].topic,
            results=results,
            confidence=round(float(top1[0]), 4),
            top2_confidence=round(float(top2[0]), 4),
            choices=tuple(choices),
        )


@dataclass(frozen=True, slots=True)
class _Ranking:
    topic: str
    results: tuple[MatchedEntry, ...]
    confidence: float
    top2_confidence: float
    choices: tuple[Choice, ...]
