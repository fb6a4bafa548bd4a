"""A student's view: chapters opened in a real JupyterLab, in a real browser.

Before a notebook is run, its interactive figures show their still images (no "model not found");
after "Run All Cells", moving the first control of the first live widget redraws its figure.
Every chapter is checked (each has at least one interactive figure).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import NOTEBOOKS

pytestmark = pytest.mark.slow
CHAPTERS = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    for chapter in CHAPTERS:
        shutil.copy(NOTEBOOKS / chapter, root / chapter)
    port = free_port()
    jupyter = os.path.join(os.path.dirname(sys.executable), "jupyter")
    process = subprocess.Popen(
        [jupyter, "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
         "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={root}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_figure_is_still_before_running_and_live_after(browser, lab, chapter):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        # A fresh workspace per chapter, so JupyterLab does not reopen the previous notebooks.
        workspace = chapter.removesuffix(".ipynb").replace("_", "-")
        page.goto(f"{lab}/lab/workspaces/{workspace}/tree/{chapter}?reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60000)
        page.wait_for_selector("img.rnnbook-explore-still", state="attached", timeout=30000)
        assert page.get_by_text("model not found").count() == 0

        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        widget = page.locator(".jupyter-widgets.widget-vbox").first
        widget.wait_for(timeout=120000)
        widget.scroll_into_view_if_needed()
        image = widget.locator("img").first
        page.wait_for_function("img => img.src && img.naturalWidth > 100", arg=image.element_handle(),
                               timeout=30000)
        before = image.get_attribute("src")

        # The first control: a slider (move it with the keyboard) or a row of toggle buttons.
        first = widget.locator(".widget-slider, .widget-toggle-buttons").first
        if first.locator(".noUi-handle").count():
            readout = first.locator(".widget-readout")
            start = readout.inner_text()
            first.locator(".noUi-handle").click()
            for _ in range(3):
                page.keyboard.press("ArrowRight")
        else:
            first.locator("button:not(.mod-active)").first.click()
        page.wait_for_function("([img, old]) => img.src !== old", arg=[image.element_handle(), before],
                               timeout=30000)
        if first.locator(".noUi-handle").count():
            assert readout.inner_text() != start
    finally:
        page.close()
        shut_down_kernels(lab)


def shut_down_kernels(url: str) -> None:
    """Stop the kernels a test started, so the next chapter runs on a quiet machine."""
    with urllib.request.urlopen(f"{url}/api/kernels", timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()
