"""The Data page with PostgreSQL as the store: an upload is stored in the database and listed from its
`imports` table, and removed from it; nothing is written under `data/imported/`."""

from __future__ import annotations

import pytest

from tensions.data.guard import local_grant
from tensions.store import curated
from tensions.store import imported as stored
from tensions.store.select import import_and_save
from tests.ingest.importers.conftest import EXTERNAL
from tests.pages.test_data import UCDP, open_page, upload, upload_with_a_rejected_row


def listed(at) -> list[str]:
    """The file names in the page's table of imports."""
    return next(frame.value["file"].tolist() for frame in at.dataframe if "imported on" in frame.value.columns)


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch) -> str:
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    return postgres_url


def test_an_upload_is_stored_in_the_database_and_listed(database, data_copy):
    at = upload(open_page("data.py", curator=True), UCDP, (EXTERNAL / UCDP).read_bytes())
    assert not at.exception
    assert "6 rows read, 6 imported, 0 rejected" in at.success[0].value
    assert [(r.key, r.rows_imported) for r in stored.list_imports(database)] == [("ucdp--ucdp_ged_hdx_iraq", 6)]
    assert listed(at) == [UCDP]
    assert any("stored in the database" in c.value for c in at.caption)
    assert not (data_copy / "imported").exists()


def test_a_curator_removes_an_import_from_the_database(database, data_copy):
    import_and_save(EXTERNAL / UCDP, "ucdp", data_copy, grant=local_grant())
    at = open_page("data.py", curator=True)
    assert listed(at) == [UCDP]
    at.selectbox(key="data_remove_pick").set_value("ucdp--ucdp_ged_hdx_iraq")
    at.button(key="data_remove").click().run()
    assert not at.exception
    assert stored.list_imports(database) == []
    assert any("Nothing imported yet" in info.value for info in at.info)


def test_rejected_rows_of_a_database_import_are_listed_from_it(database, data_copy):
    at = upload_with_a_rejected_row()
    assert any("1 rows were rejected; 1 reasons are kept" in c.value for c in at.caption)
    assert not (data_copy / "imported").exists()
