"""The digest's trend chart: geometry for an inline SVG, a PNG through matplotlib, a text sparkline."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

LOGGER = logging.getLogger(__name__)

LABEL_COLOURS = {
    "approval": "#2a9d8f",
    "block": "#c1121f",
    "restriction": "#e76f51",
    "neutral": "#8d99ae",
}
OTHER_COLOURS = ("#6a4c93", "#1982c4", "#8ac926", "#ffca3a")
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"

SVG_WIDTH, SVG_HEIGHT = 640, 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 40, 110, 12, 30  # right margin holds the legend
PNG_SIZE_INCHES, PNG_DPI = (8.0, 3.0), 100


@dataclass
class Trend:
    """Documents per label on each of the last N days (zeros filled in)."""

    days: list[date]
    series: dict[str, list[int]] = field(default_factory=dict)

    @property
    def peak(self) -> int:
        return max((max(counts) for counts in self.series.values() if counts), default=0)


@dataclass
class ChartLine:
    label: str
    colour: str
    points: str  # "x,y x,y ..." for an SVG polyline
    total: int
    legend_y: float


@dataclass
class Chart:
    width: int
    height: int
    lines: list[ChartLine]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    plot: tuple[float, float, float, float]  # left, top, right, bottom


def label_colour(label: str, position: int = 0) -> str:
    """The fixed colour of a stance label (other labels cycle through a spare palette)."""
    return LABEL_COLOURS.get(label) or OTHER_COLOURS[position % len(OTHER_COLOURS)]


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least value (so ticks are round numbers)."""
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= value:
                return step * multiple
        step *= 10


def chart_geometry(trend: Trend, width: int = SVG_WIDTH, height: int = SVG_HEIGHT) -> Chart:
    """Coordinates of a line chart of the trend, for the SVG template to draw."""
    left, top = MARGIN_LEFT, MARGIN_TOP
    right, bottom = width - MARGIN_RIGHT, height - MARGIN_BOTTOM
    top_value = _nice_ceiling(max(trend.peak, 1))
    count = len(trend.days)

    def x(index: int) -> float:
        return left + (right - left) * (index / (count - 1) if count > 1 else 0.5)

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / top_value

    lines = []
    for position, (label, counts) in enumerate(trend.series.items()):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(counts))
        lines.append(ChartLine(label, label_colour(label, position), points, sum(counts), top + 14 + 18 * position))
    tick_indexes = sorted({0, count // 2, count - 1}) if count else []
    x_ticks = [(x(i), trend.days[i].strftime("%b %d")) for i in tick_indexes]
    y_ticks = [(y(v), str(v)) for v in (0, top_value // 2, top_value)] if top_value > 1 else [(y(0), "0"), (y(1), "1")]
    return Chart(width, height, lines, x_ticks, y_ticks, (left, top, right, bottom))


def sparkline(counts: list[int], peak: int) -> str:
    """Counts as a row of block characters scaled to peak (for the plain-text digest)."""
    if peak <= 0:
        return SPARK_BLOCKS[0] * len(counts)
    top = len(SPARK_BLOCKS) - 1
    return "".join(SPARK_BLOCKS[round(top * value / peak)] for value in counts)


def write_trend_png(trend: Trend, path: Path, title: str) -> Path:
    """Draw the trend as a PNG line chart at path (matplotlib, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported late: slow, and only for PNGs
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=PNG_SIZE_INCHES, dpi=PNG_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for position, (label, counts) in enumerate(trend.series.items()):
        axes.plot(trend.days, counts, label=label, color=label_colour(label, position), linewidth=1.8)
    axes.set_title(title, fontsize=10)
    axes.set_ylabel("documents")
    axes.set_ylim(bottom=0, top=max(trend.peak, 1) * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(DateFormatter("%b %d"))
    axes.grid(axis="y", alpha=0.3)
    if trend.series:
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path
