"""Knowledge gaps: grouping unanswered questions so that supervisors see what is missing.

Pure functions. A question becomes canonical tokens (``text.analyze``: jieba + domain dictionary
+ synonyms, so 强险/交强险 or 电瓶车/电动车 count as the same word) plus adjacent one-character
tokens joined (so a word jieba splits, e.g. 代/驾, still matches), weighted by TF-IDF (sub-linear
term frequency, smoothed idf, l2-normalised rows). Questions are then grouped by average-linkage
agglomerative clustering on cosine distance, cut where the average similarity between two groups
falls below ``threshold``. Questions without any content token each stay alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from claimline.knowledge.text import analyze

# Chosen on data: clustering the phrasings of 40 random entries of knowledge/ (each entry's phrasings
# are one true group), 0.2 gave the best V-measure (0.76; homogeneity 0.86, completeness 0.69):
# groups are nearly pure, a missing entry's questions may still split into two or three groups.
DEFAULT_THRESHOLD = 0.2


@dataclass(frozen=True)
class GapQuestion:
    id: int
    text: str
    topic_guess: str = "other"


@dataclass(frozen=True)
class GapCluster:
    questions: tuple[GapQuestion, ...]  # the most representative first
    topic_guess: str

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(q.id for q in self.questions)

    @property
    def title(self) -> str:
        return self.questions[0].text


def tfidf_matrix(token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """Rows: l2-normalised TF-IDF vectors (zero rows for texts without tokens)."""
    vocab: dict[str, int] = {}
    for tokens in token_lists:
        for token in tokens:
            vocab.setdefault(token, len(vocab))
    n = len(token_lists)
    rows, cols, values = [], [], []
    df = np.zeros(len(vocab))
    for r, tokens in enumerate(token_lists):
        counts = Counter(vocab[t] for t in tokens)
        for c, count in counts.items():
            rows.append(r)
            cols.append(c)
            values.append(1.0 + np.log(count))
            df[c] += 1
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    data = np.asarray(values) * idf[np.asarray(cols, dtype=np.int64)] if values else np.zeros(0)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(n, len(vocab)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def features(text: str) -> list[str]:
    """Canonical jieba tokens, plus each pair of adjacent one-character tokens joined (a word jieba
    does not know, such as 代驾 cut into 代/驾, still matches itself)."""
    tokens = list(analyze(text).tokens)
    joined = [a + b for a, b in zip(tokens, tokens[1:], strict=False) if len(a) == 1 and len(b) == 1]
    return tokens + joined


def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    matrix = tfidf_matrix([features(t) for t in texts])
    return np.asarray((matrix @ matrix.T).todense())


def cluster_indices(texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Groups of indices of ``texts`` (largest group first, each group's medoid first)."""
    n = len(texts)
    if n == 0:
        return []
    sim = similarity_matrix(texts)
    empty = [i for i in range(n) if not sim[i, i] > 0]
    groups: list[list[int]] = [[i] for i in range(n) if sim[i, i] > 0]
    if len(groups) > 1:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        members = [g[0] for g in groups]
        distance = np.clip(1.0 - sim[np.ix_(members, members)], 0.0, 2.0)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
        by_label: dict[int, list[int]] = {}
        for index, label in zip(members, labels, strict=True):
            by_label.setdefault(int(label), []).append(index)
        groups = list(by_label.values())
    groups.extend([i] for i in empty)
    ordered = []
    for group in groups:
        if len(group) > 1:
            block = sim[np.ix_(group, group)]
            centrality = block.sum(axis=1)
            group = [group[i] for i in np.argsort(-centrality, kind="stable")]
        ordered.append(group)
    ordered.sort(key=lambda g: (-len(g), g[0]))
    return ordered


def cluster_gaps(questions: Sequence[GapQuestion], threshold: float = DEFAULT_THRESHOLD) -> list[GapCluster]:
    """Clusters of gap questions, largest first; topic guess = the most frequent guess in a cluster."""
    clusters = []
    for group in cluster_indices([q.text for q in questions], threshold):
        members = tuple(questions[i] for i in group)
        guesses = Counter(q.topic_guess for q in members)
        top = max(guesses.values())
        topic = next(q.topic_guess for q in members if guesses[q.topic_guess] == top)
        clusters.append(GapCluster(members, topic))
    return clusters


def representative(texts: Sequence[str]) -> str:
    """The text most similar to all the others (the first when there is no overlap)."""
    if not texts:
        return ""
    if len(texts) == 1:
        return texts[0]
    sim = similarity_matrix(texts)
    return texts[int(np.argmax(sim.sum(axis=1)))]
