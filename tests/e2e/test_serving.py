"""The served page fetches its chart module with its own modules, once, before it asks the server for a session,
and finds the server at its root from any page's address."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tensions.serving import server_root_script
from tests.e2e.conftest import served, wait_for_app
from tests.local_server import local_server

pytestmark = pytest.mark.e2e

# [name, start] of each request for Streamlit's chart module or its settings, in ms from navigation start.
REQUESTS = """() => performance.getEntriesByType('resource')
  .filter(entry => /\\/PlotlyChart\\.[^/]*\\.js$|\\/_stcore\\/host-config$/.test(entry.name))
  .map(entry => [entry.name.split('/').pop().split('.')[0], entry.startTime])"""


@pytest.mark.parametrize("path", ["", "/map"])
def test_a_first_visit_fetches_the_chart_module_once_before_asking_for_a_session(app_url, page, path):
    page, outside = page
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.add_init_script("window.socketBefore = window.WebSocket")
    page.goto(f"{app_url}{path}")
    wait_for_app(page)
    # Streamlit drops the map style's empty `sources` on its way to the browser, and MapLibre reports the style;
    # Plotly raises that report as "Map error." when the map has loaded before it. The map draws all the same.
    assert [str(error) for error in errors if str(error) != "Map error."] == []
    assert page.evaluate("() => window.WebSocket === window.socketBefore")  # put back after the first connection
    requests = page.evaluate(REQUESTS)
    chart = [start for name, start in requests if name == "PlotlyChart"]
    assert len(chart) == 1  # the page's own import reused the preload
    assert chart[0] < min(start for name, start in requests if name == "host-config")
    assert page.locator(".js-plotly-plot").first.is_visible()
    assert outside == []


def test_a_link_to_a_page_finds_the_server_at_its_root_without_asking_under_the_pages_path(app_url, page):
    page, outside = page
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{app_url}/map?country=Iraq")
    wait_for_app(page)
    assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == f"{app_url}/"
    assert [url for url in asked if "/_stcore/" in url and not url.startswith(f"{app_url}/_stcore/")] == []
    assert page.locator(".js-plotly-plot").first.is_visible()
    assert outside == []


@pytest.fixture
def page_behind_a_prefix() -> Iterator[str]:
    """A server answering any path with a page naming its root as a server asked at `/actors` would: as if a
    proxy had taken `/tensions` off the browser's address."""
    body = f"<html><head>{server_root_script(b'/actors', '/').decode()}</head><body></body></html>".encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    with local_server(Page) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def test_behind_a_proxy_that_adds_a_prefix_the_root_keeps_it(page_behind_a_prefix, page):
    page, _ = page
    page.goto(f"{page_behind_a_prefix}/tensions/actors?profile=Hezbollah")
    assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == f"{page_behind_a_prefix}/tensions/"
    page.goto(f"{page_behind_a_prefix}/elsewhere")  # an address not ending with the path: Streamlit searches itself
    assert page.evaluate("() => window.__streamlit") is None


def test_under_a_base_url_path_a_link_connects_there_and_the_map_fetches_its_basemap_there(page):
    page, outside = page
    basemap: list[tuple[str, int]] = []
    page.on(
        "response", lambda answer: basemap.append((answer.url, answer.status)) if "/basemap/" in answer.url else None
    )
    with served(env={"STREAMLIT_SERVER_BASE_URL_PATH": "tensions"}) as url:
        assert url.endswith("/tensions")
        page.goto(f"{url}/map?country=Iraq")
        wait_for_app(page)
        assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == f"{url}/"
        assert {address.split("/basemap/")[0] for address, _ in basemap} == {f"{url}/app/static"}
        assert {status for _, status in basemap} == {200}  # land, borders and the glyphs of the place names
    assert outside == []
