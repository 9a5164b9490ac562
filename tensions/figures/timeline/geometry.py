"""Where a timeline's parts sit, in pixels: its size, margins and panels, and the lanes' own units."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Geometry:
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    panel_px: tuple[float, ...]
    gap: float
    lane_px: float
    label_base_px: float  # bottom of label row 0, measured up from the bottom of the events panel
    floor_px: float = 0.0  # room under the bottom lane for the markers that reach below it

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def row_domains(self) -> list[tuple[float, float]]:
        """Each panel's vertical extent as fractions of the plot's height (bottom, top), top panel first."""
        domains, top = [], self.plot_h
        for px in self.panel_px:
            domains.append((max(0.0, (top - px) / self.plot_h), top / self.plot_h))
            top -= px + self.gap
        return domains

    def lane_units(self, px: float) -> float:
        """A height in px above the events panel's bottom, in the lanes' y units (lane i sits at y=i)."""
        return (px - self.floor_px) / self.lane_px - 0.5
