"""Kept sums per map grid cell (at each of the map's cell sizes) and per province, summed from the kept sums per
place (`imported_place_sums`, which they follow at every refresh): the unfiltered points and provinces maps
read thousands of these rows instead of adding up a million per-place sums on every draw.

Each row holds, besides the sums of `imported_place_sums`, the coordinates summed over its events (their mean
is the marker's position); a province's row also the box of its places, all of them and those inside the region
(the map's view fits the events in the region when there are any).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The map's grid cell sizes in degrees (`tensions.figures.map.encoding.CELL_SIZES`) and the region's box
# (`tensions.data.taxonomy.REGION_BOUNDS`) when this migration was written: a migration is history, so it names
# them itself (tests/store/test_imported.py checks that they still agree).
CELL_SIZES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
REGION_BOUNDS = (24.0, 8.0, 66.0, 42.5)
KEYS = "p.country, p.event_type, p.dataset, p.imprecise"


def _sums(*, boxes: bool) -> str:
    min_lon, min_lat, max_lon, max_lat = REGION_BOUNDS
    inside = (
        f"p.longitude >= {min_lon} AND p.longitude <= {max_lon} AND p.latitude >= {min_lat} AND p.latitude <= {max_lat}"
    )
    box = ", ".join(
        f"{fn}(p.{column}){where} AS {fn}_{column}{suffix}"
        for where, suffix in (("", ""), (f" FILTER (WHERE {inside})", "_inside"))
        for fn in ("min", "max")
        for column in ("longitude", "latitude")
    )
    return (
        "sum(p.n_events) AS n_events, sum(p.n_not_reported) AS n_not_reported, "
        "sum(p.n_with_deaths) AS n_with_deaths, sum(p.fatalities) AS fatalities, min(p.event_date) AS event_date, "
        "max(p.last_date) AS last_date, sum(p.latitude * p.n_events) AS latitude_sum, "
        "sum(p.longitude * p.n_events) AS longitude_sum" + (f", {box}" if boxes else "")
    )


def upgrade() -> None:
    sizes = ", ".join(f"(CAST({size!r} AS double precision))" for size in CELL_SIZES)
    op.execute(
        "CREATE MATERIALIZED VIEW imported_cell_sums AS SELECT s.size, floor(p.longitude / s.size) AS cell_x, "
        f"floor(p.latitude / s.size) AS cell_y, {KEYS}, {_sums(boxes=False)} FROM imported_place_sums p "
        f"CROSS JOIN (VALUES {sizes}) AS s(size) GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3"
    )
    # Stored and indexed in cell order per size: a size is read in one stretch, and the choice of grid reads its
    # distinct cells in order and stops once it has too many.
    op.create_index("imported_cell_sums_cells", "imported_cell_sums", ["size", "cell_x", "cell_y"])
    op.execute(
        f"CREATE MATERIALIZED VIEW imported_province_sums AS SELECT p.admin1, {KEYS}, {_sums(boxes=True)} "
        "FROM imported_place_sums p GROUP BY 1, 2, 3, 4, 5"
    )


def downgrade() -> None:
    for view in ("imported_province_sums", "imported_cell_sums"):
        op.execute(f"DROP MATERIALIZED VIEW {view}")
