"""Suggest themes for uncoded points, learned from the codebook and the points already coded.

Offline and deterministic. Each theme is a centroid in a TF-IDF space of Dutch stems (compounds
split against the consultation's own vocabulary) and letter n-grams: the sum of the points coded
with it plus its label and description as a weighted prior. A point is scored by cosine
similarity to each centroid, so every accepted suggestion moves its theme's centroid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from scipy.sparse import hstack
from sklearn.preprocessing import normalize

from consultations.analysis.text import Vocabulary, fold, terms

#: How many coded points the label and description count as (measured on the test dataset).
PRIOR_WEIGHT = 5.0
#: How many suggestions each point gets.
TOP = 3
#: Letter n-grams catch Dutch word forms that stemming and compound splitting miss.
CHAR_NGRAMS = (3, 5)


@dataclass(frozen=True)
class ThemeDoc:
    """A theme of the codebook as the suggester sees it."""

    key: str
    label: str
    description: str = ""

    @property
    def text(self) -> str:
        """Return the label (twice, it is the strongest signal) and the description."""
        return f"{self.label}. {self.label}. {self.description or ''}"


@dataclass(frozen=True)
class Suggestion:
    """The best themes for one point, best first."""

    point: str
    themes: list[tuple[str, float]]


def vectorizer(texts: Sequence[str]) -> TfidfVectorizer:
    """Return a TF-IDF vectorizer over Dutch stems, fitted on the texts."""
    vocabulary = Vocabulary(texts)
    vec = TfidfVectorizer(analyzer=lambda text: terms(text, vocabulary), sublinear_tf=True, norm="l2")
    vec.fit(list(texts))
    return vec


class Features:
    """Word stems (compounds split) and letter n-grams, TF-IDF weighted, fitted on one corpus."""

    def __init__(self, texts: Sequence[str]):
        texts = list(texts)
        self.words = vectorizer(texts)
        self.letters = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, preprocessor=fold,
                                       sublinear_tf=True, min_df=2 if len(texts) > 2 else 1)
        self.letters.fit(texts)

    def transform(self, texts: Sequence[str]):
        """Return the L2-normalised feature rows of the texts."""
        texts = list(texts)
        return normalize(hstack([self.words.transform(texts), self.letters.transform(texts)]).tocsr())


def suggest(themes: Sequence[ThemeDoc], coded: Sequence[tuple[str, str]],
            uncoded: Sequence[tuple[str, str]], top: int = TOP) -> list[Suggestion]:
    """Return for each uncoded (ref, text) the ``top`` themes with a score between 0 and 1."""
    if not themes or not uncoded:
        return [Suggestion(ref, []) for ref, _ in uncoded]
    keys = [theme.key for theme in themes]
    index = {key: i for i, key in enumerate(keys)}
    coded = [(text, key) for text, key in coded if key in index]
    features = Features([t.text for t in themes] + [text for text, _ in coded] + [text for _, text in uncoded])
    sums = features.transform([t.text for t in themes]).toarray() * PRIOR_WEIGHT
    if coded:
        coded_vectors = features.transform([text for text, _ in coded])
        labels = np.array([index[key] for _, key in coded])
        for column in range(len(themes)):
            rows = labels == column
            if rows.any():
                sums[column] += np.asarray(coded_vectors[rows].sum(axis=0)).ravel()
    scores = np.asarray(features.transform([text for _, text in uncoded]) @ normalize(sums).T)
    # Best score first; equal scores in key order, so the outcome never depends on chance.
    by_key = np.array(sorted(range(len(keys)), key=keys.__getitem__))
    order = by_key[np.argsort(-np.round(scores[:, by_key], 6), axis=1, kind="stable")[:, :top]]
    return [
        Suggestion(ref, [(keys[c], round(float(scores[row, c]), 3)) for c in order[row]])
        for row, (ref, _) in enumerate(uncoded)
    ]
