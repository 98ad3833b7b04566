"""The charts' geometry: pure functions, checked without a database or a template."""

import pytest

from app.summaries import charts


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [(0, (4, 1)), (1, (4, 1)), (4, (4, 1)), (5, (8, 2)), (7, (8, 2)), (10, (12, 3)), (150, (200, 50)),
     (300, (400, 100)), (1000, (1000, 250)), (1500, (2000, 500))],
)
def test_nice_scale_gives_a_round_top_and_whole_steps(maximum, expected):
    top, step = charts.nice_scale(maximum)

    assert (top, step) == expected
    assert top >= maximum and top % step == 0 and top // step == 4


def test_bars_are_proportional_on_the_shared_scale():
    chart = charts.bar_chart(id="c", title="T", series=["Registered", "Attended"],
                             groups=[("Armenia", [150, 120]), ("Azerbaijan", [100, 0])])

    assert chart.maximum == 200
    plot_width = chart.width - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    (a_registered, a_attended), (b_registered, b_attended) = [g.bars for g in chart.groups]
    assert a_registered.width == plot_width * 150 / 200
    assert a_attended.width == plot_width * 120 / 200 and b_attended.width == 0
    assert b_registered.width == pytest.approx(plot_width / 2)
    assert a_registered.x == a_attended.x == chart.plot_left
    assert a_attended.y > a_registered.y and b_registered.y > a_attended.y  # top to bottom, no overlap
    assert a_attended.fill != a_registered.fill
    assert [t.value for t in chart.ticks] == [0, 50, 100, 150, 200]
    assert chart.ticks[-1].x == chart.plot_left + plot_width
    assert chart.height >= chart.plot_bottom + 15 and chart.groups[-1].bars[-1].y + charts.BAR_HEIGHT <= chart.plot_bottom


def test_long_labels_are_shortened_but_kept_whole_for_the_table():
    long = "The civil society delegation of the Republic of Armenia"

    (group,) = charts.bar_chart(id="c", title="T", series=["R"], groups=[(long, [1])]).groups

    assert group.label == "The civil society del…" and len(group.label) == charts.LABEL_CHARS
    assert group.full_label == long


def test_the_description_says_the_figures_in_words():
    chart = charts.bar_chart(id="c", title="T", series=["registered", "attended"],
                             groups=[("Armenia", [2, 1]), ("Azerbaijan", [3, 0])])

    assert chart.description == "Armenia: registered 2, attended 1; Azerbaijan: registered 3, attended 0."
    assert (chart.title_id, chart.desc_id) == ("c-title", "c-desc")


def test_an_empty_chart_has_no_groups():
    chart = charts.bar_chart(id="c", title="T", series=["R"], groups=[])

    assert chart.is_empty and chart.description == "" and chart.maximum == 4


@pytest.mark.parametrize("groups", [[("A", [1])], [("A", [1, -1])]])
def test_bad_input_is_refused(groups):
    with pytest.raises(ValueError):
        charts.bar_chart(id="c", title="T", series=["R", "A"], groups=groups)
