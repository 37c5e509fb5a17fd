"""Measure the theme suggestions: accuracy on the labelled dataset and the time for 5,000 points.

Run from the repository root: ``.venv/bin/python bench/suggest_themes.py``. Offline and
deterministic; the 5,000 points are the hand-written dataset recombined by a fixed rule (each
point followed by the first sentence of another point of the same theme), so the vocabulary is
realistic while the texts differ.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations.analysis.suggest import suggest  # noqa: E402
from tests.consultations.data import points, score, themes  # noqa: E402

#: Points to suggest themes for in the timing run.
SIZE = 5000


def accuracy() -> None:
    """Print how often the human theme is first and in the top 3, for several shares coded."""
    data = points()
    rest = [p for i, p in enumerate(data) if i % 3 != 0]
    print(f"dataset: {len(data)} points, {len(themes())} themes, {len({p.audience for p in data})} audiences")
    for label, step in (("a ninth", 9), ("a third", 3)):
        coded = [(p.text, p.theme) for i, p in enumerate(data) if i % step == 0]
        first, top3, evaluated = score(coded, rest)
        print(f"{label:>8} coded ({len(coded):3} points): first {first:.1%}, top 3 {top3:.1%} of {evaluated} points")
    first, top3, evaluated = score([], data)
    print(f"    none coded (labels only): first {first:.1%}, top 3 {top3:.1%} of {evaluated} points")


def synthetic(size: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return (coded, uncoded) points: a third coded, built deterministically from the dataset."""
    data = points()
    by_theme: dict[str, list[str]] = {}
    for p in data:
        by_theme.setdefault(p.theme, []).append(p.text)
    coded, uncoded = [], []
    for n in range(size):
        p = data[n % len(data)]
        same = by_theme[p.theme]
        other = same[(n // len(data) + 1) % len(same)].split(".")[0]
        text = f"{p.text} {other}."
        (coded if n % 3 == 0 else uncoded).append((text, p.theme) if n % 3 == 0 else (f"p-{n}", text))
    return coded, uncoded


def timing(size: int = SIZE) -> tuple[float, float]:
    """Return the wall-clock and CPU seconds to suggest themes for ``size`` points, a third coded."""
    coded, uncoded = synthetic(size)
    # Suggest for every point of the set: the coded third trains, all others get suggestions.
    start, cpu = time.perf_counter(), time.process_time()
    found = suggest(themes(), coded, uncoded + [(f"c-{i}", text) for i, (text, _) in enumerate(coded)])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(found) == size
    return elapsed, cpu


if __name__ == "__main__":
    accuracy()
    seconds, cpu = timing()
    print(f"suggestions for {SIZE} points (a third coded): {seconds:.2f} s wall clock, {cpu:.2f} s CPU")
