"""Generated parts of `data/README.md`: the column and taxonomy tables, from the schema itself."""

from __future__ import annotations

import re
from pathlib import Path

from tensions.schema import TABLES, column_docs_markdown, taxonomy_docs_markdown

BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w.]+) -->\n).*?(\n<!-- end generated -->)", re.DOTALL)


def generated_blocks() -> dict[str, str]:
    """Each generated block's name and its Markdown."""
    blocks = {table.file_name: column_docs_markdown(table) for table in TABLES}
    blocks["taxonomy"] = taxonomy_docs_markdown()
    return blocks


def render(text: str) -> str:
    """`text` with every generated block replaced by its current content."""
    blocks = generated_blocks()
    return BLOCK.sub(lambda m: m.group(1) + blocks[m.group("name")] + m.group(3), text)


def update_file(path: Path) -> bool:
    """Regenerate the blocks in `path`; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    updated = render(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text
