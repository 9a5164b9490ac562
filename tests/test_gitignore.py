"""What the app writes while it runs stays out of git: saved briefs, imports, backups, the sign-in counts,
locks and the temporary files of a killed save. Checked with `git status` in a copy of the repository's
ignore rules and data folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tensions.analysis import briefs
from tensions.analysis.filters import FilterState
from tensions.curation import access, saving, snapshot
from tensions.curation.throttle import SignInThrottle
from tensions.data.load import load_dataset
from tensions.ingest import imported
from tests.conftest import APP_ROOT, CURATOR_PASSWORD, FIXTURE_DATA, curator_grant
from tests.ingest.importers.conftest import EXTERNAL


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository holding the project's .gitignore and a committed copy of the data folder."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copy(APP_ROOT / ".gitignore", tmp_path / ".gitignore")
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    shutil.copytree(APP_ROOT / "data" / "briefs", tmp_path / "data" / "briefs")  # its README is tracked
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "--all")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "data")
    return tmp_path


def test_a_saved_brief_is_git_ignored(repository):
    data = repository / "data"
    brief = briefs.brief_from_view("Weekly brief", load_dataset(data).events, FilterState())
    path = briefs.save_brief(brief, briefs.briefs_dir(data), grant=curator_grant())
    assert path.exists()
    assert git(repository, "status", "--porcelain", "--untracked-files=all") == ""


def test_what_imports_saves_and_sign_ins_leave_behind_is_git_ignored(repository):
    data = repository / "data"
    imported.import_and_save(EXTERNAL / "ucdp_ged_hdx_iraq.csv", "ucdp", data, grant=curator_grant())
    SignInThrottle(data).sign_in("wrong", access.AccessConfig(password=CURATOR_PASSWORD), who="M", address=None)
    base = snapshot.load_snapshot(data)
    events = base.events.assign(notes=base.events["notes"] + " Edited.")
    saving.save_changes(
        base, grant=curator_grant(), access_config=access.AccessConfig(password=CURATOR_PASSWORD), events=events
    )
    (data / "briefs" / ".weekly.json.4242.abc.tmp").write_text("left by a killed save")
    (data / "imported" / ".x.parquet.4242.abc.tmp").write_text("left by a killed import")
    status = git(repository, "status", "--porcelain", "--untracked-files=all").splitlines()
    # The save itself, nothing else: the audit log is runtime history holding sign-in addresses, ignored.
    assert sorted(status) == [" M data/events.csv"]
    assert (data / "audit.log").exists()
