"""The dashboard's bar chart of topics and posts per week, drawn on the server.

Only numbers leave this module; the template (admin/_week_chart.html) writes
the SVG with a <title>, a <desc> and a table alternative. No script, no chart
library: it works without JavaScript and from no other host.
"""

from dataclasses import dataclass

from forum.admin.dashboard import Week

#: The drawing's coordinate system; the SVG scales to the page's width. Narrow on
#: purpose, so that its 12-unit labels stay legible on a 360 px phone.
WIDTH, HEIGHT = 340, 190
LEFT, RIGHT, TOP, BOTTOM = 30, 4, 14, 30
BAR_GAP = 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    #: "topics" or "posts" (the CSS class that colours it).
    series: str
    value: int


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    #: Where the axis and the top grid line run, and the value at the top.
    baseline: float
    top: float
    left: float
    right: float
    maximum: int


def _nice(value: int) -> int:
    """Round up to 1, 2 or 5 times a power of ten, so the top line reads well."""
    if value <= 5:
        return 5
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= factor * step * 10:
                return factor * step * 10
        step *= 10


def week_chart(weeks: list[Week]) -> Chart:
    """Lay out two bars per week (topics, posts) under a common scale."""
    maximum = _nice(max((max(week.topics, week.posts) for week in weeks), default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(weeks), 1)
    bar_width = (slot - 3 * BAR_GAP) / 2
    baseline = TOP + plot_height
    bars, labels = [], []
    for index, week in enumerate(weeks):
        x = LEFT + index * slot + BAR_GAP
        for offset, series, value in ((0, "topics", week.topics), (1, "posts", week.posts)):
            height = round(plot_height * value / maximum, 1)
            bars.append(
                Bar(
                    round(x + offset * (bar_width + BAR_GAP), 1),
                    round(baseline - height, 1),
                    round(bar_width, 1),
                    height,
                    series,
                    value,
                )
            )
        week_number = str(week.start.isocalendar().week)
        labels.append(Label(round(LEFT + (index + 0.5) * slot, 1), week_number))
    return Chart(WIDTH, HEIGHT, bars, labels, baseline, TOP, LEFT, WIDTH - RIGHT, maximum)
