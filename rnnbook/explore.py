"""Interactive figures: one call, live sliders in Jupyter, still interactive in the HTML book.

A chapter writes a *pure* function of the control values that returns what to draw (one
:class:`Panel` or a list of them) and calls :func:`explore` once::

    def echo(rho, nonlinearity):
        h = impulse_response(rho, nonlinearity)
        return Panel([Line(h, label="|h_t|")], title="Echo", xlabel="t", yscale="log")

    explore(echo, rho=Slider(0.5, 1.5, 0.1, value=0.9), nonlinearity=["tanh", "relu"])

Where the answer is text rather than a curve -- the shapes of a layer's tensors, say -- a
:class:`Table` takes the place of a panel; it is drawn as a table in both views.

A panel may also hold a :class:`Heatmap` -- a colour image of a matrix, e.g. gate values by unit
(rows) and time step (columns) -- drawn under the panel's lines, with its own colour bar::

    Panel([Heatmap(gates, label="gate"), Line([0, 9], x=[t, t], style="--")],
          yticks=[(3.5, "input gate")])

The value shown is an :class:`Explorer`. Its MIME bundle carries

* ``application/vnd.jupyter.widget-view+json`` -- ipywidgets controls and an ``Image`` redrawn
  with matplotlib on every change (a live kernel: JupyterLab, Notebook, VS Code);
* ``text/html`` -- a plotly figure whose sliders step through frames precomputed for every
  combination of control values (the HTML book, where no kernel runs; plotly.js is served by the
  book itself, see :mod:`rnnbook.site.sphinxext`), preceded by a still PNG of the default view that the
  plot script removes: viewers that run no scripts (an untrusted notebook, GitHub) show the still;
* ``text/plain`` -- a one-line description.

Stored notebooks keep no widget view (``python -m rnnbook.site.nbclean``, run by ``make execute``): it
would only show "model not found" before the cell is run again, hiding the still image.

The HTML is deterministic (numbers rounded to 4 significant digits, element id from a content
hash), so nbval can compare it between runs.

Text next to the panels
-----------------------
The list a figure function returns may also hold :class:`Text` blocks, e.g. a sample that a model
wrote at the chosen temperature (chapter 10)::

    def writer(temperature, model):
        return [Panel([Line(entropies[model], temperatures)], title="Entropy"),
                Text(samples[model, temperature], title="Sample")]

A ``Text`` takes a column of its own to the right of the panels (in the HTML book, as a plotly
annotation that each frame replaces; in the live widget, as an HTML block under the image). The
browser draws it in both, with the reader's fonts, so any script shows (matplotlib's default font
has no Chinese characters, so matplotlib never draws a ``Text``; the still image shows only the
panels, followed by the text as plain HTML).
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import math
import re
import textwrap
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Callable, Sequence

import numpy as np

#: Upper bound on precomputed frames, to keep pages light (each frame holds every line).
MAX_FRAMES = 400

_STYLES = {"-": "solid", "--": "dash", ":": "dot", "-.": "dashdot"}
_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


# --------------------------------------------------------------------------------------------
# What a figure function returns
# --------------------------------------------------------------------------------------------
@dataclass
class Line:
    """One curve. ``style`` is a matplotlib line style (``"-"``, ``"--"``, ``":"``, ``"-."``),
    optionally preceded by ``"o"`` for markers (``"o-"``) or just ``"o"`` for markers only."""

    y: Sequence[float]
    x: Sequence[float] | None = None
    label: str | None = None
    style: str = "-"
    color: str | None = None


@dataclass
class Heatmap:
    """A matrix drawn as colours: ``z[row][column]`` at column centres ``x`` and row centres ``y``
    (default ``0, 1, ...``; evenly spaced). ``zmin``/``zmax`` fix the colour range (default: the
    data's), ``cmap`` is a matplotlib colormap name (the HTML book samples the same colours) and
    ``label`` titles the colour bar. It is drawn under the panel's lines, so a :class:`Line` can
    mark places on it."""

    z: Sequence[Sequence[float]]
    x: Sequence[float] | None = None
    y: Sequence[float] | None = None
    zmin: float | None = None
    zmax: float | None = None
    cmap: str = "viridis"
    label: str | None = None


@dataclass
class Panel:
    """One set of axes. ``hlines`` are dashed grey reference lines (e.g. ``[1.0]``); ``yticks``
    replaces the y axis's numbers by labels at given heights, e.g. ``[(3.5, "input gate")]``."""

    lines: list[Line | Heatmap]
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    yscale: str = "linear"
    ylim: tuple[float, float] | None = None
    xlim: tuple[float, float] | None = None
    hlines: Sequence[float] = field(default_factory=tuple)
    yticks: Sequence[tuple[float, str]] | None = None


@dataclass
class Table:
    """A small table of text, in place of a set of axes: ``rows`` of strings under ``columns``.

    The number of rows may change with the control values (the plotly view is made tall enough
    for the longest); the number of columns may not. Values are shown with ``str``.
    """

    rows: Sequence[Sequence]
    columns: Sequence[str]
    title: str = ""

    def cells(self) -> list[list[str]]:
        """The rows as strings, checked against the columns."""
        width = len(self.columns)
        if width == 0:
            raise ValueError("a Table needs at least one column; got columns=[].")
        rows = [[str(value) for value in row] for row in self.rows]
        for k, row in enumerate(rows):
            if len(row) != width:
                raise ValueError(
                    f"Table {self.title!r} has {width} columns, so every row needs {width} "
                    f"values; row {k} has {len(row)}: {row!r}."
                )
        return rows


@dataclass
class Text:
    """A block of text shown beside the panels (lines separated by ``"\\n"``), with an optional
    bold title. Keep it short enough for the figure's height: about 20 lines."""

    text: str
    title: str = ""


def _lines(panel) -> list[Line]:
    """The curves of a panel; a Table has none."""
    return panel.lines if isinstance(panel, Panel) else []


# --------------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------------
@dataclass
class Slider:
    """A numeric control on the grid ``min, min + step, ..., max``."""

    min: float
    max: float
    step: float
    value: float | None = None
    label: str | None = None

    def options(self) -> list:
        if not (self.step > 0 and self.max >= self.min):
            raise ValueError(
                f"a Slider needs step > 0 and max >= min; got min={self.min}, max={self.max}, "
                f"step={self.step}."
            )
        count = int(math.floor((self.max - self.min) / self.step + 1e-9)) + 1
        decimals = max(0, -int(math.floor(math.log10(self.step))) + 2)
        values = [round(self.min + k * self.step, decimals) for k in range(count)]
        if all(float(v).is_integer() for v in values) and float(self.step).is_integer():
            values = [int(v) for v in values]
        return values


@dataclass
class Choice:
    """A control with a few named options (e.g. ``["tanh", "relu"]``)."""

    options_: Sequence
    value: object = None
    label: str | None = None

    def options(self) -> list:
        if len(self.options_) == 0:
            raise ValueError("a Choice needs at least one option; got an empty list.")
        return list(self.options_)


def _as_control(name: str, spec) -> Slider | Choice:
    if isinstance(spec, (Slider, Choice)):
        return spec
    if isinstance(spec, tuple) and len(spec) in (3, 4) and all(
        isinstance(v, (int, float)) for v in spec
    ):
        return Slider(*spec)
    if isinstance(spec, (list, range)):
        return Choice(list(spec))
    raise ValueError(
        f"control {name!r} must be a Slider, a Choice, a tuple (min, max, step[, value]) or a "
        f"list of options; got {spec!r}."
    )


def _default_index(name: str, control, options: list) -> int:
    if control.value is None:
        return len(options) // 2 if isinstance(control, Slider) else 0
    for k, option in enumerate(options):
        if option == control.value or (
            isinstance(option, float) and isinstance(control.value, (int, float))
            and math.isclose(option, control.value, rel_tol=1e-9, abs_tol=1e-12)
        ):
            return k
    raise ValueError(
        f"control {name!r} has default {control.value!r}, which is not one of its values "
        f"{options[:6]}{' ...' if len(options) > 6 else ''}."
    )


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --------------------------------------------------------------------------------------------
# TeX in labels: matplotlib renders $...$ itself, plotly gets unicode and <sub>/<sup>
# --------------------------------------------------------------------------------------------
_TEX_SYMBOLS = {
    r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ", r"\epsilon": "ε",
    r"\eta": "η", r"\theta": "θ", r"\lambda": "λ", r"\mu": "μ", r"\rho": "ρ", r"\sigma": "σ",
    r"\tau": "τ", r"\phi": "φ", r"\Delta": "Δ", r"\nabla": "∇", r"\partial": "∂",
    r"\infty": "∞", r"\cdot": "·", r"\times": "×", r"\le": "≤", r"\ge": "≥", r"\approx": "≈",
    r"\odot": "⊙", r"\|": "‖", r"\to": "→", r"\tanh": "tanh", r"\log": "log", r"\max": "max",
    r"\min": "min", r"\,": " ", r"\;": " ", r"\mathcal{L}": "L", r"\ell": "ℓ",
}


def tex_to_plotly(text: str) -> str:
    """Turn the ``$...$`` parts of a matplotlib label into plain unicode for plotly."""

    def convert(match: re.Match) -> str:
        s = match.group(1)
        for command in sorted(_TEX_SYMBOLS, key=len, reverse=True):
            s = s.replace(command, _TEX_SYMBOLS[command])
        s = re.sub(r"\\tilde\s*\{?\s*(\w)\s*\}?", "\\1\u0303", s)  # c~: c + combining tilde
        s = re.sub(r"\\(?:mathrm|mathbf|text|operatorname)\{([^{}]*)\}", r"\1", s)
        s = re.sub(r"_\{([^{}]*)\}", r"<sub>\1</sub>", s)
        s = re.sub(r"_(\S)", r"<sub>\1</sub>", s)
        s = re.sub(r"\^\{([^{}]*)\}", r"<sup>\1</sup>", s)
        s = re.sub(r"\^(\S)", r"<sup>\1</sup>", s)
        return s.replace("{", "").replace("}", "").replace("\\", "")

    return re.sub(r"\$([^$]*)\$", convert, text or "")


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------
def _items(result, name: str = "the figure function") -> tuple[list[Panel | Table], list[Text]]:
    """The panels (and tables) and the text blocks of what a figure function returned."""
    items = [result] if isinstance(result, (Panel, Table)) else result
    if not isinstance(items, (list, tuple)) or not all(
        isinstance(p, (Panel, Table, Text)) for p in items
    ):
        raise ValueError(
            f"{name} must return a Panel or a list of Panels; got {type(result).__name__} "
            f"(a Table counts as a Panel; Text blocks may go beside them)."
        )
    panels = [p for p in items if isinstance(p, (Panel, Table))]
    if not panels:
        raise ValueError(f"{name} must return at least one Panel besides its Text blocks.")
    for block in items:
        if isinstance(block, Text) and not isinstance(block.text, str):
            raise ValueError(f"a Text needs a string; got {type(block.text).__name__}.")
    return panels, [t for t in items if isinstance(t, Text)]


def _panels(result, name: str = "the figure function") -> list[Panel | Table]:
    return _items(result, name)[0]


def _text_markup(block: Text) -> str:
    """A Text as the pseudo-HTML of a plotly annotation: escaped, lines joined by <br>."""
    lines = [html_escape(line, quote=False) for line in block.text.split("\n")]
    title = [f"<b>{html_escape(block.title, quote=False)}</b>"] if block.title else []
    return "<br>".join(title + lines)


def _text_html(texts: list[Text]) -> str:
    """Text blocks as plain HTML, for the still view and the live widget."""
    parts = []
    for block in texts:
        title = f"<b>{html_escape(block.title, quote=False)}</b>\n" if block.title else ""
        parts.append(f'<pre class="rnnbook-explore-text">{title}'
                     f'{html_escape(block.text, quote=False)}</pre>')
    return "".join(parts)


def _shape(panels: list[Panel | Table]) -> list:
    """What must stay the same between control values: lines per panel, columns per table."""
    return [len(p.lines) if isinstance(p, Panel) else f"table of {len(p.columns)} columns"
            for p in panels]


def _xy(line: Line) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(line.y, dtype=np.float64).ravel()
    x = np.arange(len(y)) if line.x is None else np.asarray(line.x, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(
            f"Line {line.label or ''!r} must have x and y of the same length; got {x.size} and {y.size}."
        )
    return x, y


def _grid(heatmap: Heatmap) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, z) of a heatmap as arrays, z of shape (len(y), len(x))."""
    z = np.asarray(heatmap.z, dtype=np.float64)
    if z.ndim != 2 or 0 in z.shape:
        raise ValueError(f"Heatmap {heatmap.label or ''!r} needs a non-empty 2-D z (rows, columns); "
                         f"got shape {z.shape}.")
    x = np.arange(z.shape[1]) if heatmap.x is None else np.asarray(heatmap.x, dtype=np.float64).ravel()
    y = np.arange(z.shape[0]) if heatmap.y is None else np.asarray(heatmap.y, dtype=np.float64).ravel()
    if x.size != z.shape[1] or y.size != z.shape[0]:
        raise ValueError(f"Heatmap {heatmap.label or ''!r} has z of shape {z.shape} (rows, columns), "
                         f"so it needs {z.shape[1]} x values and {z.shape[0]} y values; got "
                         f"{x.size} and {y.size}.")
    return x, y, z


def _edges(centres: np.ndarray) -> tuple[float, float]:
    """The outer edges of evenly spaced cells around ``centres``."""
    half = (centres[-1] - centres[0]) / (2 * (centres.size - 1)) if centres.size > 1 else 0.5
    return float(centres[0] - half), float(centres[-1] + half)


def _extent(item) -> tuple[np.ndarray, np.ndarray]:
    """The x and y values a Line or Heatmap covers (a heatmap: the edges of its cells)."""
    if isinstance(item, Heatmap):
        x, y, _ = _grid(item)
        return np.array(_edges(x)), np.array(_edges(y))
    return _xy(item)


def _zrange(heatmap: Heatmap, z: np.ndarray) -> tuple[float, float]:
    finite = z[np.isfinite(z)]
    lo = heatmap.zmin if heatmap.zmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = heatmap.zmax if heatmap.zmax is not None else (float(finite.max()) if finite.size else 1.0)
    return float(lo), float(hi)


def _colorscale(name: str, samples: int = 11) -> list:
    """A plotly colour scale with the colours of matplotlib's colormap ``name``."""
    import matplotlib

    try:
        cmap = matplotlib.colormaps[name]
    except KeyError:
        raise ValueError(f"Heatmap cmap must be a matplotlib colormap name such as 'viridis' or "
                         f"'RdBu_r'; got {name!r}.") from None
    scale = []
    for k in range(samples):
        r, g, b, _ = cmap(k / (samples - 1))
        scale.append([round(k / (samples - 1), 3), f"rgb({round(255 * r)},{round(255 * g)},{round(255 * b)})"])
    return scale


def _colors(panels: list[Panel]) -> list[list[str]]:
    """One colour per line. The palette runs on across panels, so the plotly figure's single
    legend never shows two different lines in the same colour."""
    colors, n = [], 0
    for panel in panels:
        row = []
        for line in _lines(panel):
            if isinstance(line, Heatmap):
                row.append(None)
            elif line.color:
                row.append(line.color)
            else:
                row.append(_PALETTE[n % len(_PALETTE)])
                n += 1
        colors.append(row)
    return colors


def _draw_table(ax, table: Table) -> None:
    """A Table on matplotlib axes: no axis, a header row on a grey background."""
    ax.axis("off")
    rows = table.cells()
    if rows:
        drawn = ax.table(cellText=rows, colLabels=list(table.columns), loc="upper center",
                         cellLoc="left", colLoc="left")
        drawn.auto_set_font_size(False)
        drawn.set_fontsize(9)
        drawn.auto_set_column_width(list(range(len(table.columns))))
        for (row, _), cell in drawn.get_celld().items():
            cell.set_edgecolor("#d0d0d0")
            if row == 0:
                cell.set_facecolor("#eeeeee")
                cell.set_text_props(fontweight="bold")
    ax.set_title(table.title)


def draw_matplotlib(panels: list[Panel | Table], width: float = 4.6, height: float = 3.4):
    """Draw panels side by side with matplotlib; returns the Figure (the caller closes it).

    A Table gets twice a panel's width and, when it has many rows, a taller figure."""
    import matplotlib.pyplot as plt

    ratios = [2.0 if isinstance(p, Table) else 1.0 for p in panels]
    most_rows = max([len(p.rows) for p in panels if isinstance(p, Table)] or [0])
    height = max(height, 0.26 * (most_rows + 1) + 0.7)
    fig, axes = plt.subplots(1, len(panels), figsize=(width * sum(ratios), height),
                             squeeze=False, gridspec_kw={"width_ratios": ratios})
    for ax, panel, colors in zip(axes[0], panels, _colors(panels)):
        if isinstance(panel, Table):
            _draw_table(ax, panel)
            continue
        for heatmap in (item for item in panel.lines if isinstance(item, Heatmap)):
            x, y, z = _grid(heatmap)
            lo, hi = _zrange(heatmap, z)
            image = ax.imshow(z, aspect="auto", origin="lower", interpolation="nearest",
                              extent=(*_edges(x), *_edges(y)), cmap=heatmap.cmap, vmin=lo, vmax=hi)
            bar = fig.colorbar(image, ax=ax, pad=0.02)
            if heatmap.label:
                bar.set_label(heatmap.label)
        for line, color in zip(panel.lines, colors):
            if isinstance(line, Heatmap):
                continue
            x, y = _xy(line)
            marker = "o" if line.style.startswith("o") else None
            linestyle = line.style.lstrip("o") or ("none" if marker else "-")
            ax.plot(x, y, linestyle=linestyle, marker=marker, markersize=3,
                    color=color, label=line.label)
        for level in panel.hlines:
            ax.axhline(level, color="grey", linestyle="--", linewidth=1)
        ax.set_yscale(panel.yscale)
        if panel.ylim is not None:
            ax.set_ylim(*panel.ylim)
        if panel.xlim is not None:
            ax.set_xlim(*panel.xlim)
        if panel.yticks is not None:
            ax.set_yticks([float(at) for at, _ in panel.yticks], [text for _, text in panel.yticks])
        ax.set_title(panel.title)
        ax.set_xlabel(panel.xlabel)
        ax.set_ylabel(panel.ylabel)
        if any(line.label for line in panel.lines if isinstance(line, Line)):
            ax.legend(fontsize=8)
        if not any(isinstance(item, Heatmap) for item in panel.lines):
            ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _png(panels: list[Panel | Table]) -> bytes:
    import matplotlib.pyplot as plt

    fig = draw_matplotlib(panels)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def _round(values: np.ndarray) -> list:
    """Four significant digits (plenty for a plot), NaN/inf as None (a gap): the HTML is the same
    on every run, and on machines whose last floating-point digits differ."""
    return [float(f"{v:.4g}") if math.isfinite(v) else None for v in values.tolist()]


#: Pixels per row of a Table in the plotly view (a row of one line, with its padding).
TABLE_ROW = 24


def _table_trace(table: Table, domain: tuple[float, float]) -> dict:
    """A plotly table; each column's width is in proportion to its longest entry."""
    rows = table.cells()
    columns = [[row[k] for row in rows] for k in range(len(table.columns))]
    widths = [max(len(text) for text in [header, *column])
              for header, column in zip(table.columns, columns)]
    return {
        "type": "table", "domain": {"x": list(domain), "y": [0.0, 1.0]}, "columnwidth": widths,
        "header": {"values": [f"<b>{c}</b>" for c in table.columns], "align": "left",
                   "fill": {"color": "#eeeeee"}, "line": {"color": "#d0d0d0"},
                   "font": {"size": 13}, "height": TABLE_ROW + 4},
        "cells": {"values": columns, "align": "left", "fill": {"color": "white"},
                  "line": {"color": "#d0d0d0"}, "font": {"size": 12},
                  "height": TABLE_ROW},
    }


def _traces(panels: list[Panel | Table], texts: int = 0) -> list[dict]:
    traces = []
    domains = _panel_domains(panels, texts)
    for p, (panel, colors) in enumerate(zip(panels, _colors(panels))):
        if isinstance(panel, Table):
            traces.append(_table_trace(panel, domains[p]))
            continue
        axis = "" if p == 0 else str(p + 1)
        for line, color in zip(panel.lines, colors):
            if isinstance(line, Heatmap):
                traces.append(_heatmap_trace(line, axis, panel, domains[p]))
                continue
            x, y = _xy(line)
            mode = "lines"
            if line.style.startswith("o"):
                mode = "lines+markers" if line.style.lstrip("o") else "markers"
            traces.append({
                "type": "scatter", "mode": mode, "x": _round(x), "y": _round(y),
                "name": tex_to_plotly(line.label or ""), "showlegend": bool(line.label),
                "xaxis": "x" + axis, "yaxis": "y" + axis,
                "line": {"color": color,
                         "dash": _STYLES.get(line.style.lstrip("o") or "-", "solid")},
                "marker": {"size": 4},
            })
    return traces


def _heatmap_trace(heatmap: Heatmap, axis: str, panel: Panel, domain: tuple) -> dict:
    x, y, z = _grid(heatmap)
    lo, hi = _zrange(heatmap, z)
    # The colour bar runs along the heatmap's own rows, so two heatmaps stacked in one panel
    # get two bars, one beside each.
    bottom, top = 0.0, 1.0
    y_lo, y_hi = _yrange(panel)
    if panel.yscale != "log" and y_hi > y_lo:
        edge_lo, edge_hi = _edges(y)
        bottom = min(max((edge_lo - y_lo) / (y_hi - y_lo), 0.0), 1.0)
        top = min(max((edge_hi - y_lo) / (y_hi - y_lo), 0.0), 1.0)
    return {
        "type": "heatmap", "x": _round(x), "y": _round(y),
        "z": [_round(row) for row in z], "zmin": _round(np.array([lo]))[0],
        "zmax": _round(np.array([hi]))[0],  # rounded like the data: the same on every CPU
        "colorscale": _colorscale(heatmap.cmap), "xaxis": "x" + axis, "yaxis": "y" + axis,
        "name": tex_to_plotly(heatmap.label or ""), "showlegend": False,
        "colorbar": {"x": domain[1] + 0.005, "xanchor": "left", "thickness": 10,
                     "y": round((bottom + top) / 2, 4), "yanchor": "middle",
                     "len": round(max(top - bottom, 0.05), 4),
                     "title": {"text": tex_to_plotly(heatmap.label or ""), "side": "right"}},
    }


def _panel_domains(panels: list[Panel | Table], texts: int = 0) -> list[tuple[float, float]]:
    """Column domains: the panels' first, then one per text block; wider apart when a panel other
    than the last has a colour bar."""
    followed = panels if texts else panels[:-1]  # panels with another column to their right
    bars = any(_has_heatmap(panel) for panel in followed)
    return _domains(len(panels) + texts, gap=0.22 if bars else 0.12)


def _domains(n: int, gap: float = 0.12) -> list[tuple[float, float]]:
    gap = gap if n > 1 else 0.0
    return [(p / n + (gap / 2 if p else 0), (p + 1) / n - (gap / 2 if p < n - 1 else 0))
            for p in range(n)]


def _yrange(panel: Panel) -> list[float]:
    """Explicit y range (plotly does not autorange during an animation)."""
    log = panel.yscale == "log"
    if panel.ylim is not None:
        lo, hi = panel.ylim
        return [math.log10(lo), math.log10(hi)] if log else [float(lo), float(hi)]
    ys = np.concatenate([_extent(line)[1] for line in panel.lines] or [np.zeros(0)])
    ys = ys[np.isfinite(ys) & (ys > 0)] if log else ys[np.isfinite(ys)]
    if ys.size == 0:
        return [-1.0, 1.0]
    lo, hi = (np.log10(ys.min()), np.log10(ys.max())) if log else (ys.min(), ys.max())
    pad = 0.05 * (hi - lo) if hi > lo else (0.5 if log else max(abs(hi), 1.0) * 0.1)
    if _has_heatmap(panel) and hi > lo:
        pad = 0.0 if _inside_heatmaps(panel, 1) else 0.03 * (hi - lo)  # heatmaps fill the axes
    return [float(f"{lo - pad:.4g}"), float(f"{hi + pad:.4g}")]


def _inside_heatmaps(panel: Panel, axis: int) -> bool:
    """Whether every line of the panel stays within its heatmaps' edges along x (0) or y (1)."""
    edges = [_extent(item)[axis] for item in panel.lines if isinstance(item, Heatmap)]
    low, high = min(e[0] for e in edges), max(e[1] for e in edges)
    values = [_xy(item)[axis] for item in panel.lines if isinstance(item, Line)]
    return all(((v >= low) & (v <= high)).all() for v in values)


def _has_heatmap(panel: Panel | Table) -> bool:
    return any(isinstance(item, Heatmap) for item in _lines(panel))


def _xrange(panel: Panel) -> list[float]:
    """Explicit x range: the data's extent (or ``xlim``), so a frame with longer lines shows them."""
    if panel.xlim is not None:
        return [float(panel.xlim[0]), float(panel.xlim[1])]
    xs = np.concatenate([_extent(line)[0] for line in panel.lines] or [np.zeros(0)])
    xs = xs[np.isfinite(xs)]
    if xs.size == 0:
        return [0.0, 1.0]
    lo, hi = float(xs.min()), float(xs.max())
    pad = 0.02 * (hi - lo) if hi > lo else 0.5
    if _has_heatmap(panel) and hi > lo:
        pad = 0.0 if _inside_heatmaps(panel, 0) else pad
    return [float(f"{lo - pad:.4g}"), float(f"{hi + pad:.4g}")]


def _frame_layout(panels: list[Panel | Table], texts: Sequence[Text] = ()) -> dict:
    """The parts of the layout that change with the control values: titles, axis ranges and
    text blocks (each in a column of its own, right of the panels)."""
    layout: dict = {"annotations": []}
    domains = _panel_domains(panels, len(texts))
    for block, (lo, _) in zip(texts, domains[len(panels):]):
        layout["annotations"].append({
            "text": _text_markup(block), "showarrow": False, "align": "left",
            "xref": "paper", "yref": "paper", "x": lo, "y": 1.0,
            "xanchor": "left", "yanchor": "top", "font": {"size": 14},
        })
    for p, (panel, (lo, hi)) in enumerate(zip(panels, domains)):
        suffix = "" if p == 0 else str(p + 1)
        if isinstance(panel, Panel):
            layout["yaxis" + suffix] = {"range": _yrange(panel)}
            layout["xaxis" + suffix] = {"range": _xrange(panel)}
        if panel.title:
            layout["annotations"].append({
                "text": f"<b>{tex_to_plotly(panel.title)}</b>", "showarrow": False,
                "xref": "paper", "yref": "paper", "x": (lo + hi) / 2, "y": 1.0,
                "xanchor": "center", "yanchor": "bottom", "font": {"size": 13},
            })
    return layout


def _layout(panels: list[Panel | Table], controls: list[tuple[str, object, list]],
            active: list[int], table_rows: int = 0, texts: Sequence[Text] = ()) -> dict:
    """The figure's layout; ``table_rows`` is the most rows any frame's Table has."""
    layout: dict = {
        "margin": {"l": 60, "r": 20, "t": 40, "b": 0},
        "legend": {"font": {"size": 11}},
        "plot_bgcolor": "white", "shapes": [], "sliders": [], "updatemenus": [],
    }
    for p, (panel, (lo, hi)) in enumerate(zip(panels, _panel_domains(panels, len(texts)))):
        suffix = "" if p == 0 else str(p + 1)
        if isinstance(panel, Table):
            continue
        layout["xaxis" + suffix] = {
            "domain": [lo, hi], "anchor": "y" + suffix, "title": {"text": tex_to_plotly(panel.xlabel)},
            "gridcolor": "#e5e5e5", "zeroline": False,
        }
        layout["yaxis" + suffix] = {
            "anchor": "x" + suffix, "title": {"text": tex_to_plotly(panel.ylabel)},
            "type": panel.yscale, "gridcolor": "#e5e5e5", "exponentformat": "power",
        }
        if panel.yticks is not None:
            layout["yaxis" + suffix].update({
                "tickmode": "array", "tickvals": [float(at) for at, _ in panel.yticks],
                "ticktext": [tex_to_plotly(text) for _, text in panel.yticks]})
        for level in panel.hlines:
            layout["shapes"].append({
                "type": "line", "xref": f"x{suffix} domain", "x0": 0, "x1": 1,
                "yref": "y" + suffix, "y0": level, "y1": level,
                "line": {"color": "grey", "dash": "dash", "width": 1},
            })
    if texts:  # a text column sits where the legend would go: the legend moves above the plot
        layout["legend"].update(orientation="h", x=0, xanchor="left", y=1.12, yanchor="bottom")
        layout["margin"]["t"] = 75
    frame_layout = _frame_layout(panels, texts)
    layout["annotations"] = frame_layout.pop("annotations")  # titles first, then control labels
    for key, value in frame_layout.items():
        layout[key].update(value)
    rows = _control_rows(controls, active)
    layout["sliders"], layout["updatemenus"] = rows["sliders"], rows["updatemenus"]
    layout["annotations"] += rows["labels"]
    layout["margin"]["b"] = rows["height"] + 10
    if all(isinstance(p, Table) for p in panels):
        layout["margin"]["l"] = 10  # no y axis to label
    plot_area = max(350, (table_rows + 1) * TABLE_ROW + 20)  # room for the longest Table
    layout["height"] = plot_area + 50 + rows["height"]
    return layout


def _control_rows(controls, active: list[int]) -> dict:
    """Plotly sliders (for Slider) and rows of buttons with a label (for Choice), stacked below
    the plot in control order; ``height`` is the pixels they take."""
    rows: dict = {"sliders": [], "updatemenus": [], "labels": []}
    top = 60  # pixels below the plot area where the first control starts
    for k, (name, control, options) in enumerate(controls):
        label = tex_to_plotly(control.label or name)
        if isinstance(control, Slider):
            rows["sliders"].append({
                "name": name, "active": active[k], "pad": {"t": top, "l": 10},
                "currentvalue": {"prefix": f"{label} = ", "font": {"size": 13}},
                "len": 0.95, "x": 0.02, "y": 0, "yanchor": "top",
                "steps": [{"method": "skip", "label": _fmt(v), "value": str(i), "args": []}
                          for i, v in enumerate(options)],
            })
            top += SLIDER_ROW
        else:
            rows["labels"].append({
                "text": f"{label}:", "showarrow": False, "xref": "paper", "yref": "paper",
                "x": 0.02, "y": 0, "xanchor": "left", "yanchor": "top", "yshift": -top,
                "font": {"size": 13},
            })
            rows["updatemenus"].append({
                "name": name, "type": "buttons", "direction": "right", "active": active[k],
                "showactive": True, "x": 0.02, "y": 0, "xanchor": "left", "yanchor": "top",
                "pad": {"t": top + 22, "l": 0},
                "buttons": [{"method": "skip", "label": _fmt(v), "args": []} for v in options],
            })
            top += BUTTON_ROW
    rows["height"] = top
    return rows


def _frames_without_constants(frames: list[dict]) -> list[dict]:
    """Leave out of every frame the trace attributes that are equal in all frames (styles, names,
    an x that never changes): the figure's traces already hold them and ``Plotly.animate`` keeps
    what a frame does not set. It makes a chapter's HTML about a third lighter."""
    constant = [
        {key for key, value in trace.items() if all(f["data"][i].get(key) == value for f in frames)}
        for i, trace in enumerate(frames[0]["data"])
    ]
    return [{**frame, "data": [{k: v for k, v in trace.items() if k not in constant[i]}
                               for i, trace in enumerate(frame["data"])]}
            for frame in frames]


SLIDER_ROW = 80  # pixels per slider control
BUTTON_ROW = 62  # pixels per row of buttons

#: Runs after Plotly.newPlot. ``CONTROLS`` lists, in control order, where each control's position
#: lives: ["s", k] for layout.sliders[k], ["m", k] for layout.updatemenus[k]. Any change shows the
#: frame named by all positions together, so the controls combine.
_POST_SCRIPT = """
var gd = document.getElementById('{plot_id}');
var still = gd.closest('.rnnbook-explore').querySelector('img.rnnbook-explore-still');
if (still) { still.remove(); }
var stillText = gd.closest('.rnnbook-explore').querySelector('div.rnnbook-explore-still');
if (stillText) { stillText.remove(); }
var CONTROLS = %s;
function rnnbookShowFrame() {
  var active = CONTROLS.map(function (c) {
    var holder = c[0] === 's' ? gd.layout.sliders[c[1]] : gd.layout.updatemenus[c[1]];
    return holder.active || 0;
  });
  Plotly.animate(gd, [active.join('_')], {mode: 'immediate', transition: {duration: 0},
                                          frame: {duration: 0, redraw: true}});
}
gd.on('plotly_sliderchange', rnnbookShowFrame);
gd.on('plotly_buttonclicked', rnnbookShowFrame);
"""


def _control_places(controls) -> list[list]:
    places, sliders, menus = [], 0, 0
    for _, control, _ in controls:
        if isinstance(control, Slider):
            places.append(["s", sliders])
            sliders += 1
        else:
            places.append(["m", menus])
            menus += 1
    return places


class Explorer:
    """The object :func:`explore` returns; see the module docstring."""

    def __init__(self, fn: Callable, controls: dict):
        if not callable(fn):
            raise ValueError(f"fn must be a function of the control values; got {type(fn).__name__}.")
        if not controls:
            raise ValueError("explore needs at least one control, e.g. explore(fn, w=(0.0, 2.0, 0.1)).")
        self.fn = fn
        self.controls = []
        for name, spec in controls.items():
            control = _as_control(name, spec)
            options = control.options()
            self.controls.append((name, control, options))
        self.default = [_default_index(n, c, o) for n, c, o in self.controls]
        self._default_png: bytes | None = None
        self.n_frames = math.prod(len(o) for _, _, o in self.controls)
        if self.n_frames > MAX_FRAMES:
            sizes = " x ".join(str(len(o)) for _, _, o in self.controls)
            raise ValueError(
                f"the controls span {sizes} = {self.n_frames} frames; at most {MAX_FRAMES} are "
                f"precomputed for the HTML book, so use coarser steps or fewer options."
            )

    # -- evaluation ---------------------------------------------------------------------------
    def values(self, index: Sequence[int]) -> dict:
        return {name: options[i] for (name, _, options), i in zip(self.controls, index)}

    def panels(self, **values) -> list[Panel | Table]:
        return self.items(**values)[0]

    def items(self, **values) -> tuple[list[Panel | Table], list[Text]]:
        """The panels (and tables) and the text blocks for these control values."""
        return _items(self.fn(**values), name=getattr(self.fn, "__name__", "fn"))

    def figure(self, **values):
        """The matplotlib Figure for these control values (defaults where not given)."""
        chosen = self.values(self.default)
        chosen.update(values)
        return draw_matplotlib(self.panels(**chosen))

    # -- the static HTML ----------------------------------------------------------------------
    def to_html(self) -> str:
        import plotly.io as pio

        frames, shape, table_rows = [], None, 0
        labels = _control_rows(self.controls, self.default)["labels"]
        for index in itertools.product(*(range(len(o)) for _, _, o in self.controls)):
            panels, texts = self.items(**self.values(index))
            this_shape = _shape(panels) + ["text"] * len(texts)
            if shape is None:
                shape = this_shape
            elif this_shape != shape:
                raise ValueError(
                    f"the figure function must return the same panels and number of lines for "
                    f"every control value; got {shape} and then {this_shape} at {self.values(index)}."
                )
            table_rows = max([table_rows] + [len(p.rows) for p in panels if isinstance(p, Table)])
            frame_layout = _frame_layout(panels, texts)
            frame_layout["annotations"] += labels  # the frame replaces all annotations
            frames.append({"name": "_".join(map(str, index)), "data": _traces(panels, len(texts)),
                           "layout": frame_layout})
        default_name = "_".join(map(str, self.default))
        data = next(f["data"] for f in frames if f["name"] == default_name)
        default_panels, default_texts = self.items(**self.values(self.default))
        layout = _layout(default_panels, self.controls, self.default, table_rows, default_texts)
        figure = {"data": data, "layout": layout, "frames": _frames_without_constants(frames)}
        digest = hashlib.sha1(json.dumps(figure, sort_keys=True).encode()).hexdigest()[:12]
        html = pio.to_html(
            figure, include_plotlyjs=False, full_html=False, auto_play=False, validate=False,
            div_id=f"rnnbook-explore-{digest}", post_script=_POST_SCRIPT % json.dumps(_control_places(self.controls)),
            config={"displaylogo": False, "responsive": True,
                    "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
        )
        # A still image first: it is what a viewer that runs no scripts shows (an untrusted
        # notebook in JupyterLab, GitHub); the plot script removes it once plotly has drawn.
        still = base64.b64encode(self.png()).decode()
        alt = html_escape(repr(self), quote=True)
        text = _text_html(default_texts)
        if text:  # the still view's text, removed with the still image
            text = f'<div class="rnnbook-explore-still">{text}</div>'
        return (f'<div class="rnnbook-explore"><img class="rnnbook-explore-still" alt="{alt}" '
                f'src="data:image/png;base64,{still}"/>{text}{html}</div>')

    def png(self) -> bytes:
        """The figure at the default control values, as PNG bytes (drawn once, then reused)."""
        if self._default_png is None:
            self._default_png = _png(self.panels(**self.values(self.default)))
        return self._default_png

    # -- the live widget ----------------------------------------------------------------------
    def widget(self):
        import ipywidgets as widgets

        image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        inputs = []
        for (name, control, options), index in zip(self.controls, self.default):
            description = control.label or name
            if isinstance(control, Slider):
                box = widgets.SelectionSlider(
                    options=[(_fmt(v), v) for v in options], index=index, description=description,
                    continuous_update=False, style={"description_width": "initial"},
                    layout=widgets.Layout(width="420px"),
                )
            else:
                box = widgets.ToggleButtons(
                    options=[(_fmt(v), v) for v in options], index=index, description=description,
                    style={"description_width": "initial", "button_width": "auto"},
                )
            inputs.append(box)

        text = widgets.HTML(_text_html(self.items(**self.values(self.default))[1]))

        def redraw(_change=None):
            chosen = {name: box.value for (name, _, _), box in zip(self.controls, inputs)}
            panels, texts = self.items(**chosen)
            image.value = _png(panels)
            text.value = _text_html(texts)

        for box in inputs:
            box.observe(redraw, names="value")
        image.value = self.png()  # the controls start at the defaults
        return widgets.VBox([*inputs, image, text] if text.value else [*inputs, image])

    # -- display ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        parts = ", ".join(f"{name}: {len(options)} values" for name, _, options in self.controls)
        text = f"<interactive figure, {self.n_frames} precomputed frames; {parts}>"
        return textwrap.fill(text, width=88, subsequent_indent="  ")  # fits a notebook's width

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self), "text/html": self.to_html()}
        try:
            widget_bundle = self.widget()._repr_mimebundle_()
        except Exception:  # no kernel with a comm (e.g. a plain script): the static parts suffice
            widget_bundle = None
        if widget_bundle:
            bundle["application/vnd.jupyter.widget-view+json"] = widget_bundle[
                "application/vnd.jupyter.widget-view+json"
            ]
        return bundle


def explore(fn: Callable, **controls) -> Explorer:
    """Make an interactive figure from ``fn(**values) -> Panel | list[Panel]`` (a
    :class:`Table` may stand in for any Panel).

    Each keyword is a control: ``Slider(min, max, step, value=None, label=None)`` or its
    shortcut ``(min, max, step[, value])``; ``Choice(options, value=None, label=None)`` or its
    shortcut, a list of options. ``fn`` is called once per combination of values when the cell's
    output is made (for the HTML book), so it must be fast and pure.
    """
    return Explorer(fn, controls)
