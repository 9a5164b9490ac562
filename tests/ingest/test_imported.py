"""Imported datasets on disk and beside the curated events: the `import` command, Parquet, combining, filtering."""

from __future__ import annotations

import hashlib
import zipfile

import pandas as pd
import pytest

from tensions.analysis.filters import FilterState, apply_filters
from tensions.cli import main
from tensions.data.load import load_dataset
from tensions.errors import ImportFailed
from tensions.ingest import imported
from tensions.ingest.importers import IMPORTERS
from tests.conftest import FIXTURE_DATA, curator_grant
from tests.ingest.importers.conftest import EXTERNAL, edited

UCDP = EXTERNAL / "ucdp_ged_hdx_iraq.csv"


def curated_digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_the_import_command_writes_parquet_and_prints_the_counts(data_copy, capsys):
    before = curated_digests(data_copy)
    assert main(["--data-dir", str(data_copy), "import", "ucdp", str(UCDP)]) == 0
    out = capsys.readouterr().out
    assert "rows read: 6; imported: 6; rejected: 0" in out
    assert "note: skipped the HXL hashtag row (line 2)" in out
    assert (data_copy / "imported" / "ucdp--ucdp_ged_hdx_iraq.parquet").exists()
    assert curated_digests(data_copy) == before


def test_rejected_rows_are_printed_with_file_line_column_and_the_sound_rows_imported(data_copy, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(edited(UCDP.name, "2013-07-05,2013-07-05", "2013-07-5x,2013-07-05"))
    before = curated_digests(data_copy)
    rejected = tmp_path / "rejected.csv"
    code = main(["--data-dir", str(data_copy), "import", "auto", str(bad), "--rejected", str(rejected)])
    out = capsys.readouterr().out
    assert code == 1
    assert "rows read: 6; imported: 5; rejected: 1" in out
    assert "bad.csv:5:date_start: '2013-07-5x' is not a date (YYYY-MM-DD)" in out
    assert "line,original_id,column,value,reason,file" in rejected.read_text()
    assert curated_digests(data_copy) == before


def test_a_file_that_cannot_be_imported_stores_nothing(data_copy, tmp_path, capsys):
    mystery = tmp_path / "mystery.csv"
    mystery.write_text("name,value\nx,1\n")
    before = curated_digests(data_copy)
    assert main(["--data-dir", str(data_copy), "import", "auto", str(mystery)]) == 2
    assert "mystery.csv:1:: not a UCDP GED, ACLED or GDELT file" in capsys.readouterr().err
    assert not (data_copy / "imported").exists()
    assert curated_digests(data_copy) == before


def test_stored_events_read_back_with_categorical_columns(data_copy):
    outcome = imported.import_and_save(UCDP, "ucdp", data_copy, grant=curator_grant())
    events = imported.read_events(outcome.record.events_path)
    categorical = [c for c in events if isinstance(events[c].dtype, pd.CategoricalDtype)]
    assert {"country", "event_type", "sub_event_type", "actor1", "actor2", "location", "admin1", "dataset"} <= set(
        categorical
    )
    assert list(events["event_type"].cat.categories)[:2] == ["Battles", "Explosions/Remote violence"]
    assert events["fatalities"].dtype == "Int64"
    assert len(events) == 6


def test_imports_are_listed_and_removed(data_copy):
    imported.import_and_save(UCDP, "ucdp", data_copy, grant=curator_grant())
    imported.import_and_save(EXTERNAL / "gdelt_v2_raw.export.CSV", None, data_copy, grant=curator_grant())
    records = imported.list_imports(data_copy)
    assert [(r.dataset, r.rows_imported) for r in records] == [("ucdp", 6), ("gdelt", 5)]
    assert imported.imported_datasets(data_copy) == ["ucdp", "gdelt"]
    assert imported.remove_import(data_copy, records[0].key, grant=curator_grant())
    assert [r.dataset for r in imported.list_imports(data_copy)] == ["gdelt"]


def test_importing_a_file_of_the_same_name_again_replaces_it(data_copy, tmp_path):
    imported.import_and_save(UCDP, "ucdp", data_copy, grant=curator_grant())
    smaller = tmp_path / UCDP.name
    smaller.write_bytes(edited(UCDP.name, "34.196632,43.873899", "x,43.873899"))
    imported.import_and_save(smaller, "ucdp", data_copy, grant=curator_grant())
    records = imported.list_imports(data_copy)
    assert [(r.rows_imported, r.rows_rejected) for r in records] == [(5, 1)]
    assert len(imported.read_rejected(records[0])) == 1


def test_the_same_event_in_two_imports_counts_once(data_copy, tmp_path):
    copy = tmp_path / "second.csv"
    copy.write_bytes(UCDP.read_bytes())
    imported.import_and_save(UCDP, "ucdp", data_copy, grant=curator_grant())
    imported.import_and_save(copy, "ucdp", data_copy, grant=curator_grant())
    assert len(imported.load_imported(data_copy, ["ucdp"])) == 6


def test_curated_and_imported_events_combine_and_filter_together(data_copy):
    imported.import_and_save(UCDP, "ucdp", data_copy, grant=curator_grant())
    imported.import_and_save(EXTERNAL / "acled_export.csv", "acled", data_copy, grant=curator_grant())
    dataset = load_dataset(data_copy)
    combined = imported.combine_events([dataset.events, imported.load_imported(data_copy, ["ucdp", "acled"])])
    assert len(combined) == len(dataset.events) + 6 + 6
    assert combined["event_date"].is_monotonic_increasing
    for column in ("country", "actor1", "dataset", "event_type"):
        assert isinstance(combined[column].dtype, pd.CategoricalDtype), column
    assert combined["country"].cat.categories[-1] == "Libya"  # outside our list, kept after it

    only_ucdp = apply_filters(combined, FilterState(datasets=("ucdp",)))
    assert set(only_ucdp["dataset"]) == {"ucdp"} and len(only_ucdp) == 6
    iraq_2024 = apply_filters(combined, FilterState(countries=("Iraq",), start=pd.Timestamp("2024-01-01").date()))
    assert set(iraq_2024["dataset"]) == {"curated", "acled"}
    # Selecting an umbrella group keeps imported events of its factions too (Kataib Hezbollah, in ACLED).
    umbrella = apply_filters(combined, FilterState(actors=("Islamic Resistance in Iraq",)), dataset.actors)
    assert "acled:IRQ90001" in set(umbrella["event_id"])


def test_every_dataset_has_an_attribution():
    for name in ["curated", *IMPORTERS]:
        assert imported.attribution(name) and imported.short_attribution(name) != name
    assert "CC BY 4.0" in imported.attribution("ucdp")


def test_the_fixture_data_is_never_written_by_an_import(data_copy):
    imported.import_and_save(UCDP, "ucdp", data_copy, grant=curator_grant())
    assert curated_digests(data_copy) == curated_digests(FIXTURE_DATA)


@pytest.mark.parametrize("name", ["ucdp_ged_hdx_iraq.csv", "acled_export.csv", "gdelt_v2_raw.export.CSV"])
def test_imported_events_have_the_curated_columns_plus_provenance(data_copy, name):
    events = imported.import_and_save(EXTERNAL / name, None, data_copy, grant=curator_grant()).result.events
    curated = load_dataset(data_copy).events
    assert list(events.columns) == [*curated.columns, "original_id"]


def test_two_file_names_with_the_same_key_are_kept_apart(data_copy, tmp_path):
    """ "UCDP Iraq.csv" and "ucdp-iraq.zip" both read as ucdp-iraq: neither replaces the other."""
    first, second = tmp_path / "UCDP Iraq.csv", tmp_path / "ucdp-iraq.csv"
    first.write_bytes(UCDP.read_bytes())
    second.write_bytes(edited(UCDP.name, "34.196632,43.873899", "bad,43.873899"))
    imported.import_and_save(first, "ucdp", data_copy, grant=curator_grant())
    outcome = imported.import_and_save(second, "ucdp", data_copy, grant=curator_grant())
    assert outcome.replaced is None
    records = {r.file_name: r for r in imported.list_imports(data_copy)}
    assert sorted(records) == ["UCDP Iraq.csv", "ucdp-iraq.csv"]
    assert records["UCDP Iraq.csv"].key == "ucdp--ucdp-iraq"
    assert records["ucdp-iraq.csv"].key.startswith("ucdp--ucdp-iraq--")
    again = imported.import_and_save(second, "ucdp", data_copy, grant=curator_grant())
    assert again.replaced is not None and again.replaced.key == records["ucdp-iraq.csv"].key
    assert len(imported.list_imports(data_copy)) == 2


def test_a_refused_import_leaves_the_earlier_import_of_that_file_as_it_was(data_copy, tmp_path):
    imported.import_and_save(UCDP, "ucdp", data_copy, grant=curator_grant())
    folder = data_copy / imported.IMPORTED_FOLDER
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    too_long = tmp_path / UCDP.name
    too_long.write_bytes(UCDP.read_bytes() + b"x" * (2 * 1024 * 1024))
    with pytest.raises(ImportFailed, match="line 10 is longer than"):
        imported.import_and_save(too_long, "ucdp", data_copy, grant=curator_grant())
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == before
    assert [r.rows_imported for r in imported.list_imports(data_copy)] == [6]


def test_rejected_rows_are_read_a_page_at_a_time(data_copy, tmp_path):
    header, first = (EXTERNAL / "acled_export.csv").read_text(encoding="utf-8").split("\n")[:2]
    rows = [first.replace("IRQ90001", f"IRQ{n}", 1).replace(",2024-02-07,", ",someday,") for n in range(250)]
    garbage = tmp_path / "many.csv"
    garbage.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    record = imported.import_and_save(garbage, "acled", data_copy, grant=curator_grant()).record
    assert imported.rejected_reasons(record) == record.rows_rejected == 250
    first_page = imported.rejected_page(record, 1, per_page=100)
    third_page = imported.rejected_page(record, 3, per_page=100)
    assert list(first_page["line"]) == list(range(2, 102))
    assert list(third_page["line"]) == list(range(202, 252))
    assert imported.rejected_page(record, 4, per_page=100).empty
    assert list(imported.read_rejected(record, rows=3)["line"]) == [2, 3, 4]


def test_the_import_command_refuses_a_zip_bomb_naming_it_and_exits_2(data_copy, tmp_path, capsys):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("events.csv", bytes(5_000_000))
    assert main(["--data-dir", str(data_copy), "import", "auto", str(bomb)]) == 2
    assert "bomb.zip:0:: the ZIP archive's 'events.csv' expands " in capsys.readouterr().err
    assert not (data_copy / "imported").exists()
