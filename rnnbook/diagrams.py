r"""Boxes, nodes and arrows for the book's hand-drawn diagrams (unrolled networks, cells, paths).

Every diagram of the book is drawn with matplotlib from the same few pieces, so the chapters
share one look and no chapter defines its own ``draw_node``::

    fig, ax = plt.subplots(figsize=(8, 4))
    node(ax, (0, 0), "$x_1$", kind="input")
    node(ax, (0, 1), "$h_1$", kind="state")
    arrow(ax, (0, 0), (0, 1), "$W_{ih}$")
    finish(ax, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), title="one step")
    plt.show()

``node`` and ``arrow`` suit diagrams whose nodes are all about the same size (an arrow stops a
fixed number of points short of each end). For boxes of different sizes, where an arrow must
start and end on the boxes' edges, draw the boxes with ``box`` and join them with ``connect``::

    cell = box(ax, (0, 1), "$c_t$", kind="cell", width=1.3)
    gate = box(ax, (1, 0), "$z_{f,t}$", kind="gate", width=1.2)
    connect(ax, cell, gate, r"$\odot f_t$", color=BACKWARD)

Coordinates are data coordinates of ``ax``; ``finish`` fixes the limits and hides the axes.
"""

from __future__ import annotations

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

#: Fill colours by the kind of quantity a node holds (inputs blue, states orange, outputs green,
#: losses grey, gates purple, plain white).
COLORS = {
    "input": "#dbe9f6",
    "state": "#fde2c8",
    "cell": "#f6d5d5",
    "output": "#d9f0d3",
    "loss": "#eeeeee",
    "gate": "#e4dcf1",
    "plain": "#ffffff",
}
#: The colour of backward (gradient) arrows throughout the book.
BACKWARD = "#c0392b"

_MARKERS = {"circle": "o", "square": "s"}


def _fill(kind: str) -> str:
    if kind in COLORS:
        return COLORS[kind]
    if kind.startswith("#"):
        return kind
    raise ValueError(f"kind must be one of {', '.join(COLORS)} or a colour '#rrggbb'; got {kind!r}.")


def node(ax, xy, text: str, kind: str = "plain", shape: str | None = None, size: float = 1700,
         fontsize: float = 14):
    """A round (or, for states, square) node with ``text`` at ``xy``.

    ``shape`` is ``"circle"``, ``"square"`` or ``"box"`` (a rounded box that fits the text);
    by default states are squares and everything else is a circle.
    """
    shape = shape or ("square" if kind in ("state", "cell") else "circle")
    if shape == "box":
        ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4,
                bbox=dict(boxstyle="round,pad=0.35", fc=_fill(kind), ec="black"))
        return
    if shape not in _MARKERS:
        raise ValueError(f"shape must be 'circle', 'square' or 'box'; got {shape!r}.")
    ax.scatter(*xy, s=size, marker=_MARKERS[shape], color=_fill(kind), edgecolor="black",
               zorder=3)
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def arrow(ax, start, end, label: str = "", color: str = "black", style: str = "-",
          lw: float = 1.5, shrink: float = 21, offset=(0.0, 0.0), label_at=None,
          fontsize: float = 13, connection: str | None = None):
    """An arrow from ``start`` to ``end`` (data coordinates), optionally labelled.

    ``shrink`` (points) stops the arrow short of the nodes at both ends; ``offset`` moves the whole
    arrow, so a forward and a backward arrow between the same nodes can sit side by side. The label
    goes to the left of a vertical arrow and above any other, or at ``label_at`` if given.
    ``connection`` is a matplotlib connection style (e.g. ``"arc3,rad=0.3"``) for a curved arrow.
    """
    start = (start[0] + offset[0], start[1] + offset[1])
    end = (end[0] + offset[0], end[1] + offset[1])
    props = dict(arrowstyle="-|>", lw=lw, shrinkA=shrink, shrinkB=shrink, color=color,
                 linestyle=style)
    if connection:
        props["connectionstyle"] = connection
    ax.annotate("", xy=end, xytext=start, arrowprops=props)
    if label:
        if label_at is None:
            vertical = abs(start[0] - end[0]) < 1e-9
            shift = (-0.15, 0.0) if vertical else (0.0, 0.13)
            label_at = ((start[0] + end[0]) / 2 + shift[0], (start[1] + end[1]) / 2 + shift[1])
        ax.text(*label_at, label, fontsize=fontsize, color=color, ha="center", va="center")


def finish(ax, xlim, ylim, title: str = "", fontsize: float = 13):
    """Fix the drawing area, hide the axes, and set the title."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize)


def box(ax, xy, text: str, kind: str = "plain", width: float = 1.3, height: float = 0.7,
        fontsize: float = 13) -> FancyBboxPatch:
    """A rounded box of ``width`` by ``height`` (data units) centred at ``xy``, with ``text``.

    Returns the box, to be passed to :func:`connect`, whose arrows start and end on its edge.
    """
    for name, value in (("width", width), ("height", height)):
        if not value > 0:
            raise ValueError(f"{name} must be a positive size in data units; got {value!r}.")
    x, y = xy
    patch = FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                           boxstyle="round,pad=0.05", facecolor=_fill(kind), edgecolor="black",
                           zorder=2)
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)
    return patch


def _centre(name: str, patch) -> tuple[float, float]:
    if not isinstance(patch, FancyBboxPatch):
        raise ValueError(
            f"{name} must be a box returned by rnnbook.diagrams.box; got an object of type "
            f"{type(patch).__name__}."
        )
    return (patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2)


def connect(ax, start, end, label: str = "", color: str = "black", lw: float = 1.4,
            style: str = "-", label_at=None, align: str = "center",
            fontsize: float = 11) -> FancyArrowPatch:
    """An arrow from the edge of box ``start`` to the edge of box ``end`` (both from :func:`box`).

    The arrow points along the line between the two centres and is clipped to the two boxes, so
    it touches each box whatever its size. The label goes a little above the middle of that line,
    or at ``label_at``; ``align`` is its horizontal alignment there.
    """
    (x0, y0), (x1, y1) = _centre("start", start), _centre("end", end)
    patch = FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=16,
                            linewidth=lw, linestyle=style, color=color, patchA=start,
                            patchB=end, shrinkA=1, shrinkB=1, zorder=1)
    ax.add_patch(patch)
    if label:
        where = label_at if label_at is not None else ((x0 + x1) / 2, (y0 + y1) / 2 + 0.25)
        ax.text(*where, label, color=color, fontsize=fontsize, ha=align, va="center")
    return patch
