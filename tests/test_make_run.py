"""The README's first command, `make run`, on a machine where Streamlit never ran: it serves the dashboard and asks
nothing (Streamlit's own first run would stop at a prompt for an e-mail address, and fail with no terminal)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request

from tensions.bench.browser import free_port
from tests.conftest import APP_ROOT

STARTUP_SECONDS = 60


def test_make_run_serves_the_dashboard_without_asking_anything(tmp_path):
    port = free_port()
    home = tmp_path / "home"  # no ~/.streamlit/credentials.toml: a machine new to Streamlit
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "BROWSER": "true"}  # the browser it opens: a command that does nothing
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=APP_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    said: list[str] = []
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and not any("Local URL" in line for line in said):
            line = process.stdout.readline()
            if not line:
                break
            said.append(line)
        output = "".join(said)
        assert "Local URL" in output, output
        assert "Email:" not in output, output
        asked = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Accept": "text/html"})  # as a browser
        with urllib.request.urlopen(asked, timeout=30) as page:
            assert page.status == 200
            assert b"modulepreload" in page.read()  # served by serve.py
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
