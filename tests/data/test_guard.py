"""The write guard: every function of the package that writes a file is found by reading the source, and each
one that can reach the data folder refuses without a grant and leaves the folder exactly as it was. A new
writer fails `test_every_writer_in_the_package_is_known` until it is given a refusal case here (or a stated
reason why it never writes to the data folder)."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from tensions.analysis import briefs, overrides
from tensions.analysis.filters import FilterState
from tensions.curation import access, review_queue, saving, snapshot
from tensions.data import guard
from tensions.data.load import load_dataset
from tensions.data.schema import PLACES
from tensions.data.validate import read_tables
from tensions.errors import DataNotWritable, NotAuthorised
from tensions.export import data_card
from tensions.geocode import fill
from tensions.ingest import imported
from tensions.ingest.importers import import_file
from tensions.ingest.sync.acled import AcledAuth
from tensions.ingest.sync.base import SyncContext, SyncSettings
from tensions.ingest.sync.state import SourceState, SyncReport
from tensions.ingest.sync.store import FileSyncStore, commit
from tensions.store import curated
from tests.conftest import APP_ROOT, CURATOR_PASSWORD, curator_grant
from tests.ingest.importers.conftest import EXTERNAL

PACKAGE = APP_ROOT / "tensions"
UCDP = EXTERNAL / "ucdp_ged_hdx_iraq.csv"

# --------------------------------------------------------------------------- finding the writers

# Calls that write, rename, delete or lock a file, whatever they are called on…
WRITING_NAMES = {
    "write_bytes_atomically", "write_csv_atomically", "append_lines", "exclusive_lock", "remove_stale_temp_files",
    "write_csv", "make_folder", "write_text", "write_bytes", "unlink", "mkdir", "rmdir", "touch", "chmod",
    "symlink_to", "hardlink_to", "write_table",
}  # fmt: skip
# …these only with a path or buffer to write to (`frame.to_csv()` alone returns text)…
WRITING_WITH_A_TARGET = {"to_csv", "to_parquet", "to_json", "to_excel", "to_feather", "to_pickle"}
# …and these only on the module named (`list.remove` and `str.replace` write nothing).
WRITING_ON = {
    "os": {"replace", "rename", "remove", "unlink", "makedirs", "mkdir", "rmdir", "open", "fdopen", "truncate", "chmod",
           "fchmod", "link", "symlink", "write"},
    "shutil": {"copy", "copy2", "copyfile", "copytree", "move", "rmtree"},
    "tempfile": {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory", "TemporaryFile"},
    "guard": {"remove"},
}  # fmt: skip


def _opens_for_writing(mode: ast.expr | None) -> bool:
    if mode is None:
        return False
    return not isinstance(mode, ast.Constant) or any(flag in str(mode.value) for flag in "wax+")


def writes(call: ast.Call) -> bool:
    """Whether a call writes to the file system."""
    function = call.func
    if isinstance(function, ast.Name):
        if function.id == "open":
            mode = call.args[1] if len(call.args) > 1 else None
            return _opens_for_writing(mode or next((k.value for k in call.keywords if k.arg == "mode"), None))
        return function.id in WRITING_NAMES
    if not isinstance(function, ast.Attribute):
        return False
    receiver = function.value.id if isinstance(function.value, ast.Name) else None
    if function.attr in WRITING_ON.get(receiver, ()):
        return True
    if function.attr in WRITING_WITH_A_TARGET:
        return bool(call.args) or any(k.arg in {"path", "path_or_buf"} for k in call.keywords)
    if function.attr == "open":  # Path.open("w"); zipfile's and others' open(name) read
        mode = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "mode"), None)
        return isinstance(mode, ast.Constant) and _opens_for_writing(mode)
    return function.attr in WRITING_NAMES


def package_writers() -> set[str]:
    """`module:qualified.name` of every function under `tensions/` whose own body writes a file."""
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(APP_ROOT).with_suffix("").parts).removesuffix(".__init__")

        def visit(node: ast.AST, prefix: str, module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")
                elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    inner = {
                        id(n)
                        for d in ast.walk(child)
                        if d is not child and isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                        for n in ast.walk(d)
                    }
                    if any(isinstance(n, ast.Call) and id(n) not in inner and writes(n) for n in ast.walk(child)):
                        found.add(f"{module}:{prefix}{child.name}")
                    visit(child, f"{prefix}{child.name}.")

        visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


# --------------------------------------------------------------------------- the writers, case by case

# Writers that never write to the data folder by themselves, and why. Pages never call them (tested below).
# The benchmarks (`tensions.bench`) are run only from the command line and write only in their own temporary
# folders (a throwaway copy of the data at most) or the file `--json` names; pages never import them.
BENCHMARKS = "tensions.bench."
ELSEWHERE = {
    "tensions.data.atomic:write_bytes_atomically": "the mechanism: called by the guard, and by the writers below",
    "tensions.data.atomic:write_csv_atomically": "the mechanism, for CSV",
    "tensions.data.atomic:append_lines": "the mechanism, for logs",
    "tensions.data.atomic:exclusive_lock": "the mechanism, for locks",
    "tensions.data.atomic:remove_stale_temp_files": "the mechanism: called by the guard before each write",
    "tensions.curation.throttle:SignInThrottle._write": "the sign-in counts: kept for those who have no grant",
    "tensions.curation.throttle:SignInThrottle._locked": "the sign-in counts' lock",
    "tensions.curation.throttle:SignInThrottle.failed": "the record of a failed sign-in, by definition ungranted",
    "tensions.ingest.imported:parquet_bytes": "into memory (a BytesIO)",
    "tensions.store.imported:_csv_chunks": "into memory (a BytesIO) for COPY; save_import checks the grant first",
    "tensions.ingest.imported:ImportOutcome.write_rejected_csv": "the file the command line's --rejected names",
    "tensions.export.briefing:export_timeline_file": "the file the command line's --out names",
    "tensions.export.briefing:_readable_by_others": "the permissions of that --out file",
    "tensions.figures.map.basemap:write_static_files": "the app's static/ folder, rebuilt by a developer after a "
    "basemap change; never the data folder, never called by the app",
}


def _brief(folder: Path) -> briefs.Brief:
    return briefs.brief_from_view("Weekly", load_dataset(folder).events, FilterState())


def _override() -> overrides.TrendOverride:
    return overrides.TrendOverride("Lebanon", "2024-10", "deteriorated", "Because.", "Mallory", dt.date(2024, 11, 2))


def _save_changes(folder: Path, grant: object) -> None:
    base = snapshot.load_snapshot(folder)
    events = base.events.assign(notes=base.events["notes"] + " Edited.")
    saving.save_changes(base, grant=grant, access_config=access.AccessConfig(password=CURATOR_PASSWORD), events=events)


def _places(folder: Path):
    return read_tables(folder)[0][PLACES.file_name]


def _stored_import_key(folder: Path) -> str:
    return imported.import_and_save(UCDP, "ucdp", folder, grant=curator_grant()).record.key


UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:9/none"


# Each writer that can reach the data folder, called as a viewer would: `grant` is never a valid grant.
GUARDED: dict[str, Callable[[Path, object], object]] = {
    "tensions.data.guard:write_bytes": lambda d, g: guard.write_bytes(g, d / "events.csv", b"x"),
    "tensions.data.guard:write_csv": lambda d, g: guard.write_csv(g, _places(d), d / "places.csv"),
    "tensions.data.guard:append_lines": lambda d, g: guard.append_lines(g, d / "audit.log", ["forged"]),
    "tensions.data.guard:make_folder": lambda d, g: guard.make_folder(g, d / "new"),
    "tensions.data.guard:remove": lambda d, g: guard.remove(g, d / "events.csv"),
    "tensions.data.guard:exclusive_lock": lambda d, g: guard.exclusive_lock(g, d / ".lock").__enter__(),
    "tensions.curation.saving:save_changes": _save_changes,
    "tensions.analysis.overrides:save_override": lambda d, g: overrides.save_override(d, _override(), grant=g),
    "tensions.analysis.overrides:remove_override": lambda d, g: overrides.remove_override(
        d, "Lebanon", "2024-10", grant=g
    ),
    "tensions.analysis.briefs:save_brief": lambda d, g: briefs.save_brief(_brief(d), briefs.briefs_dir(d), grant=g),
    "tensions.ingest.imported:save_import": lambda d, g: imported.save_import(
        import_file(UCDP.read_bytes(), "ucdp", file_name=UCDP.name), d, grant=g
    ),
    "tensions.ingest.imported:remove_import": lambda d, g: imported.remove_import(d, _stored_import_key(d), grant=g),
    "tensions.geocode.fill:save_geocoded": lambda d, g: fill.save_geocoded(d, grant=g, places=_places(d)),
    "tensions.export.data_card:update_file": lambda d, g: data_card.update_file(d / "README.md", grant=g),
    "tensions.ingest.sync.store:commit": lambda d, g: commit(
        g, d, SourceState("acled"), SyncReport("acled", "2025-01-01T00:00:00+00:00"), merged=None, batch=None
    ),
    "tensions.ingest.sync.store:FileSyncStore.running": lambda d, g: FileSyncStore(d).running(g, "acled"),
    "tensions.ingest.sync.acled:AcledAuth._save": lambda d, g: AcledAuth(
        SyncContext(SyncSettings(), None, d, g)  # type: ignore[arg-type]  # no client: nothing is fetched
    )._save(),
    "tensions.curation.review_queue:record_decision": lambda d, g: review_queue.record_decision(
        d, "IRQ7", "dismissed", grant=g
    ),
    # Refused before the database is read, so no server is needed here.
    "tensions.store.curated:dump_folder": lambda d, g: curated.dump_folder(UNREACHABLE_DATABASE, d, grant=g),
}

NOT_GRANTS = {
    "no grant": lambda: None,
    "a grant written by hand": lambda: guard.Grant("Mallory", "password", "2025-01-01T00:00:00+00:00", "0" * 64),
    "a real grant with another name": lambda: dataclasses.replace(curator_grant(), who="Mallory"),
    "a look-alike object": lambda: SimpleNamespace(**dataclasses.asdict(curator_grant())),
    "a session's grant as text": lambda: str(curator_grant()),
}


def everything_in(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` (hidden ones too) with a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in sorted(folder.rglob("*"))
    }


def test_every_writer_in_the_package_is_known():
    unknown = {w for w in package_writers() if not w.startswith(BENCHMARKS)} - set(GUARDED) - set(ELSEWHERE)
    assert sorted(unknown) == [], (
        "a new writer: give it a grant and a refusal case in GUARDED (or say why in ELSEWHERE)"
    )


def test_no_writer_listed_here_has_gone():
    assert sorted((set(GUARDED) | set(ELSEWHERE)) - package_writers()) == []


@pytest.mark.parametrize("not_a_grant", list(NOT_GRANTS))
@pytest.mark.parametrize("writer", list(GUARDED))
def test_each_writer_refuses_without_a_grant_and_changes_nothing(writer, not_a_grant, data_copy):
    before = everything_in(data_copy)
    with pytest.raises(NotAuthorised, match=r"sign-in|sign in"):
        GUARDED[writer](data_copy, NOT_GRANTS[not_a_grant]())
    after = everything_in(data_copy)
    added = {name for name in after if name.startswith("imported")} if writer.endswith("remove_import") else set()
    assert {k: v for k, v in after.items() if k not in added} == {k: v for k, v in before.items() if k not in added}


def test_importing_is_refused_before_the_file_is_even_read(data_copy):
    with pytest.raises(NotAuthorised):
        imported.import_and_save(data_copy / "no such file.csv", "auto", data_copy, grant=None)


def test_a_curators_grant_writes(data_copy):
    guard.write_bytes(curator_grant(), data_copy / "note.txt", b"written")
    assert (data_copy / "note.txt").read_bytes() == b"written"


def test_the_command_lines_grant_writes_and_names_its_user(data_copy):
    grant = guard.local_grant()
    assert grant.method == guard.LOCAL and grant.who.endswith("(command line)")
    overrides.save_override(data_copy, _override(), grant=grant)
    assert overrides.read_overrides(data_copy)["country"].tolist() == ["Lebanon"]


PAGES = [*(APP_ROOT / "pages").glob("*.py"), APP_ROOT / "ui.py", APP_ROOT / "app.py"]


def called_names(path: Path) -> set[str]:
    return {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
    }


def test_only_the_command_line_takes_a_local_grant():
    callers = sorted(
        str(path.relative_to(APP_ROOT))
        for path in [*PACKAGE.rglob("*.py"), *PAGES]
        if "local_grant" in called_names(path)
    )
    assert [c for c in callers if not c.startswith("tensions/bench/")] == ["tensions/cli.py"]


def test_no_page_calls_a_writer_that_skips_the_guard_or_runs_a_benchmark():
    names = {writer.split(":")[1].split(".")[-1] for writer in ELSEWHERE}
    for path in PAGES:
        assert sorted(called_names(path) & names) == [], path.name
        assert "tensions.bench" not in path.read_text(encoding="utf-8"), path.name


def test_an_unwritable_folder_is_a_message_naming_the_file_as_the_app_sees_it(monkeypatch, data_copy):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(data_copy / ".events.csv.tmp"))

    monkeypatch.setattr("tensions.data.atomic.tempfile.mkstemp", refuse)
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    with pytest.raises(DataNotWritable) as refusal:
        guard.write_bytes(curator_grant(), data_copy / "events.csv", b"x")
    assert str(refusal.value).startswith("cannot write data/events.csv: Permission denied. Nothing was changed")
    assert str(data_copy.parent) not in str(refusal.value)


def test_a_temporary_file_left_by_a_killed_writer_is_cleared_by_the_next_write(data_copy):
    dead = data_copy / ".events.csv.999999999.abc123.tmp"  # no process has that id
    alive = data_copy / f".places.csv.{1}.abc123.tmp"  # pid 1 is alive: its writer may still be at work
    dead.write_bytes(b"half")
    alive.write_bytes(b"half")
    guard.write_bytes(curator_grant(), data_copy / "note.txt", b"x")
    assert not dead.exists() and alive.exists()
