"""rnnbook.diagrams draws what it is asked and names a wrong kind or shape."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402

from rnnbook.diagrams import BACKWARD, COLORS, arrow, box, connect, finish, node  # noqa: E402


def test_nodes_arrows_and_labels_land_where_asked():
    fig, ax = plt.subplots()
    node(ax, (0, 0), "$x_1$", kind="input")
    node(ax, (0, 1), "$h_1$", kind="state")
    node(ax, (1, 1), "gate", kind="gate", shape="box")
    arrow(ax, (0, 0), (0, 1), "$U$")
    arrow(ax, (0, 1), (1, 1), "$W$", color="#c0392b", style="--", connection="arc3,rad=0.2")
    finish(ax, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), title="one step")
    texts = {t.get_text(): t.get_position() for t in ax.texts}
    assert texts["$x_1$"] == (0, 0) and texts["$h_1$"] == (0, 1)
    assert texts["$U$"] == pytest.approx((-0.15, 0.5))  # left of a vertical arrow
    assert texts["$W$"] == pytest.approx((0.5, 1.13))  # above a horizontal one
    markers = [c.get_facecolor()[0][:3] for c in ax.collections]
    assert len(markers) == 2 and ax.get_title() == "one step" and not ax.axison
    assert matplotlib.colors.to_hex(markers[1]) == COLORS["state"]
    plt.close(fig)


def test_bad_kind_or_shape_is_named():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"^kind must be one of input, state, .*; got 'hidden'\.$"):
        node(ax, (0, 0), "h", kind="hidden")
    with pytest.raises(ValueError, match=r"^shape must be 'circle', 'square' or 'box'; got 'star'\.$"):
        node(ax, (0, 0), "h", shape="star")
    plt.close(fig)


def test_box_is_centred_with_its_size_and_colour():
    fig, ax = plt.subplots()
    cell = box(ax, (2.0, 1.0), "$c_t$", kind="cell", width=1.2, height=0.6)
    assert isinstance(cell, FancyBboxPatch) and cell in ax.patches
    assert (cell.get_x(), cell.get_y()) == pytest.approx((1.4, 0.7))
    assert (cell.get_width(), cell.get_height()) == pytest.approx((1.2, 0.6))
    assert matplotlib.colors.to_hex(cell.get_facecolor()) == COLORS["cell"]
    assert {t.get_text(): t.get_position() for t in ax.texts}["$c_t$"] == (2.0, 1.0)
    plt.close(fig)


def test_connect_ends_on_the_edges_of_both_boxes():
    """The drawn arrow starts on the right edge of the left box and ends on the left edge of the
    right one (the boxes are 1 wide, centred 4 apart), whatever their sizes."""
    fig, ax = plt.subplots()
    ax.set_xlim(-1, 5)
    ax.set_ylim(-1, 1)
    left = box(ax, (0.0, 0.0), "a", width=1.0, height=0.5)
    right = box(ax, (4.0, 0.0), "b", kind="#123456", width=1.0, height=0.5)
    link = connect(ax, left, right, "$W^\\top$", color=BACKWARD)
    assert isinstance(link, FancyArrowPatch) and link in ax.patches
    fig.canvas.draw()
    path = link.get_path().transformed(link.get_transform())  # display coordinates
    drawn = path.vertices[path.codes != Path.CLOSEPOLY]  # a closing vertex is not drawn
    xs = ax.transData.inverted().transform(drawn)[:, 0]
    pad = 0.05 + 0.1  # the rounded boxes' pad, plus the arrow's small gap and line width
    assert 0.5 <= xs.min() <= 0.5 + pad  # starts at the right edge of the left box
    assert 3.5 - pad <= xs.max() <= 3.5  # and ends at the left edge of the right one
    label = {t.get_text(): t for t in ax.texts}["$W^\\top$"]
    assert label.get_position() == pytest.approx((2.0, 0.25)) and label.get_color() == BACKWARD
    plt.close(fig)


def test_connect_and_box_name_bad_input():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"^width must be a positive size in data units; got 0\.$"):
        box(ax, (0, 0), "a", width=0)
    a = box(ax, (0, 0), "a")
    with pytest.raises(ValueError, match=r"^end must be a box returned by rnnbook\.diagrams\.box; got an object of type tuple\.$"):
        connect(ax, a, (1, 1))
    plt.close(fig)
