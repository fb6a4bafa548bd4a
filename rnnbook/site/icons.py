"""The theme's icon fonts, cut down to the icons the book shows.

pydata-sphinx-theme draws its icons (menu, search, download, dark mode, admonition symbols, ...)
with the Font Awesome webfonts: about 0.16 MB for the solid style and 0.12 MB for the brands
(GitHub) style, of which the book uses a few dozen glyphs. After the build this module

1. collects the icons in use: every ``fa-NAME`` class in the built pages and the theme's scripts,
   looked up in the theme's stylesheet (``.fa-NAME:before{content:"\\f0c9"}``), and every icon
   character the theme's stylesheets use directly (admonition and link symbols);
2. cuts each Font Awesome font (from the ``.ttf`` the theme ships) down to those glyphs with
   fontTools (a matplotlib dependency), as WOFF;
3. writes ``_static/rnnbook-icons.css``, which every page loads after the theme's stylesheet: it
   redeclares each Font Awesome ``@font-face`` with the small font, so the large one is never
   fetched.

If the theme ships no ``.ttf`` (another theme version), nothing is changed and the pages use the
theme's fonts as before.
"""

from __future__ import annotations

import pathlib
import re

CSS = "rnnbook-icons.css"
FOLDER = "rnnbook-icons"

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_ICON_CLASS = re.compile(r"\.fa-([a-z0-9-]+):{1,2}before")
_ESCAPE = re.compile(r'content:\s*"\\([0-9a-fA-F]{4,5})"')
_FA_NAME = re.compile(r"\bfa-([a-z0-9-]+)")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_FONT_FACE = re.compile(r"@font-face\s*\{([^{}]*)\}")


def icon_codepoints(css: str) -> dict[str, int]:
    """``{"bars": 0xF0C9, ...}`` from Font Awesome's ``.fa-NAME:before{content:"\\f0c9"}`` rules."""
    table = {}
    for selectors, body in _RULE.findall(css):
        escape = _ESCAPE.search(body)
        if escape:
            for name in _ICON_CLASS.findall(selectors):
                table[name] = int(escape.group(1), 16)
    return table


def used_codepoints(html_dir: pathlib.Path) -> set[int]:
    """The Font Awesome characters that the built site can show."""
    static = html_dir / "_static"
    stylesheets = [p.read_text(errors="replace") for p in static.rglob("*.css")
                   if p.name != CSS]
    table: dict[str, int] = {}
    for css in stylesheets:
        table.update(icon_codepoints(css))
    names: set[str] = set()
    for page in html_dir.rglob("*.html"):
        names.update(_FA_NAME.findall(page.read_text(errors="replace")))
    for script in static.rglob("*.js"):
        if "fontawesome" not in script.name and "mathjax" not in script.parts:
            names.update(_FA_NAME.findall(script.read_text(errors="replace")))
    points = {table[name] for name in names if name in table}
    for css in stylesheets:  # the theme's own symbols, written as characters
        points.update(ord(ch) for ch in _PRIVATE_USE.findall(css))
    return points


def _font_faces(css: str) -> list[dict]:
    """The theme's Font Awesome ``@font-face`` rules: family, style, weight and font file stem."""
    faces = []
    for body in _FONT_FACE.findall(css):
        url = re.search(r"url\(([^)]*?/webfonts/([\w-]+)\.woff2)\)", body)
        family = re.search(r"font-family:\s*([^;]+)", body)
        if not (url and family):
            continue
        weight = re.search(r"font-weight:\s*([^;]+)", body)
        style = re.search(r"font-style:\s*([^;]+)", body)
        name = family.group(1).strip().strip("'\"").replace("\\ ", " ")
        faces.append({"family": name, "stem": url.group(2),
                      "weight": weight.group(1).strip() if weight else "400",
                      "style": style.group(1).strip() if style else "normal"})
    return faces


def subset_theme_icons(html_dir: pathlib.Path) -> list[pathlib.Path]:
    """Write the small fonts and ``_static/rnnbook-icons.css``; return the fonts written."""
    static = html_dir / "_static"
    css_path = static / CSS
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    webfonts = next(iter(static.glob("vendor/fontawesome/**/webfonts")), None)
    faces = _font_faces(theme_css.read_text(errors="replace")) if theme_css.exists() else []
    if webfonts is None or not faces:
        css_path.write_text("/* rnnbook: the theme's icon fonts are used unchanged. */\n")
        return []

    import logging

    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.WARNING)

    points = used_codepoints(html_dir)
    out_dir = static / FOLDER
    out_dir.mkdir(exist_ok=True)
    rules, written = [], []
    for face in faces:
        source = webfonts / f"{face['stem']}.ttf"
        if not source.exists():
            continue
        font = subset.load_font(str(source), subset.Options())
        available = set(font.getBestCmap())
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = []
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(points & available))
        subsetter.subset(font)
        target = out_dir / f"{face['stem']}.woff"
        subset.save_font(font, str(target), options)
        written.append(target)
        rules.append(
            f'@font-face{{font-display:block;font-family:"{face["family"]}";'
            f'font-style:{face["style"]};font-weight:{face["weight"]};'
            f'src:url({FOLDER}/{target.name}) format("woff")}}'
        )
    header = ("/* rnnbook: Font Awesome cut down to the icons this book uses "
              "(rnnbook.site.icons). Fonts: SIL OFL 1.1; icons: CC BY 4.0 (fontawesome.com). */\n")
    css_path.write_text(header + "\n".join(rules) + "\n")
    return written
