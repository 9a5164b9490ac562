"""The curated tables in the database: loaded from the CSV files (validated, in one transaction) and dumped
back to them byte for byte."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from tensions.data.guard import local_grant
from tensions.data.rows import TABLE_SPECS
from tensions.data.schema import TREND_OVERRIDES
from tensions.data.validate import read_raw_table
from tensions.errors import InvalidDataError, NotAuthorised, Problem, StoreError
from tensions.store import curated, tables
from tensions.store.engine import engine_for
from tests.conftest import APP_ROOT

CURATED_FILES = list(TABLE_SPECS)


def rows_held(url: str) -> dict[str, int]:
    with engine_for(url).connect() as connection:
        return curated.curated_counts(connection)


def audit_rows(url: str) -> list:
    with engine_for(url).connect() as connection:
        return connection.execute(sa.select(tables.audit_log.c.file, tables.audit_log.c.action)).all()


def test_the_real_data_round_trips_byte_for_byte(postgres_url, tmp_path):
    loaded = [*CURATED_FILES, TREND_OVERRIDES.file_name]
    counts = curated.load_folder(postgres_url, APP_ROOT / "data", grant=local_grant())
    assert counts == {name: len(read_raw_table(APP_ROOT / "data" / name)) for name in loaded}
    curated.dump_folder(postgres_url, tmp_path, grant=local_grant())
    for name in loaded:
        assert (tmp_path / name).read_bytes() == (APP_ROOT / "data" / name).read_bytes(), name


def test_trend_judgements_round_trip_too(postgres_url, data_copy, tmp_path):
    judgements = (
        "country,month,trend,rationale,analyst,decided_at\n"
        'Lebanon,2024-10,deteriorated,"Ground incursion, not only strikes.",Mallory,2024-11-02\n'
    )
    (data_copy / TREND_OVERRIDES.file_name).write_text(judgements, encoding="utf-8")
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    curated.dump_folder(postgres_url, tmp_path, grant=local_grant())
    assert (tmp_path / TREND_OVERRIDES.file_name).read_text(encoding="utf-8") == judgements


def test_reading_gives_the_raw_text_frames_the_files_give(postgres_url, data_copy):
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    stored = curated.read_curated(postgres_url)
    for name in CURATED_FILES:
        assert stored.tables[name].equals(read_raw_table(data_copy / name)), name
    assert set(stored.row_versions["events.csv"].values()) == {1}
    assert stored.version == curated.store_version(postgres_url) == 1


def test_a_load_is_audited_and_raises_the_store_version(postgres_url, data_copy):
    assert curated.store_version(postgres_url) == 0
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    assert sorted(audit_rows(postgres_url)) == sorted((name, "loaded") for name in CURATED_FILES)
    assert curated.store_version(postgres_url) == 1


def test_invalid_files_are_refused_naming_file_row_and_column_and_nothing_is_stored(postgres_url, data_copy):
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("2024-01-28,day,Jordan", "2024-01-28,daily,Jordan"))
    with pytest.raises(InvalidDataError) as refused:
        curated.load_folder(postgres_url, data_copy, grant=local_grant())
    assert refused.value.problems == [
        Problem("events.csv", 3, "time_precision", "'daily' not one of: day, week, month")
    ]
    assert rows_held(postgres_url) == dict.fromkeys(CURATED_FILES, 0)
    assert audit_rows(postgres_url) == []


def test_a_column_the_schema_lacks_is_refused_rather_than_dropped(postgres_url, data_copy):
    path = data_copy / "actors.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",remark", *(line + "," for line in lines[1:])]) + "\n")
    with pytest.raises(InvalidDataError) as refused:
        curated.load_folder(postgres_url, data_copy, grant=local_grant())
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("actors.csv", 1, "remark")]


def test_a_database_holding_curated_rows_is_replaced_only_when_asked(postgres_url, data_copy, tmp_path):
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    with pytest.raises(StoreError, match="--replace"):
        curated.load_folder(postgres_url, data_copy, grant=local_grant())
    smaller = tmp_path / "smaller"
    shutil.copytree(data_copy, smaller)
    events = (smaller / "events.csv").read_text().splitlines(keepends=True)
    (smaller / "events.csv").write_text("".join(events[:-1]))
    curated.load_folder(postgres_url, smaller, grant=local_grant(), replace=True)
    assert rows_held(postgres_url)["events.csv"] == len(events) - 2


def test_loading_without_a_grant_is_refused(postgres_url, data_copy):
    with pytest.raises(NotAuthorised):
        curated.load_folder(postgres_url, data_copy, grant=None)
    assert rows_held(postgres_url) == dict.fromkeys(CURATED_FILES, 0)
