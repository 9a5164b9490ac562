"""The Data page and the sidebar's dataset filter: upload, import, choose datasets, see rejected rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from tensions.data.literal import markdown_literal
from tensions.ingest import imported
from tests.conftest import APP_ROOT, as_curator, curator_grant
from tests.ingest.importers.conftest import EXTERNAL, edited

TIMEOUT = 60
UCDP = "ucdp_ged_hdx_iraq.csv"


@pytest.fixture
def data_dir(data_copy, monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    return data_copy


def open_page(name: str, *, curator: bool = False) -> AppTest:
    """The page, opened by a viewer or (`curator`) in a session signed in on the Curate page."""
    at = AppTest.from_file(str(APP_ROOT / "pages" / name), default_timeout=TIMEOUT)
    return (as_curator(at) if curator else at).run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="data_upload").set_value((name, content, "text/csv"))
    at.run()
    return at.button(key="data_import").click().run()


def digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_with_nothing_imported_the_page_says_so(data_dir):
    at = open_page("data.py")
    assert not at.exception
    assert any("Nothing imported yet" in info.value for info in at.info)
    assert at.multiselect(key="dataset").value == ["curated"]


def test_a_viewer_is_offered_no_upload_and_no_removal(data_dir):
    imported.import_and_save(EXTERNAL / UCDP, "ucdp", data_dir, grant=curator_grant())
    at = open_page("data.py")
    assert not at.exception
    assert not at.file_uploader
    assert [b.key for b in at.button] == ["data_apply"]  # "Show these datasets" only sets the sidebar filter
    assert any("Importing or removing a dataset needs a curator's sign-in" in c.value for c in at.caption)
    assert "data_remove_pick" not in [w.key for w in at.selectbox]


def test_a_curator_removes_an_import(data_dir):
    imported.import_and_save(EXTERNAL / UCDP, "ucdp", data_dir, grant=curator_grant())
    at = open_page("data.py", curator=True)
    at.selectbox(key="data_remove_pick").set_value("ucdp--ucdp_ged_hdx_iraq")
    at.button(key="data_remove").click().run()
    assert not at.exception
    assert imported.list_imports(data_dir) == []
    assert not list((data_dir / "imported").iterdir())


def test_uploading_a_ucdp_file_imports_it_and_shows_it_beside_the_curated_events(data_dir):
    before = digests(data_dir)
    at = upload(open_page("data.py", curator=True), UCDP, (EXTERNAL / UCDP).read_bytes())
    assert not at.exception
    assert "6 rows read, 6 imported, 0 rejected" in at.success[0].value
    assert at.multiselect(key="dataset").value == ["curated", "ucdp"]
    assert any("12 events match the sidebar" in c.value for c in at.caption)
    assert any("CC BY 4.0" in m.value for m in at.markdown)
    assert any("UCDP GED: UCDP Georeferenced Event Dataset" in c.value for c in at.sidebar.caption)
    assert digests(data_dir) == before


def test_a_file_that_cannot_be_imported_shows_its_problems_and_stores_nothing(data_dir):
    at = upload(open_page("data.py", curator=True), "mystery.csv", b"name,value\nx,1\n")
    assert not at.exception
    assert "could not be imported" in at.error[0].value
    assert "mystery.csv:1:: not a UCDP GED, ACLED or GDELT file" in at.code[0].value
    assert imported.list_imports(data_dir) == []


def upload_with_a_rejected_row() -> AppTest:
    """A curator uploads a UCDP file with one bad latitude; the page must list that row with line, column and
    reason (whichever store keeps the import)."""
    bad = edited(UCDP, "34.196632,43.873899", "34.19.6632,43.873899")
    at = upload(open_page("data.py", curator=True), "bad_ucdp.csv", bad)
    assert "6 rows read, 5 imported, 1 rejected" in at.success[0].value
    assert rejected_table(at)[["line", "column", "reason"]].to_dict("records") == [
        {"line": 5, "column": "latitude", "reason": "'34.19.6632' is not a number"}
    ]
    return at


def test_rejected_rows_are_listed_with_line_column_and_reason(data_dir):
    upload_with_a_rejected_row()


def test_the_dataset_filter_adds_imported_events_to_other_pages(data_dir):
    imported.import_and_save(EXTERNAL / UCDP, "ucdp", data_dir, grant=curator_grant())
    at = open_page("overview.py")
    assert {m.label: m.value for m in at.metric}["Events"] == "6"  # curated only by default
    at.multiselect(key="dataset").set_value(["curated", "ucdp"]).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Events"] == "12"
    # The period widened to take in UCDP's 1995 to 2017 events.
    assert at.date_input(key="dates").value[0] == dt.date(1995, 5, 4)
    at.multiselect(key="dataset").set_value(["ucdp"]).run()
    assert {m.label: m.value for m in at.metric}["Events"] == "6"


def test_every_dataset_chosen_by_emptying_the_filter_holds_on_the_next_page(data_dir):
    imported.import_and_save(EXTERNAL / UCDP, "ucdp", data_dir, grant=curator_grant())
    at = AppTest.from_file(str(APP_ROOT / "app.py"), default_timeout=60).run()
    at.multiselect(key="dataset").set_value([]).run()  # empty: every dataset
    assert {m.label: m.value for m in at.metric}["Events"] == "12"
    at.query_params.clear()  # as a click in the navigation does
    at.switch_page("pages/timeline.py").run()
    assert not at.exception
    assert at.multiselect(key="dataset").value == ["curated", "ucdp"]
    at.query_params.clear()
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Events"] == "12"


def test_show_on_every_page_sets_the_sidebar_filter(data_dir):
    imported.import_and_save(EXTERNAL / "gdelt_v2_raw.export.CSV", None, data_dir, grant=curator_grant())
    at = open_page("data.py")
    at.multiselect(key="data_show").set_value(["gdelt"]).run()
    at.button(key="data_apply").click().run()
    assert not at.exception
    assert at.multiselect(key="dataset").value == ["gdelt"]
    assert any("5 events match the sidebar" in c.value for c in at.caption)


def test_a_refused_upload_names_the_file_stores_nothing_and_keeps_the_earlier_import(data_dir):
    imported.import_and_save(EXTERNAL / UCDP, "ucdp", data_dir, grant=curator_grant())
    folder = data_dir / imported.IMPORTED_FOLDER
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(UCDP, (EXTERNAL / UCDP).read_bytes() + b"\n" * 3_000_000)
    at = upload(open_page("data.py", curator=True), "ucdp_ged_hdx_iraq.zip", buffer.getvalue())
    assert not at.exception
    assert at.error[0].value.startswith("ucdp\\_ged\\_hdx\\_iraq.zip could not be imported. Nothing was stored.")
    assert "this looks like a ZIP bomb" in at.code[0].value
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_markup_in_an_upload_name_and_a_zip_member_name_is_shown_as_text(data_dir):
    name, member = "**loud** [x](http://example.invalid).csv", "![i](http://example.invalid/i.png).csv"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, (EXTERNAL / UCDP).read_bytes())
    at = upload(open_page("data.py", curator=True), name + ".zip", buffer.getvalue())
    assert f"Imported {markdown_literal(name + '.zip')} as UCDP GED" in at.success[0].value
    assert f"Note: {markdown_literal(f'unpacked {member} from the ZIP archive')}" in [c.value for c in at.caption]
    failed = upload(open_page("data.py", curator=True), name, b"name,value\nx,1\n")
    assert failed.error[0].value.startswith(f"{markdown_literal(name)} could not be imported")


def rejected_table(at: AppTest):
    (table,) = [d.value for d in at.dataframe if "reason" in d.value.columns]
    return table


def test_rejected_rows_are_shown_a_page_at_a_time(data_dir):
    header, first = (EXTERNAL / "acled_export.csv").read_text(encoding="utf-8").split("\n")[:2]
    rows = [first.replace("IRQ90001", f"IRQ{n}", 1).replace(",2024-02-07,", ",someday,") for n in range(250)]
    at = upload(open_page("data.py", curator=True), "bad.csv", "\n".join([header, *rows]).encode() + b"\n")
    assert "250 rows read, 0 imported, 250 rejected" in at.success[0].value
    assert list(rejected_table(at)["line"]) == list(range(2, 102))
    assert at.number_input(key="data_rejected_page_acled--bad").max == 3
    at.number_input(key="data_rejected_page_acled--bad").set_value(3).run()
    assert list(rejected_table(at)["line"]) == list(range(202, 252))
    assert any("reasons 201 to 250 are listed" in c.value for c in at.caption)


def test_uploading_the_same_file_name_again_says_it_replaces_the_earlier_import(data_dir):
    at = upload(open_page("data.py", curator=True), UCDP, (EXTERNAL / UCDP).read_bytes())
    assert "replaces" not in at.success[0].value
    at = upload(at, UCDP, (EXTERNAL / UCDP).read_bytes())
    assert "It replaces the import of the same file name made " in at.success[0].value
    assert len(imported.list_imports(data_dir)) == 1
