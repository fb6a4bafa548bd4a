"""Boxes, nodes and arrows for the book's hand-drawn diagrams (unrolled networks, cells, paths).

Every diagram of the book is drawn with matplotlib from the same three pieces, so the chapters
share one look and no chapter defines its own ``draw_node``::

    fig, ax = plt.subplots(figsize=(8, 4))
    node(ax, (0, 0), "$x_1$", kind="input")
    node(ax, (0, 1), "$h_1$", kind="state")
    arrow(ax, (0, 0), (0, 1), "$W_{ih}$")
    finish(ax, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), title="one step")
    plt.show()

Coordinates are data coordinates of ``ax``; ``finish`` fixes the limits and hides the axes.
"""

from __future__ import annotations

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
