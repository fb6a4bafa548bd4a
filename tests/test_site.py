"""The pieces of the book's Sphinx extension that can be checked without a build: the vendored
plotly.js, the icon-font subsetting, the fontawesome.js filter, the MathJax components, and the
environment variables that choose the repository and the edition. The built site is checked in
tests/test_book.py."""

from __future__ import annotations

import pathlib
import re
import shutil

import pytest

from rnnbook.site import icons, sphinxext

STATIC = pathlib.Path(sphinxext.__file__).parent / "static"


def plotly_js_version(path) -> str:
    with open(path, encoding="utf-8") as f:
        head = f.read(300)
    return re.search(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)", head).group(1)


def test_vendored_plotly_is_the_version_the_plotly_package_draws_for():
    vendored = STATIC / sphinxext.PLOTLY_JS
    assert plotly_js_version(vendored) == plotly_js_version(sphinxext.plotly_js_path())
    header = vendored.read_text(encoding="utf-8")[:200]
    assert all(trace in header for trace in sphinxext.PLOTLY_TRACES), header
    assert "MIT License" in (STATIC / sphinxext.PLOTLY_LICENSE).read_text()
    assert vendored.stat().st_size < 0.4 * pathlib.Path(sphinxext.plotly_js_path()).stat().st_size


def test_vendored_files_are_package_data():
    """An installed rnnbook (not only a checkout) must be able to build the book's assets."""
    import tomllib

    from conftest import ROOT

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    site = data["rnnbook.site"]
    for path in (STATIC / sphinxext.PLOTLY_JS, STATIC / sphinxext.CSS,
                 sphinxext.TEMPLATES / "layout.html"):
        relative = path.relative_to(STATIC.parent).as_posix()
        assert any(pathlib.PurePosixPath(relative).match(pattern) for pattern in site), relative


def test_mathjax_components_exist_in_the_offline_package():
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    mathjax = pathlib.Path(spec.origin).parent / "static" / "mathjax"
    assert (mathjax / pathlib.Path(sphinxext.MATHJAX_PATH).name).exists()
    for component in sphinxext.MATHJAX_COMPONENTS:
        assert (mathjax / f"{component}.js").exists(), component


def test_fontawesome_script_is_dropped_from_the_head_and_nothing_else():
    head = ('<link href="x.css" rel="stylesheet" />\n  <!-- So that users can add custom icons -->\n'
            '  <script defer src="../_static/scripts/fontawesome.js?digest=55c2"></script>\n'
            '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=55c2" />')
    result = sphinxext.drop_fontawesome_js(head)
    assert "fontawesome" not in result and "custom icons" not in result
    assert 'href="x.css"' in result and "bootstrap.js" in result


def test_repository_and_edition_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("RNNBOOK_REPOSITORY", raising=False)
    monkeypatch.delenv("RNNBOOK_BRANCH", raising=False)
    monkeypatch.delenv("RNNBOOK_EDITION", raising=False)
    assert sphinxext.repository_override() == (None, None)
    assert sphinxext.edition() == "full"
    monkeypatch.setenv("RNNBOOK_REPOSITORY", "owner/book")
    monkeypatch.setenv("RNNBOOK_BRANCH", "main")
    assert sphinxext.repository_override() == ("https://github.com/owner/book", "main")
    monkeypatch.setenv("RNNBOOK_EDITION", "Student")
    assert sphinxext.edition() == "student"
    monkeypatch.setenv("RNNBOOK_EDITION", "teacher")
    with pytest.raises(ValueError, match="RNNBOOK_EDITION must be one of"):
        sphinxext.edition()


# ---------------------------------------------------------------------------------------------
# Icons
# ---------------------------------------------------------------------------------------------
def test_icon_table_is_read_from_font_awesome_rules():
    css = ('.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
           '.fa-github:before{content:"\\f09b"}.fa-solid{font-weight:900}')
    assert icons.icon_codepoints(css) == {"bars": 0xF0C9, "navicon": 0xF0C9, "github": 0xF09B}


@pytest.fixture
def fake_site(tmp_path):
    """A built site's icon files: the installed theme's stylesheet and fonts, and one page."""
    import pydata_sphinx_theme

    theme = pathlib.Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    shutil.copy(theme / "static" / "styles" / "pydata-sphinx-theme.css", static / "styles")
    shutil.copytree(theme / "static" / "vendor", static / "vendor")
    (tmp_path / "page.html").write_text('<i class="fa-solid fa-bars"></i><i class="fab fa-github"></i>')
    return tmp_path


def test_icon_fonts_keep_exactly_the_used_glyphs(fake_site):
    from fontTools.ttLib import TTFont

    written = {p.stem: p for p in icons.subset_theme_icons(fake_site)}
    assert {"fa-solid-900", "fa-brands-400"} <= set(written)
    solid = TTFont(written["fa-solid-900"]).getBestCmap()
    brands = TTFont(written["fa-brands-400"]).getBestCmap()
    assert 0xF0C9 in solid and 0xF09B in brands  # bars, github
    assert 0xF135 not in solid  # rocket: not on the page
    # the theme's own symbols (admonitions, external links) are kept too
    assert 0xF05A in solid or 0xF129 in solid  # circle-info
    assert all(p.stat().st_size < 20_000 for p in written.values())
    css = (fake_site / "_static" / icons.CSS).read_text()
    assert 'font-family:"Font Awesome 6 Free";font-style:normal;font-weight:900' in css
    assert 'font-family:"Font Awesome 6 Brands"' in css and "rnnbook-icons/fa-solid-900.woff" in css


def test_without_the_themes_ttf_fonts_nothing_changes(fake_site):
    for ttf in fake_site.rglob("*.ttf"):
        ttf.unlink()
    assert icons.subset_theme_icons(fake_site) == []
    assert "@font-face" not in (fake_site / "_static" / icons.CSS).read_text()


def _config(**theme):
    from types import SimpleNamespace

    return SimpleNamespace(html_theme_options=dict(theme), html_context={}, templates_path=[],
                           html_favicon=None, mathjax_path="mathjax/tex-chtml.js",
                           hide_solutions=False, html_title="The book")


def test_configuration_of_the_full_edition(monkeypatch):
    for name in ("RNNBOOK_REPOSITORY", "RNNBOOK_BRANCH", "RNNBOOK_EDITION"):
        monkeypatch.delenv(name, raising=False)
    config = _config(repository_url="https://github.com/a/b", launch_buttons={"colab_url": "x"})
    sphinxext._configure(None, config)
    assert config.html_theme_options["repository_url"] == "https://github.com/a/b"
    assert config.html_theme_options["launch_buttons"] == {"colab_url": "x"}
    assert config.html_context["default_mode"] == "light"
    assert config.mathjax_path == sphinxext.MATHJAX_PATH
    assert config.templates_path[0] == str(sphinxext.TEMPLATES)
    assert config.html_favicon.endswith(sphinxext.FAVICON) and not config.hide_solutions


def test_configuration_from_the_deploy_workflow_and_for_students(monkeypatch):
    monkeypatch.setenv("RNNBOOK_REPOSITORY", "owner/book")
    monkeypatch.setenv("RNNBOOK_BRANCH", "release")
    monkeypatch.setenv("RNNBOOK_EDITION", "student")
    config = _config(repository_url="https://github.com/REPLACE/x", launch_buttons={"colab_url": "x"},
                     use_repository_button=True)
    sphinxext._configure(None, config)
    theme = config.html_theme_options
    assert (theme["repository_url"], theme["repository_branch"]) == ("https://github.com/owner/book",
                                                                      "release")
    assert not config.hide_solutions and theme["launch_buttons"] == {}  # _drop_answers does it
    assert not theme["use_repository_button"] and theme["announcement"] == sphinxext.STUDENT_BANNER
    assert config.html_title == "The book (student edition)"
