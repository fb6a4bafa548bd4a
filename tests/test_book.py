"""Build the book with warnings as errors, then read the built pages in a real browser.

The build renders the stored notebook outputs (execute_notebooks: off); nbval checks separately that
those outputs are what the code produces. One module, so one xdist worker builds once.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading

import pytest

from conftest import BUILD_HTML, ROOT, toc_files

pytestmark = pytest.mark.slow
LOCAL_ORIGIN = "http://127.0.0.1"


@pytest.fixture(scope="module")
def built_book():
    jupyter_book = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    result = subprocess.run(
        [jupyter_book, "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=600,
    )
    log = result.stdout + result.stderr
    return result.returncode, log


def test_build_has_no_warnings(built_book):
    code, log = built_book
    warnings = [line for line in log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", line)]
    assert code == 0 and not warnings, "jupyter-book build failed:\n" + "\n".join(warnings or log.splitlines()[-40:])


def test_every_toc_page_is_built(built_book):
    missing = [f for f in toc_files() if not (BUILD_HTML / f"{f}.html").exists()]
    assert not missing, f"pages missing from the build: {missing}"


def test_no_page_loads_anything_from_another_host(built_book):
    """Scripts, stylesheets, fonts and images must all come from the site itself."""
    loads = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(https?:)?//", re.I)
    offenders = {}
    for page in BUILD_HTML.rglob("*.html"):
        found = [m.group(0)[:120] for m in loads.finditer(page.read_text(errors="replace"))
                 if "rel=\"canonical\"" not in m.group(0)]
        if found:
            offenders[str(page.relative_to(BUILD_HTML))] = found
    assert not offenders, f"pages that load from other hosts: {offenders}"


def test_mathjax_and_plotly_are_served_locally(built_book):
    assert (BUILD_HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert (BUILD_HTML / "_static" / "vendor" / "plotly.min.js").exists()
    assert (BUILD_HTML / "_static" / "rnnbook.css").exists()
    chapter = (BUILD_HTML / "notebooks" / "01_rnn.html").read_text()
    intro = (BUILD_HTML / "book" / "intro.html").read_text()
    assert "_static/vendor/plotly.min.js" in chapter
    assert "plotly.min.js" not in intro, "pages without an interactive figure should not load plotly"


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(built_book):
    assert built_book[0] == 0, "the book did not build"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(BUILD_HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"{LOCAL_ORIGIN}:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def open_page(browser, site):
    """Open a built page; every request to another host is blocked and recorded."""
    pages, elsewhere, errors = [], [], []

    def route(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def opener(path):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", route)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{site}/{path}", wait_until="load")
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()
    assert not elsewhere, f"the page asked other hosts for: {elsewhere}"
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_chapter_math_is_typeset(open_page):
    page = open_page("notebooks/01_rnn.html")
    page.wait_for_function("document.querySelectorAll('mjx-container').length > 40", timeout=20000)
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    display = page.locator("mjx-container[display='true']").count()
    assert display >= 4, f"expected the chapter's display equations to be typeset, found {display}"


def test_chapter_figures_are_present(open_page):
    page = open_page("notebooks/01_rnn.html")
    page.wait_for_load_state("load")
    sizes = page.eval_on_selector_all(
        "figure img", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert len(sizes) >= 3 and all(w > 100 and h > 100 for w, h in sizes), sizes
    captions = page.locator("figure figcaption").all_inner_texts()
    assert any("unrolled" in c for c in captions)


def _trace_state(page, plot):
    return page.evaluate(
        "id => { const gd = document.getElementById(id);"
        " return {y: gd.data[0].y.slice(0, 20), title: gd.layout.annotations[0].text,"
        "         active: gd.layout.sliders.map(s => s.active),"
        "         menus: (gd.layout.updatemenus || []).map(m => m.active)}; }", plot)


def test_interactive_figure_responds_to_slider(open_page):
    page = open_page("notebooks/01_rnn.html")
    plot = page.locator(".rnnbook-explore .js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    page.wait_for_function("typeof Plotly !== 'undefined' && document.querySelector('.rnnbook-explore .main-svg')")
    plot_id = plot.get_attribute("id")
    assert page.locator(".rnnbook-explore img.rnnbook-explore-still").count() == 0, \
        "the still image should give way to the interactive plot"
    before = _trace_state(page, plot_id)

    # Click the far right end of the first slider's rail (rho = 1.5), as a reader would.
    rail = page.locator(f"#{plot_id} .slider-rail-rect").nth(0)
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "([id, y0]) => JSON.stringify(document.getElementById(id).data[0].y.slice(0, 20)) !== JSON.stringify(y0)",
        arg=[plot_id, before["y"]], timeout=10000)
    after = _trace_state(page, plot_id)
    assert after["active"][0] != before["active"][0]
    assert after["y"] != before["y"], "moving the slider did not change the plotted data"
    assert after["title"] != before["title"], "the panel title should follow the slider"

    # The nonlinearity is a row of buttons; its choice combines with the slider's.
    page.locator(f"#{plot_id} .updatemenu-button").filter(has_text="relu").first.click()
    page.wait_for_function(
        "id => document.getElementById(id).layout.annotations[0].text.includes('relu')", arg=plot_id, timeout=10000)
    final = _trace_state(page, plot_id)
    assert final["active"] == after["active"], "the slider must keep its position"
    assert final["menus"][0] == 1
    assert "relu" in final["title"] and after["title"].split(":")[0].replace("tanh", "relu") in final["title"]
    assert final["y"] != after["y"]


# ---------------------------------------------------------------------------------------------
# Every chapter page, generically
# ---------------------------------------------------------------------------------------------
CHAPTER_PAGES = [f"{f}.html" for f in toc_files() if f.startswith("notebooks/")]
_PLOT_STATE = ("id => { const gd = document.getElementById(id);"
               " return JSON.stringify([gd.data.map(d => d.y), (gd.layout.annotations || []).map(a => a.text)]); }")


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_every_chapter_renders_and_its_figures_respond(open_page, path):
    page = open_page(path)
    page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=20000)
    assert page.locator("mjx-merror").count() == 0, f"{path}: MathJax reported a TeX error"
    sizes = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert all(width > 100 for width in sizes), f"{path}: a figure image did not load: {sizes}"

    plots = page.locator(".rnnbook-explore .js-plotly-plot")
    for k in range(plots.count()):
        plot_id = plots.nth(k).get_attribute("id")
        plots.nth(k).scroll_into_view_if_needed()
        page.wait_for_function("id => document.getElementById(id).querySelector('.main-svg')", arg=plot_id)
        before = page.evaluate(_PLOT_STATE, plot_id)
        rails = page.locator(f"#{plot_id} .slider-rail-rect")
        if rails.count():
            active = page.evaluate("id => document.getElementById(id).layout.sliders[0].active || 0", plot_id)
            steps = page.evaluate("id => document.getElementById(id).layout.sliders[0].steps.length", plot_id)
            box = rails.first.bounding_box()
            x = box["x"] + (box["width"] - 2 if active < steps / 2 else 2)
            page.mouse.click(x, box["y"] + box["height"] / 2)
        else:
            buttons = page.locator(f"#{plot_id} .updatemenu-button")
            active = page.evaluate("id => document.getElementById(id).layout.updatemenus[0].active || 0", plot_id)
            buttons.nth(1 if active == 0 else 0).click()
        page.wait_for_function("([id, old]) => (" + _PLOT_STATE + ")(id) !== old", arg=[plot_id, before],
                               timeout=10000)
