"""Bar charts for the post-event summary, as geometry: pure functions, no I/O, no markup.

`templates/summaries/_chart.html` draws a `Chart` as inline SVG (role="img", a <title> and a
<desc>; presentation attributes only, as the CSP allows no inline style), on the page and in the
PDF alike. Each chart sits next to a table that holds the same figures: the table is its text
equivalent.

The charts are horizontal grouped bars: one group per row label (a delegation, a category),
one bar per series (registered, attended), on a shared scale from zero to a round maximum.
"""

from dataclasses import dataclass
from math import floor, log10

# Layout, in SVG user units (the drawing scales to the width of its container).
WIDTH = 480
LABEL_WIDTH = 150  # the group labels, left of the bars
VALUE_WIDTH = 36  # the values, right of the longest bar
LEGEND_HEIGHT = 28
AXIS_HEIGHT = 22  # the tick labels under the bars
BAR_HEIGHT = 14
BAR_GAP = 3  # between the bars of a group
GROUP_GAP = 14  # between groups
FONT_SIZE = 12
LABEL_CHARS = 22  # longer labels are cut short with an ellipsis (the table has them whole)

# One fill per series: a mid grey-blue and a dark blue, told apart by lightness too.
FILLS = ("#8fa3bf", "#1f3f66")
TEXT_FILL = "#1a1a1a"
AXIS_STROKE = "#6b7280"


@dataclass(frozen=True)
class Bar:
    series: int
    value: int
    x: float
    y: float
    width: float
    height: float
    fill: str
    # Where the value is written: just right of the bar's end.
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Group:
    label: str  # as drawn (maybe shortened)
    full_label: str
    label_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    value: int
    x: float


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str
    x: float
    y: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: the <title> and <desc> are referenced by it
    title: str
    description: str
    width: int
    height: int
    plot_left: float
    plot_top: float
    plot_bottom: float
    maximum: int
    groups: tuple[Group, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]
    label_x: float
    font_size: int = FONT_SIZE
    text_fill: str = TEXT_FILL
    axis_stroke: str = AXIS_STROKE

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"

    @property
    def is_empty(self) -> bool:
        return not self.groups


def nice_scale(maximum: int, *, steps: int = 4) -> tuple[int, int]:
    """A round top of the scale at or above `maximum`, and the step between ticks.

    1 → (4, 1); 7 → (8, 2); 10 → (12, 3); 150 → (200, 50); 0 → (4, 1): the ticks are whole numbers.
    """
    if maximum <= steps:
        return steps, 1
    raw = maximum / steps
    magnitude = 10 ** floor(log10(raw))
    for multiple in (1, 2, 2.5, 3, 5, 10):
        step = multiple * magnitude
        if step >= raw and float(step).is_integer():
            return int(step * steps), int(step)
    step = 10 * magnitude  # pragma: no cover  (the loop ends at 10 × magnitude)
    return int(step * steps), int(step)


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    label = " ".join(label.split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def describe(series: list[str], groups: list[tuple[str, list[int]]]) -> str:
    """The figures in words, for the chart's <desc>: "Armenia: registered 150, attended 120; …"."""
    parts = []
    for label, values in groups:
        figures = ", ".join(f"{name} {value}" for name, value in zip(series, values, strict=True))
        parts.append(f"{label}: {figures}")
    return "; ".join(parts) + ("." if parts else "")


def bar_chart(
    *,
    id: str,
    title: str,
    series: list[str],
    groups: list[tuple[str, list[int]]],
    width: int = WIDTH,
    description: str | None = None,
) -> Chart:
    """Horizontal grouped bars: `groups` are (label, one value per series) in drawing order."""
    if any(len(values) != len(series) for _, values in groups):
        raise ValueError("every group needs one value per series")
    if any(value < 0 for _, values in groups for value in values):
        raise ValueError("bar values are counts: never negative")
    top, step = nice_scale(max((v for _, values in groups for v in values), default=0))
    plot_left = float(LABEL_WIDTH)
    plot_width = float(width - LABEL_WIDTH - VALUE_WIDTH)
    plot_top = float(LEGEND_HEIGHT)
    group_height = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP

    drawn = []
    y = plot_top + GROUP_GAP / 2
    for label, values in groups:
        bars = []
        for index, value in enumerate(values):
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            length = round(plot_width * value / top, 2)
            bars.append(
                Bar(
                    series=index,
                    value=value,
                    x=plot_left,
                    y=bar_y,
                    width=length,
                    height=BAR_HEIGHT,
                    fill=FILLS[index % len(FILLS)],
                    text_x=round(plot_left + length + 4, 2),
                    text_y=round(bar_y + BAR_HEIGHT - 3, 2),
                )
            )
        drawn.append(
            Group(
                label=shorten(label),
                full_label=label,
                label_y=round(y + group_height / 2 + FONT_SIZE / 2 - 2, 2),
                bars=tuple(bars),
            )
        )
        y += group_height + GROUP_GAP
    plot_bottom = y - GROUP_GAP / 2
    ticks = tuple(
        Tick(value=value, x=round(plot_left + plot_width * value / top, 2)) for value in range(0, top + 1, step)
    )
    legend = []
    x = plot_left
    for index, name in enumerate(series):
        legend.append(
            LegendItem(
                label=name, fill=FILLS[index % len(FILLS)], x=x, y=6.0, text_x=x + 18, text_y=6.0 + FONT_SIZE - 1
            )
        )
        x += 18 + 8 * len(name) + 24
    return Chart(
        id=id,
        title=title,
        description=description if description is not None else describe(series, groups),
        width=width,
        height=int(plot_bottom + AXIS_HEIGHT),
        plot_left=plot_left,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        maximum=top,
        groups=tuple(drawn),
        ticks=ticks,
        legend=tuple(legend),
        label_x=plot_left - 8,
    )
