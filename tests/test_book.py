"""Build the book (and its student edition) with warnings as errors, then read every built page
in a real browser: no request to another host, no console error, the math typeset, the figures
working, and each page's weight as a browser loads it cold from a server that compresses like a web
server does.

The build renders the stored notebook outputs (execute_notebooks: off); nbval checks separately that
those outputs are what the code produces. One module, so one xdist worker builds once.
"""

from __future__ import annotations

import functools
import gzip
import html
import http.server
import json
import os
import re
import subprocess
import sys
import threading

import pytest

from conftest import BUILD_HTML, ROOT, toc_files

pytestmark = pytest.mark.slow
LOCAL_ORIGIN = "http://127.0.0.1"


STUDENT_HTML = ROOT / "_build" / "student" / "_build" / "html"  # where `make book-student` builds


def build(*extra: str, env: dict | None = None) -> tuple[int, str]:
    """`jupyter-book build . --all -W -n --keep-going` (what `make book` runs), plus ``extra``."""
    jupyter_book = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    result = subprocess.run(
        [jupyter_book, "build", str(ROOT), "--all", "-W", "-n", "--keep-going", *extra],
        capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})},
    )
    return result.returncode, result.stdout + result.stderr


def warnings_of(code: int, log: str) -> list[str]:
    warnings = [line for line in log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", line)]
    return warnings or ([] if code == 0 else log.splitlines()[-40:])


@pytest.fixture(scope="module")
def built_book():
    # The full edition, with the repository taken from _config.yml (no override from the shell).
    env = {name: "" for name in ("RNNBOOK_EDITION", "RNNBOOK_REPOSITORY", "RNNBOOK_BRANCH")}
    return build(env=env)


def test_build_has_no_warnings(built_book):
    code, log = built_book
    warnings = warnings_of(code, log)
    assert code == 0 and not warnings, "jupyter-book build failed:\n" + "\n".join(warnings)


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


def test_mathjax_plotly_and_icons_are_served_locally(built_book):
    static = BUILD_HTML / "_static"
    assert (static / "mathjax" / "startup.js").exists()
    assert (static / "vendor" / "plotly-rnnbook.min.js").exists()
    assert (static / "vendor" / "plotly.LICENSE.txt").exists()
    assert (static / "rnnbook.css").exists() and (static / "rnnbook-icons.css").exists()
    chapter = (BUILD_HTML / "notebooks" / "01_rnn.html").read_text()
    intro = (BUILD_HTML / "book" / "intro.html").read_text()
    assert "_static/vendor/plotly-rnnbook.min.js" in chapter
    assert "plotly" not in intro, "pages without an interactive figure should not load plotly"
    assert "_static/mathjax/startup.js" in chapter and "tex-chtml.js" not in chapter
    for page in BUILD_HTML.glob("**/*.html"):
        if "_static" in page.parts:  # the theme's template fragments
            continue
        assert "fontawesome.js" not in page.read_text(errors="replace"), f"{page} loads fontawesome.js"


def test_every_chapter_has_launch_and_download_buttons(built_book):
    """Binder and Colab open the chapter's notebook in the book's repository; the download button
    offers the notebook itself; repository and edit links point at the repository too."""
    import yaml

    from rnnbook.site.setupcell import repository

    url, branch = repository(ROOT / "_config.yml")
    owner_name = url.removeprefix("https://github.com/")
    assert yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"] == url
    for f in toc_files():
        if not f.startswith("notebooks/"):
            continue
        page = html.unescape((BUILD_HTML / f"{f}.html").read_text())
        assert (f"https://mybinder.org/v2/gh/{owner_name}/{branch}?urlpath=lab/tree/{f}.ipynb"
                in page), f"{f}: no Binder button"
        assert (f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/{f}.ipynb"
                in page), f"{f}: no Colab button"
        assert f'href="../_sources/{f}.ipynb"' in page, f"{f}: no .ipynb download"
        assert (BUILD_HTML / "_sources" / f"{f}.ipynb").exists()
        assert f'href="{url}"' in page, f"{f}: no repository link"
        assert f"{url}/edit/{branch}/{f}.ipynb" in page, f"{f}: no edit link"


def test_largest_page_html_is_under_1_mb(built_book):
    sizes = {str(p.relative_to(BUILD_HTML)): p.stat().st_size for p in BUILD_HTML.rglob("*.html")}
    largest = max(sizes, key=sizes.get)
    assert sizes[largest] <= 1_000_000, f"{largest} is {sizes[largest] / 1e6:.2f} MB of HTML (limit 1 MB)"


# ---------------------------------------------------------------------------------------------
# The student edition
# ---------------------------------------------------------------------------------------------
def _text_blocks(page_html: str, selector_class: str) -> list[str]:
    """The text of every <div> whose class list has ``selector_class``, from a built page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    return [div.get_text(" ", strip=True) for div in soup.find_all("div", class_=selector_class)]


def _answers(page_html: str) -> list[str]:
    from bs4 import BeautifulSoup

    from rnnbook.site.student import is_answer_title

    soup = BeautifulSoup(page_html, "html.parser")
    return [div.get_text(" ", strip=True) for div in soup.find_all("div", class_="admonition")
            if div.find(class_="admonition-title")
            and is_answer_title(div.find(class_="admonition-title").get_text())]


def _without_solutions(page_html: str) -> str:
    """The page's text with its solution and answer blocks taken out."""
    from bs4 import BeautifulSoup

    from rnnbook.site.student import is_answer_title

    soup = BeautifulSoup(page_html, "html.parser")
    for div in soup.find_all("div", class_=["solution", "admonition"]):
        if div.decomposed:  # inside a block already taken out
            continue
        title = div.find(class_="admonition-title")
        if "solution" in div.get("class", []) or (title and is_answer_title(title.get_text())):
            div.decompose()
    return soup.get_text(" ", strip=True)


def _probes(text: str) -> list[str]:
    """Runs of six or more plain words from ``text``: phrases unlikely to occur anywhere else."""
    words = re.findall(r"[A-Za-z]+(?:[ ,][A-Za-z]+){5,}", text)
    return [w for w in words if len(w) >= 30]


@pytest.fixture(scope="module")
def student_book(built_book):
    return build("--path-output", str(ROOT / "_build" / "student"), env={"RNNBOOK_EDITION": "student"})


def test_student_edition_builds_without_warnings(student_book):
    code, log = student_book
    warnings = warnings_of(code, log)
    assert code == 0 and not warnings, "student edition failed:\n" + "\n".join(warnings)


def test_student_edition_has_no_solution_text(built_book, student_book):
    """Every phrase of every solution and answer of the full book is absent from every file of the
    student edition (pages, search index, downloadable notebooks), while the exercises remain."""
    assert student_book[0] == 0
    solutions, exercises = {}, {}
    for page in BUILD_HTML.rglob("*.html"):
        text = page.read_text(errors="replace")
        rest = " ".join(_without_solutions(text).split())  # a phrase also used outside a solution
        found = [p for block in _text_blocks(text, "solution") + _answers(text)
                 for p in _probes(block) if p not in rest]  # is no evidence of a leak
        if found:
            solutions[page.relative_to(BUILD_HTML)] = found
            exercises[page.relative_to(BUILD_HTML)] = _text_blocks(text, "exercise")
    assert len(solutions) >= 5, f"expected solutions in every chapter, found them in {sorted(solutions)}"
    assert sum(map(len, solutions.values())) >= 50, "too few phrases to look for"

    student_files = [p for p in STUDENT_HTML.rglob("*") if p.is_file()
                     and p.suffix in (".html", ".js", ".ipynb", ".md", ".txt", ".json")]
    haystack = {p: " ".join(p.read_text(errors="replace").split()) for p in student_files}
    for page, probes in solutions.items():
        full_source = " ".join((BUILD_HTML / "_sources" / page.with_suffix(".ipynb")).read_text(
            errors="replace").split()) if page.parts[0] == "notebooks" else ""
        for probe in probes:
            leaks = [str(p.relative_to(STUDENT_HTML)) for p, text in haystack.items() if probe in text]
            assert not leaks, f"solution text from {page} is in the student edition: {probe!r} in {leaks}"
            if probe in full_source:  # also absent from the downloadable notebook
                student_nb = STUDENT_HTML / "_sources" / page.with_suffix(".ipynb")
                assert probe not in haystack[student_nb]
        student_page = (STUDENT_HTML / page).read_text(errors="replace")
        assert _text_blocks(student_page, "solution") == [] and _answers(student_page) == []
        assert len(_text_blocks(student_page, "exercise")) == len(exercises[page]) > 0, \
            f"{page}: the student edition must keep every exercise"
        assert "Student edition: the solutions" in student_page  # the banner


def test_student_edition_has_no_launch_buttons(student_book):
    assert student_book[0] == 0
    page = (STUDENT_HTML / "notebooks" / "01_rnn.html").read_text()
    assert "colab.research.google.com" not in page and "mybinder.org" not in page
    assert 'href="../_sources/notebooks/01_rnn.ipynb"' in page  # the stripped notebook


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------
#: Sent gzip-compressed when the browser accepts it, as web servers (GitHub Pages among them) do;
#: images and WOFF fonts are compressed already and are sent as they are.
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
SENT: list[tuple[str, int, int]] = []  # (path, bytes sent, status), for the page weights


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site as a web server would: text compressed with gzip (level 6)."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if not os.path.isfile(path):
            SENT.append((self.path, 0, 404))
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        content_type = self.guess_type(path)
        compress = (content_type.startswith(COMPRESSED_TYPES)
                    and "gzip" in self.headers.get("Accept-Encoding", ""))
        if compress:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        SENT.append((self.path.split("?")[0], len(body), 200))


@pytest.fixture(scope="module")
def site(built_book):
    assert built_book[0] == 0, "the book did not build"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(GzipHandler, directory=str(BUILD_HTML)))
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

    def opener(path, width=1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.route("**/*", route)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and errors.append(f"console: {msg.text}"))
        page.goto(f"{site}/{path}", wait_until="load")
        # A redirecting page (index.html) navigates once more: wait for the page it leads to, or
        # the next evaluate() can run while the first page is being torn down.
        redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"',
                             (BUILD_HTML / path).read_text(errors="replace"))
        if redirect:
            page.wait_for_url(f"**/{redirect.group(1)}", wait_until="load")
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()
    assert not elsewhere, f"the page asked other hosts for: {elsewhere}"
    assert not errors, f"JavaScript or console errors on the page: {errors}"


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


_UNDRAWN_TRACES = ("id => { const gd = document.getElementById(id);"
                   " return gd._fullData.map((t, i) => [i, gd.data[i].type || 'scatter', t.type, t.visible])"
                   "   .filter(([i, wanted, drawn, visible]) => wanted !== drawn || visible === false); }")


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
        # plotly draws nothing (and raises no error) for a trace type its bundle lacks
        undrawn = page.evaluate(_UNDRAWN_TRACES, plot_id)
        assert not undrawn, f"{path}: figure {k} has traces plotly did not draw: {undrawn}"
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


# ---------------------------------------------------------------------------------------------
# Every page: what a cold load fetches, console errors, math, and the width of a phone
# ---------------------------------------------------------------------------------------------
ALL_PAGES = [f"{f}.html" for f in toc_files()] + ["index.html", "genindex.html", "search.html"]
FIGURE_PAGE_BUDGET = 2_000_000  # bytes as sent (gzip), a page with interactive figures
PLAIN_PAGE_BUDGET = 1_000_000   # bytes as sent (gzip), any other page
WEIGHTS_FILE = ROOT / "_build" / "page-weights.json"
PAGE_WEIGHTS: dict[str, dict] = {}

_MATH_STATE = """() => {
  const math = [...document.querySelectorAll('.math')];
  return {total: math.length,
          untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60)),
          errors: document.querySelectorAll('mjx-merror').length};
}"""


def settle(page, timeout_ms=20000):
    """Wait until MathJax has typeset the page, its fonts are loaded and no request is pending."""
    if page.locator('script[src*="mathjax/"]').count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=timeout_ms)
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    try:
        page.wait_for_load_state("networkidle", timeout=15000)
    except Exception:  # a busy machine; the quiet period below still has to pass
        pass
    count, quiet = len(SENT), 0
    while quiet < 4:  # 4 x 250 ms without a new request
        page.wait_for_timeout(250)
        quiet = quiet + 1 if len(SENT) == count else 0
        count = len(SENT)


@pytest.mark.parametrize("path", ALL_PAGES)
def test_every_page_loads_light_and_clean_with_its_math_typeset(open_page, path):
    """A cold load (empty cache): every request goes to the site itself and succeeds, the console
    stays free of errors (checked by open_page), every math element is typeset, and the bytes the
    server sends stay within the page's budget."""
    SENT.clear()
    page = open_page(path)
    settle(page)
    math = page.evaluate(_MATH_STATE)
    assert not math["untypeset"], f"{path}: math left as TeX: {math['untypeset'][:5]}"
    assert math["errors"] == 0, f"{path}: MathJax reported {math['errors']} TeX error(s)"
    failed = [p for p, _, status in SENT if status != 200]
    assert not failed, f"{path}: requests that failed: {failed}"

    has_figures = page.locator(".rnnbook-explore").count() > 0
    budget = FIGURE_PAGE_BUDGET if has_figures else PLAIN_PAGE_BUDGET
    total = sum(n for _, n, _ in SENT)
    largest = sorted(((n, p) for p, n, _ in SENT), reverse=True)[:3]
    PAGE_WEIGHTS[path] = {"bytes": total, "requests": len(SENT), "figures": has_figures,
                          "math": math["total"], "largest": [[p, n] for n, p in largest]}
    WEIGHTS_FILE.write_text(json.dumps(PAGE_WEIGHTS, indent=1))
    assert total <= budget, (
        f"{path}: a cold load transfers {total / 1e6:.2f} MB (gzip), over its {budget / 1e6:.0f} MB "
        f"budget; largest: {[(p, f'{n / 1e3:.0f} kB') for n, p in largest]}")


PHONE_WIDTH = 390
_OVERFLOW = """(width) => {
  const found = {clipped: [], offscreen: []};
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' +
                    (e.textContent || '').trim().slice(0, 50);
  const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a).overflowX;
    if ((s === 'auto' || s === 'scroll') && a.scrollWidth > a.clientWidth) return true; }
    return false; };
  for (const e of document.querySelectorAll('article.bd-article *')) {
    // MathJax's own parts (stretchy delimiters, hidden MathML) clip by design; the equation as a
    // whole (mjx-container, span.math, div.math) is checked.
    if (e.parentElement && e.parentElement.closest('mjx-container')) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const s = getComputedStyle(e);
    if ((s.overflowX === 'hidden' || s.overflowX === 'clip') && e.clientWidth > 0
        && e.scrollWidth > e.clientWidth + 2) found.clipped.push(name(e));
    if (r.right > width + 2 && !scrolls(e)) found.offscreen.push(name(e));
  }
  // An inline equation cannot scroll: wider than the line it sits in, its end is cut off.
  found.inline = [];
  for (const s of document.querySelectorAll('article.bd-article span.math')) {
    const block = s.parentElement.closest('p, li, td, th, dd, dt, div');
    const m = s.querySelector('mjx-container');
    if (!block || !m || block.closest('table')) continue;  // a table cell scrolls with its table
    const b = block.getBoundingClientRect(), st = getComputedStyle(block);
    const room = b.width - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    if (m.getBoundingClientRect().width > room + 2) found.inline.push(name(s));
  }
  found.clipped = found.clipped.slice(0, 8); found.offscreen = found.offscreen.slice(0, 8);
  found.inline = found.inline.slice(0, 8);
  found.pageWidth = document.documentElement.scrollWidth;
  return found;
}"""

_PHONE_FIGURE = """(id) => {
  const gd = document.getElementById(id), L = gd.layout, box = gd.getBoundingClientRect();
  const xs = Object.keys(L).filter(k => /^xaxis\\d*$/.test(k));
  const titles = (L.annotations || []).filter(a => a.yanchor === 'bottom' && a.yref === 'paper');
  const tops = xs.map(x => L['y' + x.slice(1)].domain[1]);
  const controls = [...gd.querySelectorAll('.updatemenu-header-group, .updatemenu-button, .slider-rail-rect')]
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0);
  return {narrow: gd._rnnbookNarrow === true, panels: xs.length,
          xDomains: xs.map(x => L[x].domain || [0, 1]),
          yDomains: xs.map(x => L['y' + x.slice(1)].domain),
          legend: (L.legend || {}).orientation || 'v',
          titlesOnTops: !xs.length || titles.every(a => tops.some(t => Math.abs(a.y - t) < 1e-9)),
          controlsInside: controls.every(r => r.left >= box.left - 1 && r.right <= box.right + 1),
          width: box.width};
}"""


@pytest.mark.parametrize("path", ALL_PAGES)
def test_every_page_fits_a_phone(open_page, path):
    """At 390 px nothing is cut off (wide tables, code and display equations scroll inside their
    own box, an inline equation fits its line) and nothing runs off the page; each interactive
    figure stacks its panels, keeps its controls on the screen, and still responds, with its
    titles staying above their panels."""
    page = open_page(path, width=PHONE_WIDTH)
    settle(page)
    plots = page.locator(".rnnbook-explore .js-plotly-plot")
    for k in range(plots.count()):
        page.wait_for_function("id => document.getElementById(id)._rnnbookNarrow === true",
                               arg=plots.nth(k).get_attribute("id"), timeout=10000)
    page.wait_for_timeout(500)  # plotly redraws after the relayout
    found = page.evaluate(_OVERFLOW, PHONE_WIDTH)
    assert found["pageWidth"] <= PHONE_WIDTH, f"{path}: the page is {found['pageWidth']} px wide"
    assert not found["clipped"], f"{path}: content cut off: {found['clipped']}"
    assert not found["offscreen"], f"{path}: content past the screen's edge: {found['offscreen']}"
    assert not found["inline"], (f"{path}: inline equations wider than a phone's line (make them "
                                 f"display equations or split them): {found['inline']}")

    for k in range(plots.count()):
        plot_id = plots.nth(k).get_attribute("id")
        state = page.evaluate(_PHONE_FIGURE, plot_id)
        assert state["width"] <= PHONE_WIDTH
        assert all(d == [0, 1] for d in state["xDomains"]), f"{path}: panels not full width: {state}"
        spans = sorted(state["yDomains"])
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), f"{path}: panels overlap: {state}"
        legend_ok = state["legend"] == "h" or not state["panels"]  # a table alone has no legend
        assert legend_ok and state["titlesOnTops"] and state["controlsInside"], f"{path}: {state}"

        before = page.evaluate(_PLOT_STATE, plot_id)
        plots.nth(k).scroll_into_view_if_needed()
        headers = page.locator(f"#{plot_id} .updatemenu-header")
        rails = page.locator(f"#{plot_id} .slider-rail-rect")
        if rails.count():
            rail = rails.first
            rail.scroll_into_view_if_needed()
            box = rail.bounding_box()
            active = page.evaluate("id => document.getElementById(id).layout.sliders[0].active || 0", plot_id)
            steps = page.evaluate("id => document.getElementById(id).layout.sliders[0].steps.length", plot_id)
            page.mouse.click(box["x"] + (box["width"] - 2 if active < steps / 2 else 2),
                             box["y"] + box["height"] / 2)
        elif headers.count():  # a row of buttons that became a drop-down menu
            headers.first.click()
            page.locator(f"#{plot_id} .updatemenu-dropdown-button").nth(1).click()
        else:
            active = page.evaluate("id => document.getElementById(id).layout.updatemenus[0].active || 0", plot_id)
            page.locator(f"#{plot_id} .updatemenu-button").nth(1 if active == 0 else 0).click()
        page.wait_for_function("([id, old]) => (" + _PLOT_STATE + ")(id) !== old", arg=[plot_id, before],
                               timeout=10000)
        assert page.evaluate(_PHONE_FIGURE, plot_id)["titlesOnTops"], f"{path}: titles moved after a change"
