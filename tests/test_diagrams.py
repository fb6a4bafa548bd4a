"""rnnbook.diagrams draws what it is asked and names a wrong kind or shape."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnbook.diagrams import COLORS, arrow, finish, node  # noqa: E402


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
