"""Horizontal bar charts drawn on the server: numbers and labels for templates/includes/chart.html.

One geometry serves every chart of /stats/ and /people/network/: a row per category (a year, an
administration pair, a person), its bar split by series (stacked) or side by side (grouped).
Colours come from CSS classes (`s-0`, `s-1`…), never from inline styles (the
Content-Security-Policy allows none). The same rows are the chart's table and its CSV.
"""

from dataclasses import dataclass, field

LABEL_WIDTH = 170
PLOT_WIDTH = 560
RIGHT = 50  # room for the row's total
TOP = 24  # room for the axis labels
ROW_HEIGHT = 18
BAR_HEIGHT = 12


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Row:
    label: str
    values: list
    url: str = ""
    extra: list = field(default_factory=list)  # table-only columns after the values
    y: float = 0
    segments: list = field(default_factory=list)
    total_x: float = 0

    @property
    def total(self):
        return sum(value or 0 for value in self.values)

    @property
    def label_y(self):
        return self.y + BAR_HEIGHT - 2


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    category: str  # the first column's heading
    series: list  # [(key, label)]
    rows: list
    grouped: bool = False  # series side by side (e.g. median and longest) rather than stacked
    extra_columns: list = field(default_factory=list)
    show_total: bool = True
    unit: str = "encounters"
    csv_url_name: str = "stats-csv"  # the URL, taking the slug, of this chart's CSV
    width: float = LABEL_WIDTH + PLOT_WIDTH + RIGHT
    height: float = 0
    ticks: list = field(default_factory=list)
    plot_left: float = LABEL_WIDTH
    label_x: float = LABEL_WIDTH - 6

    @property
    def legend(self):
        return [(f"s-{i}", label) for i, (_key, label) in enumerate(self.series)]

    @property
    def header(self):
        totals = ["Total"] if self.show_total and not self.grouped else []
        return [self.category, *(label for _key, label in self.series), *totals,
                *self.extra_columns]  # fmt: skip

    def table_rows(self):
        """Each row as the table and the CSV show it."""
        for row in self.rows:
            totals = [row.total] if self.show_total and not self.grouped else []
            yield [row.label, *(v if v is not None else "" for v in row.values), *totals,
                   *row.extra]  # fmt: skip

    @property
    def table(self):
        """[(row, cells)] for the template: the row for its link, the cells to show."""
        return list(zip(self.rows, self.table_rows(), strict=True))

    def layout(self):
        """Place the bars; call once the rows are final."""
        self.height = TOP + ROW_HEIGHT * max(len(self.rows), 1) + 6
        if self.grouped:
            biggest = max((v or 0 for row in self.rows for v in row.values), default=0)
        else:
            biggest = max((row.total for row in self.rows), default=0)
        top = nice_ceiling(biggest)
        scale = PLOT_WIDTH / top if top else 0
        self.ticks = [
            Tick(round(LABEL_WIDTH + value * scale, 1), f"{value:g}") for value in tick_values(top)
        ]
        for i, row in enumerate(self.rows):
            row.y = TOP + i * ROW_HEIGHT
            row.segments = []
            x = LABEL_WIDTH
            sub_height = BAR_HEIGHT / len(self.series) if self.grouped else BAR_HEIGHT
            for j, ((_key, label), value) in enumerate(zip(self.series, row.values, strict=True)):
                if not value:
                    continue
                width = round(value * scale, 1)
                y = row.y + (j * sub_height if self.grouped else 0)
                left = LABEL_WIDTH if self.grouped else x
                row.segments.append(
                    Segment(
                        left,
                        round(y, 1),
                        max(width, 0.8),
                        round(sub_height, 1),
                        f"s-{j}",
                        f"{row.label}, {label}: {value:g}",
                    )  # fmt: skip
                )
                x += width
            end = max((s.x + s.width for s in row.segments), default=LABEL_WIDTH)
            row.total_x = round(end + 4, 1)
        return self


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above `value` (0 stays 0)."""
    if value <= 0:
        return 0
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def tick_values(top):
    if not top:
        return [0]
    step = top / 5 if top >= 5 else 1
    values, value = [], 0.0
    while value <= top + 1e-9:
        values.append(round(value, 6))
        value += step
    return values
