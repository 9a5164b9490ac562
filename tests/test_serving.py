"""The page Streamlit serves gains a preload of its chart module and a script starting it; nothing else changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from streamlit import file_util

from tensions.serving import EarlyChartModule, chart_module_head

PAGE = '<html><head><script type="module" src="./static/js/index.A1.js"></script></head><body>' + "x" * 600 + "</body>"
CHART = 'import{a as b}from"./index.A1.js";import{c}from"./wrapper.B2.js";import"./side.C3.js";var d=import("./lazy.D4.js");'


@pytest.fixture
def static(tmp_path: Path) -> Path:
    """A folder laid out as Streamlit's: its page and its modules."""
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "static" / "js" / "PlotlyChart.E5.js").write_text(CHART)
    return tmp_path


def test_the_head_preloads_the_chart_module_and_its_imports_the_page_lacks_and_starts_the_module_on_connecting(static):
    head = chart_module_head(static).decode()
    preloaded = [part.split('"')[0] for part in head.split('href="./static/js/')[1:]]
    assert preloaded == ["PlotlyChart.E5.js", "wrapper.B2.js", "side.C3.js"]  # not index (in the page), not lazy
    assert 'import("./static/js/PlotlyChart.E5.js")' in head
    assert "window.WebSocket = class extends" in head  # started once the page opens its connection


def test_without_a_single_chart_module_the_page_gains_nothing(static):
    (static / "static" / "js" / "PlotlyChart.F6.js").write_text(CHART)
    assert chart_module_head(static) == b""
    for module in (static / "static" / "js").glob("PlotlyChart.*"):
        module.unlink()
    assert chart_module_head(static) == b""


def test_the_installed_streamlit_has_a_chart_module_with_imports_to_preload():
    head = chart_module_head(Path(file_util.get_static_dir())).decode()
    assert head.count('rel="modulepreload"') >= 2, head
    assert head.count("PlotlyChart.") == 2, head  # preloaded, then started


def ask(head: bytes, method: str, path: str, accept: str, encoding: str = "gzip") -> httpx.Response:
    """Ask an app answering like Streamlit's server (its page, compressed under a path; a module), behind the
    middleware adding `head`."""

    def page(request):
        return HTMLResponse(PAGE)

    def module(request):
        return PlainTextResponse("y" * 2000, media_type="text/javascript")

    def not_modified(request):
        return Response(status_code=304, headers={"content-type": "text/html"})

    routes = [Route("/", page), Route("/map", page), Route("/static/js/x.js", module), Route("/cached", not_modified)]
    middleware = [Middleware(EarlyChartModule, head=head), Middleware(GZipMiddleware, minimum_size=500)]
    app = Starlette(routes=routes, middleware=middleware)

    async def request() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            return await client.request(method, path, headers={"accept": accept, "accept-encoding": encoding})

    return asyncio.run(request())


@pytest.mark.parametrize("path", ["/", "/map"])
def test_a_page_asked_for_by_a_browser_gains_the_head_before_its_end(path):
    answer = ask(b"<!--early-->", "GET", path, "text/html,*/*")
    assert answer.status_code == 200
    assert answer.text == PAGE.replace("</head>", "<!--early--></head>")
    assert answer.headers["content-length"] == str(len(answer.content))
    assert "content-encoding" not in answer.headers


def test_other_requests_and_answers_pass_unchanged():
    module = ask(b"<!--early-->", "GET", "/static/js/x.js", "*/*")
    assert module.headers["content-encoding"] == "gzip"  # still compressed
    assert module.text == "y" * 2000
    assert ask(b"<!--early-->", "HEAD", "/map", "text/html").headers["content-encoding"] == "gzip"
    assert "early" not in ask(b"<!--early-->", "GET", "/map", "application/json").text
    assert ask(b"<!--early-->", "GET", "/cached", "text/html").status_code == 304
    assert ask(b"", "GET", "/map", "text/html").text == PAGE
