"""The page Streamlit serves gains a preload of its chart module, a script starting it and, given the server's root,
a script naming the root; nothing else changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from streamlit import file_util
from streamlit.web.server.starlette.starlette_static_routes import create_streamlit_static_handler

from tensions.serving import PageHead, chart_module_head, server_root_script

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
    assert "window.WebSocket = class extends" in head and 'addEventListener("open"' in head  # started once connected


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


def ask(
    static: Path, head: bytes, method: str, path: str, accept: str, *, root: str | None = None, **headers: str
) -> httpx.Response:
    """Ask Streamlit's own static files (its page under every page's path), compressed as Streamlit's server
    compresses, behind the middleware adding `head` (and naming the server's `root`)."""
    files = create_streamlit_static_handler(directory=str(static), base_url=None)
    middleware = [Middleware(PageHead, head=head, root=root), Middleware(GZipMiddleware, minimum_size=500)]
    app = Starlette(routes=[Mount("/", app=files)], middleware=middleware)

    async def request() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            asked = {
                "accept": accept,
                "accept-encoding": "gzip",
                **{k.replace("_", "-"): v for k, v in headers.items()},
            }
            return await client.request(method, path, headers=asked)

    return asyncio.run(request())


@pytest.mark.parametrize("path", ["/", "/map"])
def test_a_page_asked_for_by_a_browser_gains_the_head_sent_whole_and_without_validators(static, path):
    answer = ask(static, b"<!--early-->", "GET", path, "text/html,*/*")
    assert answer.status_code == 200
    assert answer.text == PAGE.replace("</head>", "<!--early--></head>")
    assert answer.headers["content-length"] == str(len(answer.content))
    assert "content-encoding" not in answer.headers  # /map came compressed: read, then sent plain
    assert "etag" not in answer.headers and "last-modified" not in answer.headers
    assert "Accept" in answer.headers["vary"]


def test_a_page_cached_before_is_sent_again_with_the_head(static):
    validator = ask(static, b"", "GET", "/", "text/html").headers["etag"]
    assert ask(static, b"", "GET", "/", "text/html", if_none_match=validator).status_code == 304  # Streamlit's own
    answer = ask(static, b"<!--early-->", "GET", "/", "text/html", if_none_match=validator)
    assert answer.status_code == 200
    assert "<!--early-->" in answer.text


def test_other_requests_and_answers_pass_unchanged(static):
    (static / "static" / "js" / "x.js").write_text("y" * 2000)
    (static / "events.csv").write_text("z" * 2000)
    module = ask(static, b"<!--early-->", "GET", "/static/js/x.js", "*/*")
    assert module.headers["content-encoding"] == "gzip"  # still compressed
    assert module.text == "y" * 2000
    download = ask(static, b"<!--early-->", "GET", "/events.csv", "text/html,*/*")  # a download is a navigation
    assert download.headers["content-encoding"] == "gzip"
    assert download.text == "z" * 2000
    assert "early" not in ask(static, b"<!--early-->", "GET", "/map", "application/json").text
    assert ask(static, b"", "GET", "/map", "text/html").text == PAGE


def test_an_html_answer_too_large_to_read_passes_unchanged(static):
    large = "<html><head></head><body>" + "w" * (1 << 20) + "</body></html>"
    (static / "large.html").write_text(large)
    answer = ask(static, b"<!--early-->", "GET", "/large.html", "text/html")
    assert answer.text == large


def test_given_the_servers_root_each_page_names_it_for_the_path_it_was_asked_at(static):
    answer = ask(static, b"<!--early-->", "GET", "/actors?profile=Hezbollah", "text/html", root="/")
    assert answer.text == PAGE.replace(
        "</head>", "<!--early-->" + server_root_script(b"/actors", "/").decode() + "</head>"
    )
    assert '{"path": "/actors", "root": "/"}' in answer.text  # the path alone, as sent, without the query
    assert '"path": "/caf%C3%A9"' in ask(static, b"", "GET", "/caf%C3%A9", "text/html", root="/").text
    assert "BACKEND_BASE_URL" not in ask(static, b"", "GET", "/static/js/x.js", "*/*", root="/").text


def test_a_path_cannot_close_the_script_that_names_it():
    script = server_root_script(b"/</script><script>alert(1)</script><!--&", "/").decode()
    assert script.count("<") == script.count("<script>") + script.count("</script>") == 2
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in script and "\\u0026" in script
