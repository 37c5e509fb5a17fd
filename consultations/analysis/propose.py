"""Propose candidate themes when there is no codebook yet (cold start).

The uncoded points are grouped with k-means (fixed seed) on TF-IDF vectors of Dutch stems; each
group is labelled with its key terms and a representative quote, the point nearest its centre.
Every point lands in exactly one group.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize

from consultations.analysis.suggest import vectorizer
from consultations.analysis.text import fold, surface_forms

#: Never propose more themes than this unless asked.
DEFAULT_MAX = 12
#: How many key terms make a label.
LABEL_TERMS = 3


@dataclass(frozen=True)
class Candidate:
    """A proposed theme: a label of key terms, the points it groups and a representative one."""

    key: str
    label: str
    keywords: list[str]
    points: list[str]
    representative: str


def _count(n: int, max_themes: int | None) -> int:
    wanted = max(1, round(math.sqrt(n / 2)))
    return max(1, min(n, wanted if max_themes is None else max_themes, max_themes or DEFAULT_MAX))


def _key(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-")[:30] or "thema"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    taken.add(key)
    return key


def propose(points: Sequence[tuple[str, str]], max_themes: int | None = None) -> list[Candidate]:
    """Group (ref, text) points into candidate themes, largest first; each point in exactly one."""
    if not points:
        return []
    texts = [text for _, text in points]
    vec = vectorizer(texts)
    matrix = normalize(vec.transform(texts))
    distinct = len({tuple(row.indices) + tuple(np.round(row.data, 6)) for row in matrix})
    k = min(_count(len(points), max_themes), distinct)
    if k <= 1:
        labels = np.zeros(len(points), dtype=int)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(matrix)
    names = vec.get_feature_names_out()
    forms = surface_forms(texts)
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        groups.setdefault(int(label), []).append(row)
    ordered = sorted(groups.values(), key=lambda rows: (-len(rows), rows[0]))
    taken: set[str] = set()
    candidates = []
    for rows in ordered:
        centre = np.asarray(matrix[rows].mean(axis=0)).ravel()
        top = [int(i) for i in np.argsort(-centre, kind="stable")[:LABEL_TERMS * 2] if centre[i] > 0]
        keywords = []
        for i in top:
            word = forms.get(names[i], names[i])
            if word not in keywords:
                keywords.append(word)
            if len(keywords) == LABEL_TERMS:
                break
        label = ", ".join(keywords) if keywords else "Overig"
        closeness = matrix[rows] @ centre
        representative = rows[int(np.argmax(closeness))]
        candidates.append(Candidate(
            key=_key(keywords[0] if keywords else "overig", taken), label=label[:200], keywords=keywords,
            points=[points[r][0] for r in rows], representative=points[representative][0],
        ))
    return candidates
