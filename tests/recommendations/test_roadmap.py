"""The roadmap picture's geometry: a pure function, tested without a database."""

from dataclasses import dataclass, field
from datetime import date

import pytest

from app.recommendations import roadmap
from app.recommendations.roadmap import PLOT_LEFT, PLOT_RIGHT, assign_rows, layout, tick_step


@dataclass
class Milestone:
    name: str
    starts_on: date
    ends_on: date


@dataclass
class Phase:
    id: int
    name: str
    starts_on: date
    ends_on: date
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class Rec:
    title: str
    status: str
    target_on: date | None
    phase_id: int | None = None


PEACE_BRIDGE = [
    Phase(1, "Initial confidence-building", date(2026, 1, 1), date(2026, 6, 30),
          [Milestone("Tsaghkadzor roundtable", date(2026, 2, 13), date(2026, 2, 14))]),
    Phase(2, "Dialogue and negotiation", date(2026, 7, 1), date(2027, 6, 30)),
    Phase(3, "Implementation and monitoring", date(2027, 7, 1), date(2028, 12, 31)),
]


def test_nothing_to_draw_is_no_chart():
    assert layout([], [], today=date(2026, 1, 1)) is None
    assert layout([], [Rec("Undated", "agreed", None)], today=date(2026, 1, 1)) is None


def test_the_axis_runs_from_the_first_month_to_the_end_of_the_last():
    chart = layout(PEACE_BRIDGE, [], today=date(2026, 2, 13))

    assert (chart.starts_on, chart.ends_on, chart.until) == (date(2026, 1, 1), date(2029, 1, 1), date(2028, 12, 31))
    assert chart.ticks[0].x == PLOT_LEFT
    assert [t.label for t in chart.ticks[:3]] == ["Jan 2026", "Jul 2026", "Jan 2027"]  # 36 months: every sixth
    assert len(chart.ticks) == 6
    assert (chart.phases, chart.milestones, chart.markers) == (3, 1, 0)


def test_positions_are_proportional_to_dates():
    phases = [Phase(1, "One year", date(2026, 1, 1), date(2026, 12, 31))]
    chart = layout(phases, [Rec("Mid-year", "agreed", date(2026, 7, 2), 1)], today=date(2027, 1, 1))

    lane = chart.lanes[0]
    assert lane.bar[0] == PLOT_LEFT
    assert lane.bar[0] + lane.bar[1] == pytest.approx(PLOT_RIGHT - (PLOT_RIGHT - PLOT_LEFT) / 365, abs=0.2)
    assert lane.marks[0].x == pytest.approx((PLOT_LEFT + PLOT_RIGHT) / 2, abs=1.5)
    assert chart.today_x == PLOT_RIGHT  # the axis ends on 1 January 2027


def test_today_is_drawn_only_within_the_axis():
    inside = layout(PEACE_BRIDGE, [], today=date(2026, 2, 13))
    before = layout(PEACE_BRIDGE, [], today=date(2025, 12, 31))

    assert PLOT_LEFT < inside.today_x < PLOT_LEFT + 30
    assert before.today_x is None


def test_recommendations_go_to_their_phase_lane_numbered_in_the_order_given():
    recs = [
        Rec("Undated", "proposed", None, 1),
        Rec("Open the rail link", "agreed", date(2026, 5, 1), 1),
        Rec("Monitor", "in_progress", date(2027, 9, 1), 3),
        Rec("Outside", "done", date(2026, 8, 1), None),
        Rec("Of a phase not shown", "dropped", date(2026, 9, 1), 99),
    ]

    chart = layout(PEACE_BRIDGE, recs, today=date(2026, 2, 13), no_phase_label="No phase")

    lanes = {lane.label: lane for lane in chart.lanes}
    marks = {name: [(m.kind, m.label) for m in lane.marks] for name, lane in lanes.items()}
    assert list(lanes) == ["Initial confidence-building", "Dialogue and negotiation", "Implementation and monitori…",
                           "No phase"]
    assert marks["Initial confidence-building"] == [("milestone", "Tsaghkadzor roundtable"), ("agreed", "2")]
    assert marks["Implementation and monitori…"] == [("in_progress", "3")]
    assert marks["No phase"] == [("done", "4"), ("dropped", "5")]
    assert lanes["No phase"].bar is None
    assert chart.markers == 4
    assert lanes["Initial confidence-building"].marks[1].title == "2. Open the rail link"


def test_each_status_has_its_own_shape_and_colour():
    shapes = {status: style[0] for status, style in roadmap.STATUS_STYLE.items()}
    looks = {(style[0], style[1]) for style in roadmap.STATUS_STYLE.values()}

    assert shapes == {"proposed": "circle", "agreed": "circle", "in_progress": "triangle", "done": "square",
                      "dropped": "cross"}
    assert len(looks) == 5  # the two circles differ: hollow and filled


def test_markers_that_would_overlap_go_to_the_next_row_and_the_lane_grows():
    phases = [Phase(1, "Phase", date(2026, 1, 1), date(2026, 12, 31))]
    alone = layout(phases, [Rec("A", "agreed", date(2026, 3, 1), 1)], today=date(2026, 1, 1))
    crowded = layout(
        phases,
        [Rec(t, "agreed", date(2026, 3, 1), 1) for t in "ABC"] + [Rec("D", "agreed", date(2026, 10, 1), 1)],
        today=date(2026, 1, 1),
    )

    ys = [m.y for m in crowded.lanes[0].marks]
    assert ys[0] < ys[1] < ys[2]
    assert ys[3] == ys[0]  # far enough to share the first row
    assert crowded.lanes[0].height == alone.lanes[0].height + 2 * roadmap.ROW_HEIGHT
    assert crowded.height == alone.height + 2 * roadmap.ROW_HEIGHT


def test_a_label_near_the_right_edge_goes_to_the_left_of_its_marker():
    phases = [Phase(1, "Phase", date(2026, 1, 1), date(2026, 12, 31),
                    [Milestone("A long milestone name at the end", date(2026, 12, 31), date(2026, 12, 31))])]

    mark = layout(phases, [], today=date(2026, 1, 1)).lanes[0].marks[0]

    assert mark.anchor == "end"
    assert mark.label_x < mark.x
    assert mark.label == "A long milestone name at th…"


def test_a_milestone_of_several_weeks_shows_its_span():
    phases = [Phase(1, "Phase", date(2026, 1, 1), date(2026, 12, 31),
                    [Milestone("Working groups", date(2026, 3, 1), date(2026, 4, 30)),
                     Milestone("One day", date(2026, 6, 1), date(2026, 6, 1))])]

    marks = layout(phases, [], today=date(2026, 1, 1)).lanes[0].marks

    assert marks[0].span is not None and marks[0].span[1] > marks[0].span[0] + 20
    assert marks[1].span is None


def test_the_legend_names_every_kind_once_and_stays_inside_the_picture():
    chart = layout(PEACE_BRIDGE, [], today=date(2026, 2, 13))

    assert [item.kind for item in chart.legend] == [
        "phase", "milestone", "today", "proposed", "agreed", "in_progress", "done", "dropped"
    ]
    assert all(item.x < chart.width and item.y < chart.height for item in chart.legend)


@pytest.mark.parametrize(("months", "step"), [(1, 1), (9, 1), (12, 2), (18, 2), (36, 6), (72, 12), (144, 24), (2000, 600)])
def test_tick_steps_keep_the_axis_readable(months, step):
    assert tick_step(months) == step


def test_assign_rows_puts_overlapping_spans_on_new_rows():
    assert assign_rows([(0, 10), (5, 15), (10, 20), (12, 30), (31, 40)]) == [0, 1, 0, 2, 0]
    assert assign_rows([]) == []


def test_far_flung_dates_still_give_a_bounded_axis():
    chart = layout([], [Rec("Old", "agreed", date(1, 1, 1)), Rec("New", "agreed", date(9999, 11, 30))],
                   today=date(2026, 1, 1))

    assert len(chart.ticks) <= 10
    assert chart.today_x is not None


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_the_legend_and_the_months_are_in_the_readers_language_and_measured_on_its_words(code):
    from app import i18n

    with i18n.use_language(code):
        chart = layout(PEACE_BRIDGE, [Rec("Open the rail link", "in_progress", date(2026, 5, 1), 1)], today=date(2026, 2, 13))
        words = {kind: i18n.gettext(text) for kind, text in roadmap.LEGEND_LABELS.items()}
        january = i18n.format_day(date(2026, 1, 1), fmt=roadmap.MONTH_FORMAT)
        no_phase = i18n.gettext("Not in a phase")

    assert {item.kind: item.label for item in chart.legend} == words
    assert chart.ticks[0].label == january != "Jan 2026"
    assert chart.lanes[0].sublabel.startswith(january)
    # Each swatch follows the one before it and that one's label, as long as the words shown.
    first, second = chart.legend[0], chart.legend[1]
    width = 2 * roadmap.MARKER + roadmap.LABEL_GAP + len(first.label) * roadmap.CHAR_WIDTH + 18
    assert second.x == pytest.approx(first.x + width, abs=0.1)
    assert layout(PEACE_BRIDGE, [Rec("Outside", "done", date(2026, 8, 1), None)], today=date(2026, 2, 13), language=code).lanes[-1].label == no_phase
