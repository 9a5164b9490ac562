"""The timeline's options and limits, and its type sizes, marker sizes and spacing for screen or slide."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from tensions.data import taxonomy

LANES: dict[str, str] = {"theatre": "Theatre", "actor1_family": "Actor family"}
GRANULARITY_LABELS: dict[str, str] = {"week": "Week", "month": "Month"}  # the Timeline's "Counts per"
LANE_ORDERS: dict[str, tuple[str, ...]] = {"theatre": taxonomy.THEATRES, "actor1_family": taxonomy.ACTOR_FAMILIES}
UNASSIGNED_LANE = "Unassigned"
# Above this many events the lanes show counts per period instead of one marker per event: a browser
# cannot draw a million markers, and nobody could read them.
MAX_MARKERS = 5000
# Reported deaths at which the size key shows a marker; the scale itself is continuous.
SIZE_KEY_DEATHS: tuple[int, ...] = (1, 10, 100, 1000)
CHANGE_WORDS: dict[str, str] = {"added": "added", "revised": "revised", "removed": "removed"}
# Date ticks on one line at every zoom (Plotly's default stacks the year under the day).
_DAY_MS = 86_400_000
DATE_FORMATS: list[dict] = [
    {"dtickrange": [None, 27 * _DAY_MS], "value": "%-d %b %Y"},
    {"dtickrange": [27 * _DAY_MS, "M11"], "value": "%b %Y"},
    {"dtickrange": ["M11", None], "value": "%Y"},
]
# Vertical offsets (in lanes) for markers that would sit on top of each other; the top lane only dodges
# downwards so that its markers never reach up into the labels, the bottom lane only upwards.
DODGE = (0.0, 0.26, -0.26, 0.13, -0.13)
TOP_LANE_DODGE = (0.0, -0.26, -0.13)
BOTTOM_LANE_DODGE = (0.0, 0.26, 0.13)


@dataclass(frozen=True)
class TimelineStyle:
    """Every size the timeline uses, in pixels: one instance for the screen, one (scaled) for slides."""

    font_size: float = 13
    tick_font_size: float = 13
    label_font_size: float = 12.5
    legend_font_size: float = 13
    panel_title_size: float = 13
    marker_min: float = 8
    marker_per_decade: float = 6
    marker_line: float = 1.6
    ring_pad: float = 7
    ring_line: float = 2
    lane_px: float = 40
    min_lane_px: float = 26
    max_lane_px: float = 64
    label_row_px: float = 21
    label_gap: float = 10
    label_pad: float = 4
    label_inset: float = 4
    label_clearance: float = 3
    max_label_rows: int = 6
    leader_width: float = 1
    bar_width: float = 6
    counts_px: float = 140
    fatalities_px: float = 90
    panel_gap_px: float = 34
    margin_right: float = 24
    margin_bottom: float = 8
    legend_row_px: float = 24
    range_slider_px: float = 36
    dodge_px: float = 7

    def scaled(self, factor: float) -> TimelineStyle:
        """The same style with every pixel size multiplied by `factor` (row counts unchanged)."""
        counts = {"max_label_rows"}
        return replace(
            self,
            **{
                f.name: getattr(self, f.name) * factor
                for f in fields(self)
                if f.name not in counts and type(getattr(self, f.name)) in (int, float)
            },
        )


SCREEN = TimelineStyle()
