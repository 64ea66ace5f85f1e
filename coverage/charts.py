"""Charts for the coverage dashboards, drawn on the server as inline SVG.

No JavaScript and no CDN: government networks are often closed, and a projector or a printer
only needs the markup. Every colour, stroke and font is an attribute of the SVG itself, so the
chart prints the same without the page's CSS. The drawing is in a 1000-unit-wide viewBox with
`width="100%"`, so it scales to its container; font sizes below are in those units.

Every piece of text is escaped here; the functions return SafeString only of markup they built.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

GREEN = "#146c43"
TRACK = "#dee2e6"
TEXT = "#212529"
MUTED = "#495057"
GRID = "#ced4da"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', Arial, sans-serif"

WIDTH = 1000
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a percentage, may exceed 100; None when there is no potential
    detail: str  # "1.094 dari 5.000"
    url: str = ""


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class Point:
    month: datetime.date  # the first of the month
    values: dict[str, int | float | None]


# --- Indonesian numbers ------------------------------------------------------------------------
# django.utils.formats follows the active language (English readers would get "24,201"); the
# charts always speak Indonesian numbers, as the issue asks, and need no settings at all.


def _id_decimal(value: float | int | Decimal, decimals: int) -> str:
    exponent = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def id_number(value: int) -> str:
    """24201 -> "24.201"."""
    return _id_decimal(value, 0)


def id_percent(value: float | None, decimals: int = 1) -> str:
    """22.34 -> "22,3 %"; None -> "—"."""
    return _percent(value, decimals, "%")


def _percent(value: float | None, decimals: int, unit: str) -> str:
    if value is None:
        return "—"
    return f"{_id_decimal(value, decimals)} {unit}"


def _id_plain(value: float | int) -> str:
    """A count as "24.201", a fraction with as few decimals as it needs ("2,5")."""
    if float(value).is_integer():
        return id_number(int(value))
    text = _id_decimal(value, 2)
    return text.rstrip("0").rstrip(",")


def month_label(month: datetime.date) -> str:
    """date(2026, 8, 1) -> "Agu 26"."""
    return f"{MONTHS[month.month - 1]} {month.year % 100:02d}"


def nice_axis(peak: float, *, whole: bool = False) -> tuple[float, float]:
    """Top and step of a y axis from 0 that shows peak in four or five round steps.

    The step is 1, 2, 2,5 or 5 × 10^n (24.201 -> 5.000 up to 25.000; 30.000 -> 10.000 up to
    40.000, where a top of 1/2/2,5/5 × 10^n would waste 40 % of the plot on 50.000). whole:
    the values are counts, so the step is a whole number (1 -> ticks 1, 2, 3, 4, not 0,2…).
    """
    if peak <= 0:
        peak = 1
    exponent = math.floor(math.log10(peak / 5))
    step = 0.0
    for power in (exponent, exponent + 1):
        for mantissa in (1, 2, 2.5, 5):
            step = mantissa * 10.0**power
            if whole and not (step >= 1 and step.is_integer()):
                continue
            if step * 5 >= peak * (1 - 1e-12):
                break
        else:
            continue
        break
    if whole:
        step = max(step, 1.0)
    count = max(math.ceil(peak / step - 1e-9), 4)
    top = step * count
    if top.is_integer():
        return int(top), int(step) if step.is_integer() else step
    return top, step


# --- SVG building blocks -----------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate, short and without exponent notation."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(
    x: float, y: float, content: str, *, size: int = 14, fill: str = TEXT, **attributes: str
) -> str:
    """<text>; attributes are given in Python spelling (text_anchor="end")."""
    extra = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in attributes.items())
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{escape(fill)}"{extra}>'
        f"{escape(content)}</text>"
    )


_NARROW = frozenset("fijlrtI.,:;'!|()[] ")
_WIDE = frozenset("mwMW@%<>=+~")


def _width(text: str, size: float) -> float:
    """Roughly how wide text is in a sans-serif, erring wide (DejaVu, not Segoe UI)."""
    ems = sum(
        0.34 if c in _NARROW else 0.88 if c in _WIDE else 0.72 if c.isupper() else 0.6 for c in text
    )
    return ems * size


def _truncate(text: str, room: float, size: float) -> str:
    """text, or as much of it as fits room with an ellipsis."""
    if _width(text, size) <= room:
        return text
    while text and _width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _svg(*, height: float, title: str, desc: str, body: list[str]) -> SafeString:
    # A stable id per content: the same chart renders the same bytes (cacheable), and two
    # different charts on one page do not share the ids their aria-labelledby points at.
    digest = hashlib.sha1(f"{title}\n{desc}".encode(), usedforsecurity=False).hexdigest()[:10]
    chart_id = f"chart-{digest}"
    return mark_safe(  # noqa: S308 - every text and attribute value above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" '
        f'class="chart">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _empty(text: str) -> SafeString:
    return mark_safe(  # noqa: S308 - the only text is escaped
        f'<p class="chart-empty text-secondary">{escape(text)}</p>'
    )


# --- bar chart ---------------------------------------------------------------------------------

ROW = 30
BAR = 20
BAR_TOP = 30  # room for the "100 %" above the reference line
LABEL_X = 0
TRACK_X = 240
TRACK_WIDTH = 460
VALUE_END = TRACK_X + TRACK_WIDTH + 84  # right edge of "100,0 %"
DETAIL_X = VALUE_END + 10


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    percent_label: str = "%",
    empty_text: str | None = None,
) -> SafeString:
    """Horizontal bars of percentages, highest first, with a reference line at 100."""
    if not bars:
        return _empty(empty_text if empty_text is not None else gettext("Nothing to show yet."))
    ordered = sorted(bars, key=lambda bar: (bar.value is None, -(bar.value or 0)))
    height = BAR_TOP + ROW * len(ordered) + 6
    reference_x = TRACK_X + TRACK_WIDTH
    body = [
        _text(reference_x, 16, f"100 {percent_label}", size=14, text_anchor="middle", fill=MUTED),
    ]
    for index, bar in enumerate(ordered):
        body.append(_bar_row(bar, top=BAR_TOP + index * ROW, percent_label=percent_label))
    # Drawn last so it stays visible over the bars it crosses.
    body.append(
        f'<line x1="{reference_x}" y1="22" x2="{reference_x}" y2="{_n(height - 2)}" '
        f'stroke="{TEXT}" stroke-width="1.5" stroke-dasharray="4 3" shape-rendering="crispEdges"/>'
    )
    desc = "; ".join(
        f"{bar.label} {_percent(bar.value, 1, percent_label)} ({bar.detail})"
        if bar.detail
        else f"{bar.label} {_percent(bar.value, 1, percent_label)}"
        for bar in ordered
    )
    return _svg(height=height, title=title, desc=desc, body=body)


def _bar_row(bar: Bar, *, top: float, percent_label: str) -> str:
    value_text = _percent(bar.value, 1, percent_label)
    middle = top + ROW / 2
    baseline = middle + 5  # 15-unit text sits visually centred on the bar
    bar_y = middle - BAR / 2
    full = " · ".join(part for part in (bar.label, value_text, bar.detail) if part)
    parts = [
        f"<title>{escape(full)}</title>",
        # An invisible band over the whole row: the link catches clicks between the shapes too.
        f'<rect x="0" y="{_n(top)}" width="{WIDTH}" height="{ROW}" fill="#ffffff" fill-opacity="0"/>',
        _text(
            LABEL_X,
            baseline,
            _truncate(bar.label, TRACK_X - LABEL_X - 14, 15),
            size=15,
            **({"text_decoration": "underline"} if bar.url else {}),
        ),
        f'<rect x="{TRACK_X}" y="{_n(bar_y)}" width="{TRACK_WIDTH}" height="{BAR}" '
        f'fill="{TRACK}" shape-rendering="crispEdges"/>',
    ]
    if bar.value is not None and bar.value > 0:
        shown = min(bar.value, 100.0)
        width = max(TRACK_WIDTH * shown / 100, 2)  # a sliver, so 0,1 % is not read as nothing
        parts.append(
            f'<rect x="{TRACK_X}" y="{_n(bar_y)}" width="{_n(width)}" height="{BAR}" '
            f'fill="{GREEN}" shape-rendering="crispEdges"/>'
        )
        if bar.value > 100:
            # Capped: a white double chevron at the end says "goes on beyond 100".
            end = TRACK_X + TRACK_WIDTH
            for offset in (4, 12):
                tip = end - offset
                parts.append(
                    f'<polyline points="{_n(tip - 6)},{_n(bar_y + 3)} {_n(tip)},{_n(middle)} '
                    f'{_n(tip - 6)},{_n(bar_y + BAR - 3)}" fill="none" stroke="#ffffff" '
                    f'stroke-width="2" data-capped="true"/>'
                )
    parts.append(
        _text(VALUE_END, baseline, value_text, size=15, text_anchor="end", font_weight="600"),
    )
    if bar.detail:
        parts.append(_text(DETAIL_X, baseline, _truncate(bar.detail, WIDTH - DETAIL_X - 4, 14)))
    inner = "".join(parts)
    if bar.url:
        return (
            f'<a href="{escape(bar.url)}" aria-label="{escape(full)}">'
            f'<g class="chart-row">{inner}</g></a>'
        )
    return f'<g class="chart-row">{inner}</g>'


# --- line chart --------------------------------------------------------------------------------

LINE_HEIGHT = 380
PLOT_LEFT = 78
PLOT_RIGHT = 900  # room for the last values on the right
LEGEND_ROW = 26


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    series: Sequence[Series],
    empty_text: str | None = None,
) -> SafeString:
    """A monthly trend, one line per series from 0 to a round maximum; None breaks a line."""
    ordered = sorted(points, key=lambda point: point.month)
    values = [point.values.get(line.key) for point in ordered for line in series]
    present = [value for value in values if value is not None]
    if not ordered or not series or not present:
        return _empty(empty_text if empty_text is not None else gettext("Nothing to show yet."))

    whole = all(float(value).is_integer() for value in present)
    top, tick_step = nice_axis(max(present), whole=whole)
    ticks = [tick_step * i for i in range(1, round(top / tick_step) + 1)]
    # Wide enough for "1.250.000" on the axis and beside the last points.
    left = max(PLOT_LEFT, 20 + _width(_id_plain(top), 15))
    right = min(PLOT_RIGHT, WIDTH - 16 - max(_width(_id_plain(v), 16) for v in present))
    legend, legend_height = _legend(series, left=left)
    plot_top = legend_height + 24
    plot_bottom = LINE_HEIGHT - 34

    def y_of(value: float) -> float:
        return plot_bottom - (plot_bottom - plot_top) * value / top

    span = right - left
    if len(ordered) == 1:
        xs = [left + span / 2]
    else:
        xs = [left + span * i / (len(ordered) - 1) for i in range(len(ordered))]

    body = list(legend)
    for tick in [0, *ticks]:
        y = y_of(tick)
        stroke = TEXT if tick == 0 else GRID
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{stroke}" stroke-width="1" shape-rendering="crispEdges"/>'
        )
        body.append(
            _text(left - 10, y + 5, _id_plain(tick), size=15, text_anchor="end", fill=MUTED)
        )

    # Month labels: every month while they fit, otherwise every second, third… month.
    step = 1 if len(xs) < 2 else max(1, math.ceil(64 / (xs[1] - xs[0])))
    for index, (x, point) in enumerate(zip(xs, ordered, strict=True)):
        if index % step == 0:
            body.append(
                _text(
                    x,
                    plot_bottom + 24,
                    month_label(point.month),
                    size=15,
                    text_anchor="middle",
                    fill=MUTED,
                )
            )

    ends: list[tuple[float, float, str, str]] = []  # (y, x, text, colour) of each last value
    for line in series:
        colour = escape(line.colour)
        dash = ' stroke-dasharray="8 5"' if line.dashed else ""
        run: list[str] = []
        runs: list[list[str]] = [run]
        last: tuple[float, float, float | int] | None = None
        for x, point in zip(xs, ordered, strict=True):
            value = point.values.get(line.key)
            if value is None:
                run = []
                runs.append(run)
                continue
            y = y_of(value)
            run.append(f"{_n(x)},{_n(y)}")
            last = (x, y, value)
        for segment in runs:
            if len(segment) > 1:
                body.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                    f'stroke-width="3" stroke-linejoin="round"{dash}/>'
                )
        for x, point in zip(xs, ordered, strict=True):
            value = point.values.get(line.key)
            if value is not None:
                body.append(
                    f'<circle cx="{_n(x)}" cy="{_n(y_of(value))}" r="4.5" fill="{colour}" '
                    f'stroke="#ffffff" stroke-width="1.5">'
                    f"<title>{escape(f'{line.label}, {month_label(point.month)}: {_id_plain(value)}')}</title>"
                    f"</circle>"
                )
        if last is not None:
            ends.append((last[1], last[0], _id_plain(last[2]), colour))

    # Last values beside their points, nudged apart so close lines do not print on each other.
    ends.sort()
    placed: list[float] = []
    for y, _x, _label, _colour in ends:
        placed.append(max(y, placed[-1] + 18) if placed else y)
    overflow = placed[-1] - (plot_bottom - 2) if placed else 0
    if overflow > 0:
        placed = [y - overflow for y in placed]
    for (_y, x, label, colour), y in zip(ends, placed, strict=True):
        body.append(
            # A white halo keeps the number readable where it sits on another line.
            f'<text x="{_n(x + 10)}" y="{_n(y + 5)}" font-size="16" font-weight="600" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" '
            f'paint-order="stroke">{escape(label)}</text>'
        )

    desc = "; ".join(_series_summary(line, ordered) for line in series)
    return _svg(height=LINE_HEIGHT, title=title, desc=desc, body=body)


def _legend(series: Sequence[Series], *, left: float) -> tuple[list[str], float]:
    """Swatch and label per series, left to right, wrapping onto a new row when full."""
    parts: list[str] = []
    x, y = left, 18.0
    for line in series:
        width = 34 + _width(line.label, 16) + 28  # swatch, label, gap
        if x > left and x + width > WIDTH:
            x, y = left, y + LEGEND_ROW
        colour = escape(line.colour)
        dash = ' stroke-dasharray="8 5"' if line.dashed else ""
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(y - 5)}" x2="{_n(x + 26)}" y2="{_n(y - 5)}" '
            f'stroke="{colour}" stroke-width="3"{dash}/>'
            f'<circle cx="{_n(x + 13)}" cy="{_n(y - 5)}" r="4.5" fill="{colour}"/>'
        )
        parts.append(_text(x + 34, y, line.label, size=16))
        x += width
    return parts, y


def _series_summary(line: Series, points: Sequence[Point]) -> str:
    known = [
        (point.month, point.values[line.key])
        for point in points
        if point.values.get(line.key) is not None
    ]
    if not known:
        return f"{line.label}: —"
    (first_month, first), (last_month, last) = known[0], known[-1]
    if len(known) == 1:
        return f"{line.label}: {month_label(first_month)} {_id_plain(first)}"
    return (
        f"{line.label}: {month_label(first_month)} {_id_plain(first)} … "
        f"{month_label(last_month)} {_id_plain(last)}"
    )
