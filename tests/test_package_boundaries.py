"""The package's boundaries: it never imports Streamlit (so the CLI, tests and pages share one implementation),
and each layer imports only from its own layer or the layers beneath it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import APP_ROOT

PACKAGE = APP_ROOT / "tensions"

# The layers of `tensions/`, lowest first. `errors` (every exception) lies beneath them all; `cli` (with
# `__main__`) is the top. Subpackages on one line are peers.
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(line.split())
    for line in """
    errors
    data
    ingest geocode
    store
    analysis
    figures
    export curation bench serving
    cli __main__
    """.strip().splitlines()
)
LAYER_OF = {part: level for level, parts in enumerate(LAYERS) for part in parts}


def imported_modules(path: Path):
    """Every module `path` imports, anywhere in the file (also inside functions), as an absolute dotted name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(APP_ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # `from tensions import x` imports the module `tensions.x`.
            yield from (f"{base}.{alias.name}" for alias in node.names) if base == "tensions" else [base]


def part_of(module: str) -> str | None:
    """The part of the package a dotted module name belongs to: `tensions.figures.map.builder` -> `figures`."""
    names = module.split(".")
    return names[1] if names[0] == "tensions" and len(names) > 1 else None


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_nothing_under_tensions_imports_streamlit():
    offenders = [
        str(path.relative_to(APP_ROOT))
        for path in package_modules()
        if any(name.split(".")[0] == "streamlit" for name in imported_modules(path))
    ]
    assert offenders == []


def test_every_part_of_the_package_has_a_layer():
    parts = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in package_modules()}
    assert sorted(parts - set(LAYER_OF) - {"__init__"}) == []


def test_each_layer_imports_only_from_its_own_layer_or_lower_ones():
    offenders = []
    for path in package_modules():
        own = part_of(".".join(path.relative_to(APP_ROOT).with_suffix("").parts))
        if own is None:  # tensions/__init__.py
            continue
        for module in imported_modules(path):
            other = part_of(module)
            if other is not None and LAYER_OF[other] > LAYER_OF[own]:
                offenders.append(f"{path.relative_to(APP_ROOT)} imports {module} ({other} is above {own})")
    assert offenders == []
