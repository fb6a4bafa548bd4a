"""Sphinx extension for the book's pages: local scripts only, only where needed, and light.

* **plotly.js.** The interactive figures' HTML (see :mod:`rnnbook.explore`) expects a global
  ``Plotly``. The build copies the vendored partial bundle of plotly.js
  (``static/vendor/plotly-rnnbook.min.js``: the same plotly.js version as the plotly package's
  full bundle, with only the trace types the figures use, scatter, heatmap and table; its licence
  and build recipe beside it) into ``_static/vendor/`` and adds a ``<script>`` for it to the pages
  that hold a figure. Pages without one load no plotly.
* **Icons.** The theme loads Font Awesome twice: as a webfont through its CSS and as
  ``fontawesome.js`` (0.5 MB gzip), which redraws every icon as SVG. The script is dropped; the
  webfonts are cut down to the glyphs the book uses (:mod:`rnnbook.site.icons`).
* **MathJax** comes from the ``sphinx-mathjax-offline`` package (copied into ``_static/mathjax``).
  Instead of its ``tex-chtml.js`` (which bundles the 0.1 MB right-click menu) the pages load
  ``startup.js`` and only the components the book needs: TeX input (with ``ams`` and ``autoload``,
  which fetches any rarer TeX package from the same folder when a page uses it), CommonHTML
  output, and the hidden MathML that screen readers read.
* ``rnnbook.css`` is added to every page: code and tables that fit, equations that scroll rather
  than being cut off on a phone, no empty header bar. ``rnnbook-explore.js`` (pages with figures)
  stacks a figure's panels on a phone. The page's colour mode defaults to light (the theme
  otherwise logs a console error for an empty mode, and the figures are drawn on white), and the
  site has a favicon (browsers would otherwise ask for a missing ``/favicon.ico``).
* Jupyter Book always enables sphinx-thebe, which declares its CDN URL in an inline script that
  ends up twice on every page (a JavaScript error). The book has no live-code buttons, so its
  scripts and stylesheet are dropped from every page.
* **The repository** is configured once, in ``_config.yml`` (``repository.url`` and ``.branch``);
  the environment variables ``RNNBOOK_REPOSITORY`` (``owner/name`` on GitHub) and
  ``RNNBOOK_BRANCH`` override it for one build (the deploy workflow sets them from GitHub's context).
* **The student edition**: with ``RNNBOOK_EDITION=student`` (``make book-student``) every
  sphinx-exercise solution and every admonition titled "Answer"/"Answers" is removed from the
  pages, the search index and the downloadable notebooks (:mod:`rnnbook.site.student`); launch and
  repository buttons are switched off (they would open the notebooks with their solutions), and a
  banner says which edition this is.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil

from docutils import nodes
from sphinx_exercise.nodes import solution_node

from . import icons, student

STATIC = pathlib.Path(__file__).resolve().parent / "static"
TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"
MARKER = 'class="rnnbook-explore"'
PLOTLY_JS = "vendor/plotly-rnnbook.min.js"
PLOTLY_LICENSE = "vendor/plotly.LICENSE.txt"
#: The plotly trace types the vendored bundle registers (rnnbook.explore writes no others).
PLOTLY_TRACES = ("scatter", "heatmap", "table")
EXPLORE_JS = "rnnbook-explore.js"
CSS = "rnnbook.css"
FAVICON = "favicon.svg"

#: The MathJax components the pages load (MathJax's loader resolves their dependencies).
MATHJAX_COMPONENTS = ["input/tex", "output/chtml", "a11y/assistive-mml"]
MATHJAX_PATH = "mathjax/startup.js"

ENV_REPOSITORY = "RNNBOOK_REPOSITORY"
ENV_BRANCH = "RNNBOOK_BRANCH"
ENV_EDITION = "RNNBOOK_EDITION"
EDITIONS = ("full", "student")
STUDENT_BANNER = ("Student edition: the solutions of the exercises and the answers to the "
                  "questions are left out.")


def plotly_js_path() -> str:
    """The full plotly.js bundle of the plotly package (the vendored partial bundle matches its
    version; the notebooks' live figures in Jupyter use the package's own copy)."""
    import plotly

    return os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")


def edition() -> str:
    """The edition this build makes: ``"full"`` (default) or ``"student"``."""
    value = os.environ.get(ENV_EDITION, "").strip().lower() or "full"
    if value not in EDITIONS:
        raise ValueError(f"{ENV_EDITION} must be one of {EDITIONS}; got {value!r}.")
    return value


def repository_override() -> tuple[str | None, str | None]:
    """(repository URL, branch) from the environment, or None where a variable is not set."""
    repo = os.environ.get(ENV_REPOSITORY, "").strip().strip("/")
    branch = os.environ.get(ENV_BRANCH, "").strip() or None
    if repo and repo.count("/") != 1:
        raise ValueError(f"{ENV_REPOSITORY} must be 'owner/name' on GitHub; got {repo!r}.")
    return (f"https://github.com/{repo}" if repo else None), branch


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------
def _configure(app, config):
    theme = config.html_theme_options
    url, branch = repository_override()
    if url:
        theme["repository_url"] = url
    if branch:
        theme["repository_branch"] = branch

    config.html_context = dict(config.html_context or {})
    config.html_context.setdefault("default_mode", "light")
    config.mathjax_path = MATHJAX_PATH
    if not config.html_favicon:  # else browsers ask for /favicon.ico, which is not there
        config.html_favicon = str(STATIC / FAVICON)
    config.templates_path = [str(TEMPLATES), *config.templates_path]

    if edition() == "student":
        # Not sphinx-exercise's hide_solutions: it drops a gated solution's {solution-start} but
        # keeps its {solution-end} and every cell between them. _drop_answers removes the whole
        # solution once sphinx-exercise has gathered it into one node.
        theme["launch_buttons"] = {}
        for button in ("use_repository_button", "use_edit_page_button", "use_issues_button"):
            theme[button] = False
        theme["announcement"] = STUDENT_BANNER
        config.html_title = f"{config.html_title} (student edition)"


def _configure_mathjax(app):
    """After MyST has set the classes MathJax processes: load only the components needed."""
    mathjax = dict(app.config.mathjax3_config or {})
    loader = dict(mathjax.get("loader", {}))
    loader["load"] = list(MATHJAX_COMPONENTS)
    mathjax["loader"] = loader
    app.config.mathjax3_config = mathjax


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------
def _is_thebe(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _page_scripts(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"][:] = [s for s in context["script_files"] if not _is_thebe(s)]
    if "css_files" in context:
        context["css_files"][:] = [c for c in context["css_files"]
                                   if not str(getattr(c, "filename", c)).endswith("sphinx-thebe.css")]
    if MARKER in context.get("body", ""):
        app.add_js_file(PLOTLY_JS)
        app.add_js_file(EXPLORE_JS)


_FONTAWESOME_JS = re.compile(r"\s*(?:<!--[^>]*custom icons[^>]*-->)?\s*<script[^>]*fontawesome\.js[^>]*>"
                             r"\s*</script>")


def drop_fontawesome_js(html: str) -> str:
    """The theme's template writes fontawesome.js into every page's head; templates/layout.html
    passes that part of the head through this filter."""
    return _FONTAWESOME_JS.sub("", str(html))


def _register_filter(app):
    if hasattr(app.builder, "templates"):
        app.builder.templates.environment.filters["rnnbook_drop_fontawesome_js"] = drop_fontawesome_js


def _drop_answers(app, doctree):
    """Student edition: remove every exercise solution (a gated one with its cells) and every
    admonition titled "Answer" or "Answers"."""
    if edition() != "student":
        return
    for node in list(doctree.findall(solution_node)):
        node.parent.remove(node)
    for node in list(doctree.findall(nodes.admonition)):
        title = node.next_node(nodes.title)
        if title is not None and student.is_answer_title(title.astext()):
            node.parent.remove(node)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
def _copy_assets(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    static = pathlib.Path(app.outdir) / "_static"
    for name in (PLOTLY_JS, PLOTLY_LICENSE, EXPLORE_JS, CSS):
        target = static / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC / name, target)
    icons.subset_theme_icons(pathlib.Path(app.outdir))
    if edition() == "student":
        student.strip_sources(pathlib.Path(app.outdir) / "_sources")


def _describe_images(app, doctree, docname):
    """Give every figure image its caption as alternative text (myst-nb writes the image's file
    path there, which is what a screen reader would read out, or a browser show when the image
    is missing); an uncaptioned output image gets a plain description."""
    for figure in doctree.findall(nodes.figure):
        captions = list(figure.findall(nodes.caption))
        text = " ".join(captions[0].astext().split()) if captions else ""
        for image in figure.findall(nodes.image):
            if text and image.get("alt", "").endswith((".png", ".svg", ".jpg")):
                image["alt"] = text
    for image in doctree.findall(nodes.image):
        if image.get("alt", "").endswith((".png", ".svg", ".jpg")) or not image.get("alt"):
            image["alt"] = "A figure drawn by the code cell above."


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    app.connect("builder-inited", _configure_mathjax, priority=900)
    app.connect("builder-inited", _register_filter)
    app.connect("doctree-read", _drop_answers)
    app.connect("doctree-resolved", _describe_images)
    app.connect("html-page-context", _page_scripts)
    # After sphinx-mathjax-offline (priority 500) has copied MathJax and the theme its fonts.
    app.connect("build-finished", _copy_assets, priority=900)
    app.add_css_file(CSS)
    app.add_css_file(icons.CSS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
