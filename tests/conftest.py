"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import os
import pathlib
import shutil
import time

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUILD_HTML = ROOT / "_build" / "html"
_SESSION_START = time.time()


def toc_files() -> list[str]:
    """Every `file:` entry of _toc.yml (root included), without extension."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", toc.get("chapters", [])))
    return files


def toc_notebooks() -> list[pathlib.Path]:
    return [ROOT / f"{f}.ipynb" for f in toc_files() if f.startswith("notebooks/")]


def selected_notebooks() -> list[pathlib.Path]:
    """The chapters of the table of contents, or only those named in ``RNNBOOK_ONLY``.

    ``RNNBOOK_ONLY=06_gru,07_pytorch`` (comma-separated parts of file names) limits the portability
    and timing tests to those notebooks while a chapter is being written; ``make test`` never sets it.
    """
    chosen = [part.strip() for part in os.environ.get("RNNBOOK_ONLY", "").split(",") if part.strip()]
    notebooks = toc_notebooks()
    if not chosen:
        return notebooks
    return [p for p in notebooks if any(part in p.name for part in chosen)]


def find_chromium():
    for candidate in (os.environ.get("RNNBOOK_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="module")
def browser():
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") or os.environ.get("RNNBOOK_REQUIRE_BROWSER"):
            pytest.fail("no Chromium found; CI needs one for the browser test (apt-get install chromium)")
        pytest.skip("no Chromium found (install chromium or set RNNBOOK_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ])
        yield browser
        browser.close()


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(1234)


def pytest_terminal_summary(terminalreporter):
    """Print the seconds each notebook took, when the time-budget test ran."""
    from test_timing import LABS, LAB_LIMIT_S, MEASURED, SHUTDOWN, TARGET_S

    if MEASURED:
        terminalreporter.section("notebook run times (kernel start to the last cell's result; "
                                 "the kernel's shutdown after it, not counted)")
        for name, seconds in MEASURED.items():
            if name in LABS:
                flag = f"  (a lab: its budget is {LAB_LIMIT_S:.0f} s)"
            else:
                flag = "" if seconds <= TARGET_S else f"  (over the {TARGET_S:.0f} s target)"
            terminalreporter.write_line(f"{name:40s} {seconds:6.1f} s   shutdown "
                                        f"{SHUTDOWN.get(name, float('nan')):4.1f} s{flag}")
    report_page_weights(terminalreporter)


def report_page_weights(terminalreporter):
    """Print what a cold load of each page transferred, when the browser test measured it (the file
    is written by tests/test_book.py, also from an xdist worker)."""
    import json

    weights_file = ROOT / "_build" / "page-weights.json"
    if not weights_file.exists() or weights_file.stat().st_mtime < _SESSION_START:
        return
    terminalreporter.section("page weights (cold load, bytes as sent with gzip)")
    for page, w in json.loads(weights_file.read_text()).items():
        figures = "interactive figures" if w["figures"] else ""
        terminalreporter.write_line(
            f"{page:45s} {w['bytes'] / 1e6:5.2f} MB  {w['requests']:3d} requests  {figures}")
