"""The detail card of one event: the full record, escaped, with a link only where the data has a real one."""

from __future__ import annotations

import pytest

from tensions.data.load import load_dataset
from tensions.figures.details import event_detail_html, event_list, event_title, safe_link


def event(data_copy, event_id, **changes):
    events = load_dataset(data_copy).events
    row = events[events["event_id"] == event_id].iloc[0].copy()
    for column, value in changes.items():
        row[column] = value
    return row


def test_the_card_has_the_full_summary_source_confidence_and_attribution(data_copy):
    card = event_detail_html(event(data_copy, "JOR-20240128-1"))
    assert "killing three US soldiers and wounding dozens." in card
    assert "US Department of Defense, 28 Jan 2024" in card
    assert "[Statement on the deaths of three US soldiers in Jordan]" in card
    assert "high (widely reported and undisputed)" in card
    assert "attributed by United States to Iran-backed militias" in card
    assert "Islamic Resistance in Iraq → US forces" in card


def test_the_card_states_how_well_date_and_place_are_known(data_copy):
    card = event_detail_html(event(data_copy, "IRQ-20250115-1"))
    assert "Jan 2025 (month known)" in card
    assert "(province only)" in card
    assert "known to only the province or region" in card


def test_unknown_deaths_read_not_reported(data_copy):
    assert "not reported" in event_detail_html(event(data_copy, "IRQ-20240104-1"))


def test_a_key_event_is_titled_by_its_label(data_copy):
    assert event_title(event(data_copy, "JOR-20240128-1")) == "Tower 22: 3 US troops killed"
    assert event_title(event(data_copy, "IRQ-20240104-1")) == "Air/drone strike in Baghdad, Iraq"


def test_no_link_is_drawn_without_a_source_url(data_copy):
    assert "<a " not in event_detail_html(event(data_copy, "IRQ-20240104-1"))


def test_a_source_url_becomes_a_link_to_a_new_tab(data_copy):
    card = event_detail_html(event(data_copy, "IRQ-20240104-1", source_url="https://example.org/a?b=1&c=2"))
    assert '<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">' in card


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>", "  ", "ftp://x"])
def test_only_web_addresses_become_links(url):
    assert safe_link(url) is None


def test_markup_in_the_data_is_escaped(data_copy):
    card = event_detail_html(
        event(data_copy, "IRQ-20240104-1", notes="<img src=x onerror=alert(1)>", label="<b>x</b>", actor2="<script>")
    )
    assert "<img" not in card and "<script>" not in card and "<b>x</b>" not in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card


def test_an_event_list_is_newest_first(data_copy):
    events = load_dataset(data_copy).events
    assert event_list(events)["event_id"].tolist()[:2] == ["IRQ-20250316-1", "IRQ-20250115-1"]
