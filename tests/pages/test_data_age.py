"""Old data is never mistaken for the current picture: its date and age are on every page and on the Overview."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from tensions.data.load import load_dataset
from tensions.data.words import age_in_words
from tests.conftest import APP_ROOT, FIXTURE_DATA


def test_the_sidebar_and_overview_say_how_old_the_data_is(monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))
    as_of = load_dataset(FIXTURE_DATA).data_as_of
    age = age_in_words(as_of, dt.date.today())
    at = AppTest.from_file(str(APP_ROOT / "pages/overview.py"), default_timeout=60).run()
    assert not at.exception
    assert f"Data as of {as_of:%-d %B %Y} ({age})" in [c.value for c in at.sidebar.caption]
    assert (
        f"The newest report in this data is from {as_of:%-d %B %Y}, {age}: anything that happened since is not shown."
        in [w.value for w in at.warning]
    )
