"""A proposed split of a reaction or letter into points, by paragraph and bullet.

Each part keeps where it sits in the source text (start and end offsets), so a point can always
be traced back to the words it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A reaction shorter than this is one point, whatever its layout.
SHORT = 280
#: A line that starts a bullet or a numbered item: "-", "*", "•", "1.", "2)", "a)".
_BULLET = re.compile(r"^[ \t]*(?:[-*•–·▪]|\d{1,2}[.)]|[a-z][)])[ \t]+", re.MULTILINE)
_BLANK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Part:
    """A stretch of the source text proposed as one point."""

    start: int
    end: int
    text: str


def _trimmed(source: str, start: int, end: int) -> Part | None:
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Part(start, end, source[start:end])


def _paragraphs(source: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _BLANK.finditer(source):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(source)))
    return spans


def _bullets(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph at bullet lines; the text before the first bullet stays one part."""
    marks = [m for m in _BULLET.finditer(source, start, end) if m.start() == start or source[m.start() - 1] == "\n"]
    if not marks:
        return [(start, end)]
    spans = []
    if marks[0].start() > start:
        spans.append((start, marks[0].start()))
    for index, mark in enumerate(marks):
        stop = marks[index + 1].start() if index + 1 < len(marks) else end
        spans.append((mark.end(), stop))
    return spans


def propose_split(source: str) -> list[Part]:
    """Propose points for a text: one per paragraph and per bullet; a short text is one point."""
    whole = _trimmed(source, 0, len(source))
    if whole is None:
        return []
    if len(whole.text) < SHORT and not _BULLET.search(whole.text):
        return [whole]
    parts = []
    for p_start, p_end in _paragraphs(source):
        for start, end in _bullets(source, p_start, p_end):
            part = _trimmed(source, start, end)
            if part is not None and part.text.strip(" :.-"):
                parts.append(part)
    return _join_lead_ins(source, parts)


#: The opening and closing lines of a letter, which are no points.
_FORMALITIES = re.compile(
    r"^(geachte|beste|hallo|dear|met vriendelijke groet|met hartelijke groet|hoogachtend|vriendelijke groet|"
    r"namens deze|kind regards)\b", re.IGNORECASE)


def _join_lead_ins(source: str, parts: list[Part]) -> list[Part]:
    """Drop lead-in lines that only announce a list ("Onze punten:") and a letter's salutation and
    closing: they are not points."""
    kept = []
    for part in parts:
        if part.text.endswith(":") and len(part.text) < 120:
            continue
        if _FORMALITIES.match(part.text) and len(part.text) < 200:
            continue
        kept.append(part)
    return kept or parts


def split_at(part_text: str, offset: int) -> tuple[str, str]:
    """Split a point's text in two at a character offset; both halves must hold words."""
    head, tail = part_text[:offset].rstrip(), part_text[offset:].lstrip()
    if not head or not tail:
        raise ValueError("offset")
    return head, tail
