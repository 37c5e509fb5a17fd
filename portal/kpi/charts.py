"""Charts as server-rendered SVG: no JavaScript, readable by screen readers, drawn from a table.

Each chart is role="img" with a <title> and <desc> it is labelled by; the table beside it holds
the same numbers, formatted by the same function. Colours have at least 4.5:1 contrast on white.
"""

from __future__ import annotations

from itertools import count

from flask_babel import get_locale
from markupsafe import Markup, escape

from portal.kpi.dashboards import SUPPRESSED, Chart, NumberFormat, Table, display, kind_of, raw

#: Dark blue bars and line (contrast 9.9:1 on white), near-black text.
BAR = "#1f4e79"
TEXT = "#1b1b1b"
GRID = "#767676"
#: The dashed reference line (e.g. the regional median): dark orange, 5.6:1 on white.
REFERENCE = "#a14a00"

_ids = count(1)

WIDTH = 720
ROW = 28
LABEL_WIDTH = 260
VALUE_WIDTH = 120


def render(table: Table, chart: Chart) -> Markup:
    """Return the SVG of a chart of the table."""
    points = [
        (str(row[chart.label_column]), raw(row[chart.value_column]), kind_of(row[chart.value_column], table.columns[chart.value_column]))
        for row in table.rows
    ]
    ident = f"chart-{table.key}-{chart.value_column}-{next(_ids)}"
    formats = NumberFormat.of(get_locale())  # once per chart, not per value
    if chart.kind == "line":
        reference = None
        if chart.reference_column is not None:
            column = table.columns[chart.reference_column]
            reference = (chart.reference_label, [
                (raw(row[chart.reference_column]), kind_of(row[chart.reference_column], column)) for row in table.rows
            ])
        return line_chart(ident, chart.title, chart.description, points, reference, formats)
    return bar_chart(ident, chart.title, chart.description, points, formats)


def _open(ident: str, title, description, height: int) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="13">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )


def _number(value) -> float | None:
    if value is None or value is SUPPRESSED:
        return None
    return float(value)


def bar_chart(ident: str, title, description, points: list[tuple],
              formats: NumberFormat | None = None) -> Markup:
    """Return horizontal bars, one per point, each labelled with its formatted value."""
    height = max(len(points), 1) * ROW + 10
    numbers = [_number(value) for _, value, _ in points]
    largest = max((n for n in numbers if n is not None and n > 0), default=1.0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [_open(ident, title, description, height)]
    for index, ((label, value, kind), number) in enumerate(zip(points, numbers, strict=True)):
        y = 5 + index * ROW
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end" fill="{TEXT}">{escape(_short(label))}</text>'
        )
        length = 0 if number is None or number <= 0 else max(span * number / largest, 1)
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW - 8}" fill="{BAR}"/>')
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 18}" fill="{TEXT}">{escape(display(value, kind, formats))}</text>'
        )
    parts.append(f'<line x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{height}" stroke="{GRID}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(ident: str, title, description, points: list[tuple], reference: tuple | None = None,
               formats: NumberFormat | None = None) -> Markup:
    """Return a line through the points, with a marker and the formatted value at each.

    ``reference`` is (label, [(value, kind), ...]): a second series, one value per point, drawn
    as a dashed line with its values under its markers and a legend (e.g. the regional median).
    """
    height = 260
    left, right, top, bottom = 20, 20, 30, 50
    numbers = [_number(value) for _, value, _ in points]
    reference_numbers = [_number(value) for value, _kind in reference[1]] if reference else []
    known = [n for n in numbers + reference_numbers if n is not None]
    low, high = 0.0, max(known, default=1.0) or 1.0
    step = (WIDTH - left - right) / max(len(points) - 1, 1)
    parts = [_open(ident, title, description, height)]
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH - right}" y2="{height - bottom}" stroke="{GRID}"/>')
    coordinates = []
    for index, ((label, value, kind), number) in enumerate(zip(points, numbers, strict=True)):
        x = left + index * step
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 20}" text-anchor="middle" fill="{TEXT}">{escape(label)}</text>')
        if number is None:
            continue
        y = top + (height - top - bottom) * (1 - (number - low) / (high - low))
        coordinates.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR}"/>')
        parts.append(f'<text x="{x:.1f}" y="{y - 10:.1f}" text-anchor="middle" fill="{TEXT}">{escape(display(value, kind, formats))}</text>')
    if len(coordinates) > 1:
        parts.insert(2, f'<polyline points="{" ".join(coordinates)}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    if reference:
        parts.extend(_reference_line(reference, reference_numbers, left, step, top, height - bottom, high,
                                     formats))
    parts.append("</svg>")
    return Markup("".join(parts))


def _reference_line(reference: tuple, numbers: list, left: float, step: float, top: float, base: float,
                    high: float, formats: NumberFormat | None = None) -> list[str]:
    """Return the dashed second line of a line chart, its markers and values, and its legend."""
    label, values = reference
    parts, coordinates = [], []
    for index, ((value, kind), number) in enumerate(zip(values, numbers, strict=True)):
        if number is None:
            continue
        x = left + index * step
        y = top + (base - top) * (1 - number / high)
        coordinates.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{REFERENCE}"/>')
        parts.append(f'<text x="{x:.1f}" y="{y + 18:.1f}" text-anchor="middle" fill="{REFERENCE}">'
                     f'{escape(display(value, kind, formats))}</text>')
    if not coordinates:
        return []
    line = (f'<polyline class="chart__reference" points="{" ".join(coordinates)}" fill="none" '
            f'stroke="{REFERENCE}" stroke-width="2" stroke-dasharray="6 4"/>')
    legend = (f'<line x1="{WIDTH - 200}" y1="12" x2="{WIDTH - 170}" y2="12" stroke="{REFERENCE}" stroke-width="2" '
              f'stroke-dasharray="6 4"/><text x="{WIDTH - 164}" y="16" fill="{TEXT}">{escape(label)}</text>')
    return [line, *parts, legend]


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
