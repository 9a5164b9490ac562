"""A page's tabs under AppTest: only the open tab runs, as in the browser, so a test opens the one it reads."""

from __future__ import annotations

from streamlit.proto.Block_pb2 import Block as BlockProto
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """`at` run again with the tab `label` of the tabs keyed `key` open, as a click on it does."""
    at.session_state[key] = label
    return at.run()


def drawn_charts(at: AppTest) -> list[str]:
    """The keys of the Plotly charts the last run drew, top to bottom: what the open tab ran."""
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]


def page_tabs(at: AppTest) -> dict[str, list[str]]:
    """The key and tab labels of each set of tabs bound to the URL on the page (the ones that run only when open)."""
    found: dict[str, list[str]] = {}

    def visit(block: Block) -> None:
        proto = block.proto
        bound = isinstance(proto, BlockProto) and proto.WhichOneof("type") == "tab_container"
        if bound and (key := proto.tab_container.query_param_key):
            found[key] = [tab.label for tab in block.children.values()]
        for child in block.children.values():
            if isinstance(child, Block):
                visit(child)

    visit(at.main)
    return found
