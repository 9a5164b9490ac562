"""Every page under Streamlit's AppTest: renders with the default filters, and says so when nothing matches."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from tensions.data.load import load_dataset
from tests.conftest import APP_ROOT, FIXTURE_DATA
from tests.pages.tabs import drawn_charts, open_tab

# Every page script, found on disk: a new page is smoke-tested without anyone listing it here.
PAGES = sorted(path.relative_to(APP_ROOT).as_posix() for path in (APP_ROOT / "pages").glob("*.py"))
TIMEOUT = 60


def open_page(page: str) -> AppTest:
    """Run one page alone, as AppTest does (it reruns only the page, never `app.py` around it)."""
    return AppTest.from_file(str(APP_ROOT / page), default_timeout=TIMEOUT).run()


def filter_to_nothing(at: AppTest, data_dir) -> None:
    """Pick the first day and a country with no event on it: a filter that matches nothing."""
    events = load_dataset(data_dir).events
    first = events["event_date"].min()
    busy = set(events.loc[events["event_date"] == first, "country"])
    options = at.multiselect(key="country").options
    idle = next(c for c in options if c not in busy)
    at.date_input(key="dates").set_value((first.date(), first.date()))
    at.multiselect(key="country").set_value([idle])
    at.run()


@pytest.fixture(params=["shipped", "fixture"])
def data_dir(request, monkeypatch):
    if request.param == "fixture":
        monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))
        return FIXTURE_DATA
    monkeypatch.delenv("TENSIONS_DATA_DIR", raising=False)
    return APP_ROOT / "data"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_default_filters(page, data_dir):
    at = open_page(page)
    assert not at.exception
    assert not at.error


@pytest.mark.parametrize("page", PAGES)
def test_page_says_no_events_when_filters_match_nothing(page, data_dir):
    at = open_page(page)
    filter_to_nothing(at, data_dir)
    assert not at.exception
    assert any("No events match these filters" in info.value for info in at.info)


def test_every_page_script_is_in_the_apps_navigation():
    navigation = (APP_ROOT / "ui.py").read_text()  # `ui.app_page`, which app.py runs
    assert len(PAGES) >= 6
    assert [page for page in PAGES if not re.search(rf'st\.Page\(\s*"{page}"', navigation)] == []


def test_the_app_entry_point_opens_the_overview():
    at = AppTest.from_file(str(APP_ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Regional tensions"


def test_overview_shows_headline_figures_and_drawn_charts(monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))
    at = open_page("pages/overview.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events"] == "6"
    assert metrics["Reported fatalities"] == "3"
    assert [tab.label for tab in at.tabs] == ["Tension index", "Trends and drivers", "Activity", "Latest events"]
    # Only the open tab runs: the index's small multiples on a first visit; each tab its own charts.
    assert drawn_charts(at) == ["index_small_multiples"]
    assert drawn_charts(open_tab(at, "overview_tab", "Trends and drivers")) == ["index_movers"]
    assert drawn_charts(open_tab(at, "overview_tab", "Activity")) == ["events_per_month", "active_actors"]
    assert drawn_charts(open_tab(at, "overview_tab", "Latest events")) == []
    assert at.sidebar.caption[0].value.startswith("Data as of 7 April 2025 (")


def test_overview_counts_follow_the_sidebar_filters(monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))
    at = open_page("pages/overview.py")
    at.multiselect(key="actor").set_value(["Islamic Resistance in Iraq"]).run()
    assert {m.label: m.value for m in at.metric}["Events"] == "3"
    at.date_input(key="dates").set_value((dt.date(2024, 1, 4), dt.date(2024, 12, 31))).run()
    assert {m.label: m.value for m in at.metric}["Events"] == "2"


def test_invalid_data_shows_an_error_panel_not_a_traceback(monkeypatch, data_copy):
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("2024-01-28,day", "2024-01-32,day"))
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    at = open_page("pages/overview.py")
    assert not at.exception
    assert "is invalid" in at.error[0].value
    assert "events.csv:3:event_date: '2024-01-32' not a valid ISO date (YYYY-MM-DD)" in at.code[0].value
