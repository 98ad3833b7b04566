"""The roadmap's timeline as an SVG picture: the geometry is computed here, the template draws it.

One lane per roadmap phase (and one for dated recommendations outside any phase): the phase's
window as a bar, its milestones as diamonds with their names, and the recommendations as numbered
markers at their target dates, shaped and coloured by status. A time axis of months above, a line
for today, a legend below. Labels that would overlap go to the next row of their lane.

`layout` is a pure function of what it is given (it reads only attributes), so it is tested
without a database and the template only prints numbers and strings.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil
from typing import Protocol

from app import i18n
from app.i18n import N_, _

WIDTH = 960
LABEL_WIDTH = 220  # the lane labels' column
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_RIGHT = WIDTH - 24
AXIS_TOP = 34  # the month labels sit above this line
LANE_PADDING = 8
BAR_HEIGHT = 14
ROW_HEIGHT = 22
MARKER = 6  # half the size of a marker
LABEL_GAP = 4
CHAR_WIDTH = 6.8  # a 12px character on average, to keep labels apart
LABEL_MAX = 28  # characters of a lane or milestone label before it is cut
LEGEND_ROW = 24
TICKS_MAX = 9

INK = "#1b2430"
MUTED = "#4f5b6b"
GRID = "#d5dbe3"
PHASE_FILL = "#e6f0fa"
PHASE_STROKE = "#1f4e79"
MILESTONE = "#5b3f99"
TODAY = "#a4262c"

# Colour and shape together: a status is never told by colour alone. Each colour has a contrast
# of at least 4.5:1 on white and 3:1 on the phase bar's fill.
STATUS_STYLE: dict[str, tuple[str, str, str]] = {  # status → (shape, fill, stroke)
    "proposed": ("circle", "#ffffff", "#4f5b6b"),
    "agreed": ("circle", "#1f4e79", "#1f4e79"),
    "in_progress": ("triangle", "#8a4b00", "#8a4b00"),
    "done": ("square", "#0b5137", "#0b5137"),
    "dropped": ("cross", "none", "#a4262c"),
}
STATUS_ORDER = ("proposed", "agreed", "in_progress", "done", "dropped")


class MilestoneLike(Protocol):
    name: str
    starts_on: date
    ends_on: date


class PhaseLike(Protocol):
    id: int
    name: str
    starts_on: date
    ends_on: date

    @property
    def milestones(self) -> Sequence[MilestoneLike]: ...


class RecommendationLike(Protocol):
    title: str
    status: str
    target_on: date | None
    phase_id: int | None


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Mark:
    """A milestone or a recommendation: a shape at (x, y) and its label beside it."""

    kind: str  # "milestone" or a recommendation's status
    x: float
    y: float
    path: str  # the shape, as SVG path data
    fill: str
    stroke: str
    label: str
    label_x: float
    anchor: str  # "start" (label on the right) or "end" (on the left, near the right edge)
    title: str  # the full text, for the tooltip
    span: tuple[float, float] | None = None  # a milestone's window, when it lasts several days


@dataclass(frozen=True)
class Lane:
    y: float
    height: float
    label: str
    sublabel: str
    bar: tuple[float, float] | None  # the phase's window (x, width); none outside phases
    bar_y: float
    marks: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class LegendItem:
    kind: str  # "phase", "milestone", "today" or a status
    x: float
    y: float
    path: str
    fill: str
    stroke: str
    label_x: float
    label: str  # in the reader's language


@dataclass(frozen=True)
class Chart:
    width: int
    height: float
    plot_left: float
    plot_right: float
    axis_top: float
    lanes_bottom: float
    starts_on: date
    ends_on: date
    ticks: list[Tick]
    lanes: list[Lane]
    today_x: float | None
    legend: list[LegendItem]
    phases: int
    milestones: int
    markers: int  # recommendations drawn (those with a target date)

    @property
    def until(self) -> date:
        """The last day the axis shows."""
        return self.ends_on - timedelta(days=1)


def _n(value: float) -> float:
    return round(value, 1)


def shape_path(shape: str, x: float, y: float, size: float = MARKER) -> str:
    """SVG path data for a marker centred on (x, y)."""
    s = size
    if shape == "circle":
        return f"M{_n(x - s)} {_n(y)}a{s} {s} 0 1 0 {2 * s} 0a{s} {s} 0 1 0 {-2 * s} 0z"
    if shape == "square":
        return f"M{_n(x - s)} {_n(y - s)}h{2 * s}v{2 * s}h{-2 * s}z"
    if shape == "triangle":
        return f"M{_n(x)} {_n(y - s - 1)}L{_n(x + s + 1)} {_n(y + s)}L{_n(x - s - 1)} {_n(y + s)}z"
    if shape == "diamond":
        return f"M{_n(x)} {_n(y - s - 1)}L{_n(x + s + 1)} {_n(y)}L{_n(x)} {_n(y + s + 1)}L{_n(x - s - 1)} {_n(y)}z"
    if shape == "cross":
        return f"M{_n(x - s)} {_n(y - s)}L{_n(x + s)} {_n(y + s)}M{_n(x - s)} {_n(y + s)}L{_n(x + s)} {_n(y - s)}"
    raise ValueError(shape)


def cut(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s; the last day there is for what lies beyond."""
    total = day.year * 12 + day.month - 1 + months
    if total // 12 > date.max.year:
        return date.max
    return date(total // 12, total % 12 + 1, 1)


def _next_month(day: date) -> date:
    return _add_months(day, 1)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def tick_step(months: int) -> int:
    """Months between two labelled ticks: at most TICKS_MAX labels on the axis."""
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 600, 1200):
        if months / step <= TICKS_MAX:
            return step
    return ceil(months / TICKS_MAX)


def assign_rows(spans: Sequence[tuple[float, float]]) -> list[int]:
    """Greedy rows for horizontal spans (in the order given, sorted by start by the caller): each
    goes to the first row where it does not overlap the last span placed there."""
    ends: list[float] = []
    rows = []
    for start, end in spans:
        for row, last_end in enumerate(ends):
            if start >= last_end:
                ends[row] = end
                rows.append(row)
                break
        else:
            ends.append(end)
            rows.append(len(ends) - 1)
    return rows


def layout(
    phases: Sequence[PhaseLike],
    recommendations: Sequence[RecommendationLike],
    *,
    today: date,
    no_phase_label: str | None = None,
    language: str | None = None,
) -> Chart | None:
    """The chart for these phases (with their milestones) and recommendations (numbered 1, 2, …
    in the order given; those without a target date are not drawn). None when there is nothing
    to draw. Its words (months, the legend) are in `language`, by default the reader's: the
    legend's widths are measured on them."""
    with i18n.use_language(language):
        return _layout(phases, recommendations, today=today, no_phase_label=no_phase_label or _(NO_PHASE))


NO_PHASE = N_("Not in a phase")
# Months on the axis and under the lanes: the stand-alone short name and the year ("Jan 2026").
MONTH_FORMAT = "LLL y"


def _layout(
    phases: Sequence[PhaseLike], recommendations: Sequence[RecommendationLike], *, today: date, no_phase_label: str
) -> Chart | None:
    numbered = [(number, r) for number, r in enumerate(recommendations, start=1) if r.target_on is not None]
    milestones = [m for p in phases for m in p.milestones]
    days = [d for p in phases for d in (p.starts_on, p.ends_on)]
    days += [d for m in milestones for d in (m.starts_on, m.ends_on)]
    days += [r.target_on for _, r in numbered if r.target_on is not None]
    if not days:
        return None
    starts_on = _month_start(min(days))
    ends_on = _next_month(max(days))
    span_days = (ends_on - starts_on).days
    plot_width = PLOT_RIGHT - PLOT_LEFT

    def x_of(day: date) -> float:
        return _n(PLOT_LEFT + (day - starts_on).days / span_days * plot_width)

    # The axis: a labelled tick every `step` months.
    months = _months_between(starts_on, ends_on)
    step = tick_step(months)
    fmt = "y" if step >= 12 else MONTH_FORMAT
    ticks = []
    tick = starts_on
    while tick < ends_on:
        ticks.append(Tick(x_of(tick), i18n.format_day(tick, fmt=fmt)))
        tick = _add_months(tick, step)
        if tick == date.max:
            break

    # The lanes: one per phase, then the recommendations in no (known) phase.
    phase_ids = {p.id for p in phases}
    by_phase: dict[int | None, list[tuple[int, RecommendationLike]]] = {}
    for number, r in numbered:
        key = r.phase_id if r.phase_id in phase_ids else None
        by_phase.setdefault(key, []).append((number, r))
    rows_of_lanes: list[tuple[str, str, tuple[float, float] | None, list[_Item]]] = []
    for phase in phases:
        items = [_milestone_item(m, x_of) for m in phase.milestones]
        items += [_recommendation_item(number, r, x_of) for number, r in by_phase.get(phase.id, [])]
        window = (x_of(phase.starts_on), _n(max(x_of(phase.ends_on) - x_of(phase.starts_on), 2.0)))
        dates = f"{i18n.format_day(phase.starts_on, fmt=MONTH_FORMAT)} – {i18n.format_day(phase.ends_on, fmt=MONTH_FORMAT)}"
        rows_of_lanes.append((cut(phase.name), dates, window, items))
    if by_phase.get(None):
        items = [_recommendation_item(number, r, x_of) for number, r in by_phase[None]]
        rows_of_lanes.append((no_phase_label, "", None, items))

    lanes = []
    y = float(AXIS_TOP)
    for label, sublabel, window, items in rows_of_lanes:
        lane, height = _lane(y, label, sublabel, window, items)
        lanes.append(lane)
        y += height
    lanes_bottom = y
    today_x = x_of(today) if starts_on <= today <= ends_on else None
    legend, legend_bottom = _legend(lanes_bottom + 30)
    return Chart(
        width=WIDTH,
        height=_n(legend_bottom + 8),
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        axis_top=AXIS_TOP,
        lanes_bottom=_n(lanes_bottom),
        starts_on=starts_on,
        ends_on=ends_on,
        ticks=ticks,
        lanes=lanes,
        today_x=today_x,
        legend=legend,
        phases=len(phases),
        milestones=len(milestones),
        markers=len(numbered),
    )


@dataclass(frozen=True)
class _Item:
    """Something to place in a lane, before its row is known."""

    kind: str
    x: float
    span: tuple[float, float] | None
    shape: str
    fill: str
    stroke: str
    label: str
    title: str


def _milestone_item(milestone: MilestoneLike, x_of: Callable[[date], float]) -> _Item:
    start, end = x_of(milestone.starts_on), x_of(milestone.ends_on)
    span = (start, end) if end - start >= 2 * MARKER else None
    return _Item("milestone", start, span, "diamond", MILESTONE, MILESTONE, cut(milestone.name), milestone.name)


def _recommendation_item(number: int, r: RecommendationLike, x_of: Callable[[date], float]) -> _Item:
    status = str(r.status)
    shape, fill, stroke = STATUS_STYLE.get(status, STATUS_STYLE["proposed"])
    assert r.target_on is not None
    return _Item(status, x_of(r.target_on), None, shape, fill, stroke, str(number), f"{number}. {r.title}")


def _lane(
    y: float, label: str, sublabel: str, window: tuple[float, float] | None, items: list[_Item]
) -> tuple[Lane, float]:
    """The lane's marks, each in the first row where its label overlaps no other; its height."""
    bar_y = y + LANE_PADDING
    first_row = bar_y + BAR_HEIGHT + 6 + ROW_HEIGHT / 2
    placed = []
    for item in sorted(items, key=lambda i: (i.x, i.kind != "milestone")):
        right = max(item.x, item.span[1] if item.span else item.x) + MARKER + LABEL_GAP
        width = len(item.label) * CHAR_WIDTH
        if right + width <= WIDTH - 4:
            anchor, label_x, extent = "start", right, (item.x - MARKER - 2, right + width + 6)
        else:  # near the right edge: the label goes to the left of the marker
            label_x = item.x - MARKER - LABEL_GAP
            anchor, extent = "end", (label_x - width - 6, right)
        placed.append((item, anchor, label_x, extent))
    rows = assign_rows([extent for *_, extent in placed])
    marks = []
    for (item, anchor, label_x, _extent), row in zip(placed, rows, strict=True):
        cy = _n(first_row + row * ROW_HEIGHT)
        marks.append(
            Mark(
                kind=item.kind,
                x=item.x,
                y=cy,
                path=shape_path(item.shape, item.x, cy),
                fill=item.fill,
                stroke=item.stroke,
                label=item.label,
                label_x=_n(label_x),
                anchor=anchor,
                title=item.title,
                span=item.span,
            )
        )
    row_count = max(rows, default=0) + 1
    height = LANE_PADDING + BAR_HEIGHT + 6 + row_count * ROW_HEIGHT + LANE_PADDING
    height = max(height, 2 * LANE_PADDING + 40)  # room for the two lines of the lane's label
    lane = Lane(y=_n(y), height=_n(height), label=label, sublabel=sublabel, bar=window, bar_y=_n(bar_y), marks=marks)
    return lane, height


LEGEND_LABELS = {
    "phase": N_("Phase"),
    "milestone": N_("Milestone"),
    "today": N_("Today"),
    "proposed": N_("Proposed"),
    "agreed": N_("Agreed"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}


def _legend(top: float) -> tuple[list[LegendItem], float]:
    """The legend's swatches in rows across the chart, each as wide as its label in the reader's
    language; returns them and the legend's bottom."""
    items = []
    x, y = float(PLOT_LEFT), top
    for kind in ("phase", "milestone", "today", *STATUS_ORDER):
        label = _(LEGEND_LABELS[kind])
        width = 2 * MARKER + LABEL_GAP + len(label) * CHAR_WIDTH + 18
        if x + width > WIDTH - 4 and x > PLOT_LEFT:
            x, y = float(PLOT_LEFT), y + LEGEND_ROW
        cx = x + MARKER
        if kind == "phase":
            path, fill, stroke = f"M{_n(x - 2)} {_n(y - 5)}h{2 * MARKER + 4}v10h{-2 * MARKER - 4}z", PHASE_FILL, PHASE_STROKE
        elif kind == "milestone":
            path, fill, stroke = shape_path("diamond", cx, y), MILESTONE, MILESTONE
        elif kind == "today":
            path, fill, stroke = f"M{_n(cx)} {_n(y - 8)}V{_n(y + 8)}", "none", TODAY
        else:
            shape, fill, stroke = STATUS_STYLE[kind]
            path = shape_path(shape, cx, y)
        items.append(LegendItem(kind, _n(x), _n(y), path, fill, stroke, _n(x + 2 * MARKER + LABEL_GAP + 2), label))
        x += width
    return items, y + LEGEND_ROW / 2
