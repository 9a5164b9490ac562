"""The figure as plain data, handed to Plotly once: Plotly re-validates on every `add_trace`."""

from __future__ import annotations

import plotly.graph_objects as go


class Canvas:
    """The timeline's figure as plain data: traces, layout, annotations and shapes, with rows of one column
    of subplots (row 1 uses axes x/y, row n axes xn/yn). `figure()` validates it all once."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {}
        self.annotations: list[dict] = []
        self.shapes: list[dict] = []

    def add_trace(self, trace: dict | go.Scatter | go.Bar | go.Heatmap, row: int = 1) -> None:
        """Add a trace (a dict with its `type`, or a Plotly trace object) to subplot row `row`."""
        spec = dict(trace) if isinstance(trace, dict) else trace.to_plotly_json()
        suffix = axis_suffix(row)
        self.data.append({**spec, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})

    def update_yaxis(self, row: int, **properties: object) -> None:
        """Set top-level properties of row `row`'s y axis (nested dicts are replaced, not merged)."""
        self.layout.setdefault(f"yaxis{axis_suffix(row)}", {}).update(properties)

    def add_annotation(self, **annotation: object) -> None:
        self.annotations.append(annotation)

    def add_shape(self, **shape: object) -> None:
        self.shapes.append(shape)

    def figure(self) -> go.Figure:
        layout = {**self.layout, "annotations": self.annotations, "shapes": self.shapes}
        return go.Figure({"data": self.data, "layout": layout})


def axis_suffix(row: int) -> str:
    return "" if row == 1 else str(row)
