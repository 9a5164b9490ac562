"""The data card's generated tables match the schema, and every CLI command is documented."""

from __future__ import annotations

from tensions.cli import build_parser
from tensions.export.data_card import render
from tests.conftest import APP_ROOT


def test_data_readme_tables_match_the_schema_and_the_data():
    text = (APP_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert render(text, APP_ROOT / "data") == text, "run `python -m tensions docs` to regenerate data/README.md"


def test_every_cli_command_is_in_the_readme():
    readme = (APP_ROOT / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    missing = [name for name in commands if f"python -m tensions {name}" not in readme]
    assert missing == []


def test_empty_generated_blocks_fill_without_swallowing_the_next_section():
    text = "a\n<!-- generated: taxonomy -->\n<!-- end generated -->\nb\n<!-- generated: places.csv -->\n<!-- end generated -->\nc\n"
    rendered = render(text, APP_ROOT / "data")
    assert rendered.count("<!-- end generated -->") == 2
    assert "\nb\n" in rendered and rendered.endswith("\nc\n")
    assert "| Battles | Armed clash |" in rendered and "| `place` |" in rendered
