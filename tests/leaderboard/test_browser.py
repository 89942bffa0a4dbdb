"""The published page in a real headless Chromium: no console errors, JS filters and sorts rows,
and a screenshot is taken. Skipped where Debian's chromium is not installed."""

import functools
import http.server
import re
import subprocess
import threading
from pathlib import Path

import pytest

from ssvzoo.cli import main

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                       "(apt-get install chromium)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served_site(runs_dir, tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["leaderboard", "publish", "--out", str(site), "--runs", str(runs_dir),
                 "--no-plots"]) == 0
    capsys.readouterr()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def _chromium(tmp_path, *args):
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}",
                           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    assert console == [], console  # the page logs nothing, so any console line is an error
    return proc.stdout


def _table_rows(dom: str, table_id: str) -> list[tuple[bool, list[str]]]:
    """(hidden, cell texts) of each body row of one table, in DOM order."""
    body = re.search(rf'<table class="lb" id="{table_id}".*?<tbody>(.*?)</tbody>', dom, re.S)
    rows = []
    for attrs, inner in re.findall(r"<tr ([^>]*)>(.*?)</tr>", body.group(1), re.S):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", inner, re.S)]
        rows.append(("hidden" in attrs, cells))
    return rows


def test_page_loads_filters_and_sorts(served_site, tmp_path):
    dom = _chromium(tmp_path, "--dump-dom", served_site + "?filter=R%4020&sort=value&order=asc")
    assert 'data-ready="1"' in dom  # the script ran to the end
    rows = _table_rows(dom, "t-synthactions-retrieval")
    assert len(rows) == 12
    shown = [cells for hidden, cells in rows if not hidden]
    assert [c[5] for c in shown] == ["R@20"] * 3  # only the R@20 rows survive the filter
    assert "3 of 12 rows" in dom
    # the JS re-sorted by value, ascending: the server sent them ranked (descending) per group
    assert [float(c[6]) for c in shown] == [88.0, 95.0, 96.0]
    all_values = [float(cells[6]) for _, cells in rows]
    assert all_values == sorted(all_values)


def test_screenshot(served_site, tmp_path):
    shot = tmp_path / "page.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,900",
              served_site + "?filter=synthactions")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 900)
