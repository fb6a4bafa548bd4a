"""Sphinx extension for the book's pages: local scripts only, and only where they are needed.

* The interactive figures' HTML (see :mod:`rnnbook.explore`) expects a global ``Plotly``. Rather
  than loading it from a CDN or committing a copy, the build copies ``plotly.min.js`` out of the
  plotly package into ``_static/vendor/`` and adds a ``<script>`` for it to the pages that hold a
  figure. Pages without one do not load the 4 MB file.
* ``rnnbook.css`` (code cells in a slightly smaller font, so 88-character lines fit) is added to
  every page.
* Jupyter Book always enables sphinx-thebe, which declares its CDN URL in an inline script that
  ends up twice on every page (a JavaScript error: "Identifier 'THEBE_JS_URL' has already been
  declared"). The book has no live-code buttons, so its scripts are dropped from every page.
"""

from __future__ import annotations

import os
import shutil

MARKER = 'class="rnnbook-explore"'
TARGET = "vendor/plotly.min.js"
CSS = "rnnbook.css"
CSS_SOURCE = os.path.join(os.path.dirname(__file__), "static", CSS)


def plotly_js_path() -> str:
    import plotly

    return os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")


def _is_thebe(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _page_scripts(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"][:] = [s for s in context["script_files"] if not _is_thebe(s)]
    if MARKER in context.get("body", ""):
        app.add_js_file(TARGET)


def _copy_assets(app, exception):
    if exception is None and app.builder.format == "html":
        target = os.path.join(app.outdir, "_static", TARGET)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(plotly_js_path(), target)
        shutil.copyfile(CSS_SOURCE, os.path.join(app.outdir, "_static", CSS))


def setup(app):
    app.connect("html-page-context", _page_scripts)
    app.connect("build-finished", _copy_assets)
    app.add_css_file(CSS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
