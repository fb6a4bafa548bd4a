"""The interactive-figure helper: live widget, static plotly fallback, and clear errors."""

import base64
import json
import re

import numpy as np
import pytest

from rnnbook import Choice, Heatmap, Line, Panel, Slider, Table, Text, explore
from rnnbook.explore import MAX_FRAMES, tex_to_plotly
from rnnbook.site.sphinxext import plotly_js_path


def powers(base, kind):
    k = np.arange(10)
    y = base ** k if kind == "power" else base * k
    return [Panel([Line(y, k, label="$b^k$"), Line(np.ones(10), k, style="--")], title=f"base {base}",
                  yscale="log" if kind == "power" else "linear", hlines=[1.0]),
            Panel([Line(-y, k)], title="negated")]


def make():
    return explore(powers, base=Slider(0.5, 1.5, 0.25, value=1.0), kind=Choice(["power", "linear"]))


def frames_of(html):
    """The figure JSON that plotly.io.to_html embeds, parsed back."""
    frames = re.search(r"Plotly\.addFrames\('[^']+', (\[.*?\])\);", html, re.S)
    return json.loads(frames.group(1))


def full_frame(html, index=0):
    """Frame ``index`` with every trace completed by the figure's own traces: a frame carries
    only the attributes that change between frames (see ``_frames_without_constants``)."""
    frame = frames_of(html)[index]
    frame["data"] = [{**base, **changed}
                     for base, changed in zip(figure_of(html)["data"], frame["data"])]
    return frame


def figure_of(html):
    """The traces that plotly.io.to_html passes to Plotly.newPlot, parsed back."""
    data = re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{\"margin\"", html, re.S)
    return {"data": json.loads(data.group(1))}


def test_frames_carry_only_what_changes():
    """Attributes equal in every frame (style, name, axes, an x that never changes) live in the
    figure's traces only; Plotly.animate keeps what a frame does not set."""
    html = make().to_html()
    frames, traces = frames_of(html), figure_of(html)["data"]
    assert all(set(trace) == {"y"} for f in frames for trace in f["data"][:1] + f["data"][2:])
    assert all(f["data"][1] == {} for f in frames)  # the constant reference line
    assert traces[0]["line"] and traces[0]["name"] and traces[0]["x"] == list(range(10))


def test_bundle_has_widget_html_and_text():
    bundle = make()._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"}
    assert bundle["text/plain"] == "<interactive figure, 10 precomputed frames; base: 5 values, kind: 2 values>"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"]


def test_html_is_deterministic_and_content_addressed():
    first, second = make().to_html(), make().to_html()
    assert first == second
    other = explore(powers, base=Slider(0.5, 1.5, 0.25, value=0.5), kind=["power", "linear"]).to_html()
    assert re.search(r'id="(rnnbook-explore-[0-9a-f]{12})"', first).group(1) != \
        re.search(r'id="(rnnbook-explore-[0-9a-f]{12})"', other).group(1)


def test_html_starts_with_a_still_image_that_the_plot_script_removes():
    html = make().to_html()
    still = re.search(r'<img class="rnnbook-explore-still" alt="([^"]*)" src="data:image/png;base64,([^"]+)"/>', html)
    assert still and still.start() < html.index("Plotly.newPlot")
    assert still.group(1) == "&lt;interactive figure, 10 precomputed frames; base: 5 values, kind: 2 values&gt;"
    assert base64.b64decode(still.group(2))[:4] == b"\x89PNG"
    assert "querySelector('img.rnnbook-explore-still')" in html


def nbval_sanitized(text):
    """Apply tests/nbval_sanitize.cfg the way nbval does before it compares outputs."""
    import configparser
    import pathlib

    config = configparser.ConfigParser()
    config.read(pathlib.Path(__file__).with_name("nbval_sanitize.cfg"))
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


def test_nbval_compares_the_data_and_not_the_pixels_of_the_still():
    """Another CPU may draw the still image with other pixels (anti-aliasing of numbers that
    differ in their last bits); nbval must compare the plotted data, which is rounded, instead."""
    figure = make()
    html = figure.to_html()
    figure._default_png = b"\x89PNG other pixels"
    repainted = figure.to_html()
    assert repainted != html and nbval_sanitized(repainted) == nbval_sanitized(html)
    assert "Plotly.newPlot" in nbval_sanitized(html)
    changed = explore(powers, base=Slider(0.5, 1.5, 0.25, value=1.25), kind=["power", "linear"])
    assert nbval_sanitized(changed.to_html()) != nbval_sanitized(html)


def test_html_loads_nothing_from_elsewhere():
    html = make().to_html()
    assert "<script src" not in html and "https://" not in html and "http://" not in html
    assert "<img" not in html.split("/>", 1)[1]  # the only image is the inline still


def test_one_frame_per_combination_with_the_right_numbers():
    frames = frames_of(make().to_html())
    assert [f["name"] for f in frames] == [f"{i}_{j}" for i in range(5) for j in range(2)]
    frame = next(f for f in frames if f["name"] == "4_0")  # base 1.5, kind "power"
    np.testing.assert_allclose(frame["data"][0]["y"], 1.5 ** np.arange(10), rtol=1e-3)
    assert figure_of(make().to_html())["data"][2]["xaxis"] == "x2"  # the second panel's line
    assert frame["layout"]["annotations"][0]["text"] == "<b>base 1.5</b>"
    assert frame["layout"]["yaxis"]["range"][0] < 0 < frame["layout"]["yaxis"]["range"][1]  # log10 units


def test_sliders_start_at_the_defaults_and_have_one_step_per_value():
    html = make().to_html()
    layout = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*\[.*?\],\s*(\{.*?\}),\s*\{\"displaylogo\"", html, re.S).group(1))
    assert [s["active"] for s in layout["sliders"]] == [2]
    assert [step["label"] for step in layout["sliders"][0]["steps"]] == ["0.5", "0.75", "1", "1.25", "1.5"]
    # a Choice is a row of buttons, labelled, starting at its default
    assert [m["active"] for m in layout["updatemenus"]] == [0]
    assert [b["label"] for b in layout["updatemenus"][0]["buttons"]] == ["power", "linear"]
    assert "kind:" in [a["text"] for a in layout["annotations"]]
    assert layout["yaxis"]["type"] == "log"


def test_frames_keep_the_control_labels():
    """A frame replaces all annotations, so each must carry the buttons' labels too."""
    for frame in frames_of(make().to_html()):
        assert "kind:" in [a["text"] for a in frame["layout"]["annotations"]]


def test_plot_script_knows_where_each_control_lives():
    html = explore(powers, kind=["power", "linear"], base=Slider(0.5, 1.5, 0.25)).to_html()
    assert 'var CONTROLS = [["m", 0], ["s", 0]];' in html


def test_live_widget_redraws_when_a_control_moves():
    box = make().widget()
    *controls, image = box.children
    before = image.value
    controls[0].value = 1.5
    assert image.value != before and image.value[:4] == b"\x89PNG"


def test_numbers_are_rounded_and_non_finite_become_gaps():
    def fn(a):
        return Panel([Line([1 / 3, np.nan, np.inf, a])])

    html = explore(fn, a=[1.0]).to_html()
    assert "[0.3333,null,null,1.0]" in html


def test_each_frame_sets_its_own_x_range():
    def fn(steps):
        return Panel([Line(np.ones(steps + 1))], xlim=None)

    frames = frames_of(explore(fn, steps=[10, 100]).to_html())
    assert [round(f["layout"]["xaxis"]["range"][1]) for f in frames] == [10, 102]


def test_colours_are_not_reused_across_panels():
    traces = figure_of(make().to_html())["data"]
    automatic = [trace["line"]["color"] for trace in traces]
    # panel 1: two lines, panel 2: one line; none has an explicit colour
    assert len(set(automatic)) == 3


def test_tex_labels_become_unicode_for_plotly():
    assert tex_to_plotly(r"$\|h_t\|$ and $\rho^{t-1}$") == "‖h<sub>t</sub>‖ and ρ<sup>t-1</sup>"
    assert tex_to_plotly("plain text") == "plain text"
    assert tex_to_plotly(r"$\tilde{c}_t$") == "c\u0303<sub>t</sub>"
    assert tex_to_plotly(r"$\tilde c_t$") == "c\u0303<sub>t</sub>"


@pytest.mark.parametrize("controls,message", [
    ({}, r"explore needs at least one control"),
    ({"a": "wide"}, r"control 'a' must be a Slider, a Choice, a tuple \(min, max, step\[, value\]\) or a list"),
    ({"a": Slider(0, 1, 0.1, value=0.55)}, r"control 'a' has default 0.55, which is not one of its values"),
    ({"a": Slider(1, 0, 0.1)}, r"a Slider needs step > 0 and max >= min"),
    ({"a": []}, r"a Choice needs at least one option"),
    ({"a": (0.0, 1.0, 0.001)}, rf"the controls span 1001 = 1001 frames; at most {MAX_FRAMES}"),
])
def test_bad_controls_are_reported(controls, message):
    with pytest.raises(ValueError, match=message):
        explore(lambda **v: Panel([Line([0, 1])]), **controls)


def test_figure_function_must_return_panels():
    with pytest.raises(ValueError, match=r"must return a Panel or a list of Panels; got ndarray"):
        explore(lambda a: np.zeros(3), a=[1, 2]).to_html()


def test_figure_function_must_keep_the_number_of_lines():
    with pytest.raises(ValueError, match=r"same panels and number of lines for every control value"):
        explore(lambda a: Panel([Line([0, 1])] * a), a=[1, 2]).to_html()


def test_line_lengths_must_match():
    with pytest.raises(ValueError, match=r"must have x and y of the same length; got 2 and 3"):
        explore(lambda a: Panel([Line([0, 1, 2], x=[0, 1])]), a=[1]).to_html()


def test_plotly_js_ships_with_the_plotly_package():
    with open(plotly_js_path()) as f:
        head = f.read(2000)
    assert "plotly.js" in head


# --------------------------------------------------------------------------------------------
# Table: text in place of a set of axes
# --------------------------------------------------------------------------------------------
def shapes_table(layers, wide):
    """A Table whose number of rows follows a control, next to an ordinary panel."""
    rows = [(f"weight_l{k}", f"({4 * wide}, {wide})") for k in range(layers)]
    return [Table(rows, columns=["name", "shape"], title=f"{layers} layers"),
            Panel([Line(np.arange(3) * wide)], title="a line")]


def test_a_table_is_a_plotly_table_trace_in_every_frame():
    html = explore(shapes_table, layers=[1, 3], wide=[2, 5]).to_html()
    frame = next(f for f in frames_of(html) if f["name"] == "1_1")  # 3 layers, wide 5
    # a frame holds what changes; the figure's own traces hold what every frame shares
    table, line = ({**base, **changed} for base, changed in zip(figure_of(html)["data"], frame["data"]))
    assert table["type"] == "table" and line["type"] == "scatter"
    assert table["header"]["values"] == ["<b>name</b>", "<b>shape</b>"]
    assert table["cells"]["values"] == [["weight_l0", "weight_l1", "weight_l2"],
                                       ["(20, 5)", "(20, 5)", "(20, 5)"]]
    assert table["domain"]["x"][1] < 0.5  # the left half of the figure
    assert table["columnwidth"] == [9, 7]  # in proportion to the longest entry of each column
    assert frame["layout"]["annotations"][0]["text"] == "<b>3 layers</b>"
    assert line["xaxis"] == "x2"  # the panel after the table keeps its own axes


def figure_layout(html):
    return json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*\[.*?\],\s*(\{.*?\}),\s*\{\"displaylogo\"",
                                html, re.S).group(1))


def test_a_table_has_no_axes_and_the_figure_grows_with_its_longest_frame():
    def rows(n):
        return Table([(k, k * k) for k in range(n)], columns=["k", "k squared"])

    short = figure_layout(explore(rows, n=[1, 2]).to_html())
    tall = figure_layout(explore(rows, n=[1, 40]).to_html())
    assert "xaxis" not in short and "yaxis" not in short
    plot = figure_layout(explore(lambda n: Panel([Line([0, n])]), n=[1, 2]).to_html())
    assert short["height"] == plot["height"]  # as tall as a plot with the same controls
    assert tall["height"] > short["height"] + 30 * 20  # room for 40 rows of about 24 px


def test_matplotlib_draws_a_table_with_its_text():
    import matplotlib.pyplot as plt

    fig = explore(shapes_table, layers=[2], wide=[3]).figure()
    texts = [cell.get_text().get_text() for cell in fig.axes[0].tables[0].get_celld().values()]
    assert {"name", "shape", "weight_l0", "weight_l1", "(12, 3)"} <= set(texts)
    assert not fig.axes[0].axison and fig.axes[1].axison
    plt.close(fig)


def test_a_table_row_of_the_wrong_width_is_reported():
    bad = Table([("a", "b"), ("c",)], columns=["x", "y"], title="t")
    with pytest.raises(ValueError, match=r"Table 't' has 2 columns, so every row needs 2 values; "
                                         r"row 1 has 1: \['c'\]"):
        explore(lambda a: bad, a=[1]).to_html()


def test_a_table_must_keep_its_columns():
    def fn(a):
        return Table([("1",) * a], columns=["c"] * a)

    with pytest.raises(ValueError, match=r"same panels and number of lines for every control value; "
                                         r"got \['table of 1 columns'\] and then \['table of 2 columns'\]"):
        explore(fn, a=[1, 2]).to_html()


# ---------------------------------------------------------------------------------------------
# Heatmaps
# ---------------------------------------------------------------------------------------------
def gate_map(seq):
    z = np.arange(12.0).reshape(3, 4) / 11 * seq  # 3 rows, 4 columns
    return Panel([Heatmap(z, zmin=0, zmax=1, cmap="Greys", label="gate"),
                  Line([-0.5, 2.5], x=[seq, seq], style="--", color="red")],
                 title=f"sequence {seq}", yticks=[(0, "i"), (2, "o")])


def test_heatmap_becomes_a_plotly_heatmap_with_matplotlibs_colours():
    import matplotlib

    frame = full_frame(explore(gate_map, seq=[1, 2]).to_html())
    heat, line = frame["data"]
    assert heat["type"] == "heatmap" and line["type"] == "scatter"
    assert heat["z"][1] == [0.3636, 0.4545, 0.5455, 0.6364]  # rounded to 4 significant digits
    assert heat["x"] == [0, 1, 2, 3] and heat["y"] == [0, 1, 2]
    assert (heat["zmin"], heat["zmax"]) == (0, 1)
    r, g, b, _ = matplotlib.colormaps["Greys"](1.0)
    assert heat["colorscale"][-1] == [1.0, f"rgb({round(255 * r)},{round(255 * g)},{round(255 * b)})"]
    # the axes end at the cells' edges, with no padding around the image
    assert frame["layout"]["xaxis"]["range"] == [-0.5, 3.5]
    assert frame["layout"]["yaxis"]["range"] == [-0.5, 2.5]


def test_heatmap_frames_change_the_image_and_yticks_label_the_rows():
    html = explore(gate_map, seq=[1, 2]).to_html()
    first, second = frames_of(html)
    assert first["data"][0]["z"] != second["data"][0]["z"]
    assert '"ticktext":["i","o"]' in html.replace(" ", "")


def test_heatmap_is_drawn_with_matplotlib_under_the_lines():
    import matplotlib.pyplot as plt

    from rnnbook.explore import draw_matplotlib

    fig = draw_matplotlib([gate_map(1)])
    ax = fig.axes[0]
    assert len(ax.images) == 1 and ax.images[0].get_array().shape == (3, 4)
    assert ax.images[0].get_zorder() < ax.lines[0].get_zorder()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["i", "o"]
    assert len(fig.axes) == 2  # the panel and its colour bar
    plt.close(fig)


@pytest.mark.parametrize("heatmap,message", [
    (Heatmap([1.0, 2.0]), r"needs a non-empty 2-D z \(rows, columns\); got shape \(2,\)"),
    (Heatmap([[1.0, 2.0]], x=[0, 1, 2]), r"needs 2 x values and 1 y values; got 3 and 1"),
    (Heatmap([[1.0, 2.0]], cmap="rainbowish"), r"cmap must be a matplotlib colormap name"),
])
def test_bad_heatmaps_are_reported(heatmap, message):
    with pytest.raises(ValueError, match=message):
        explore(lambda a: Panel([heatmap]), a=[1]).to_html()


def test_stacked_heatmaps_get_a_colour_bar_each_beside_their_rows():
    def stacked(a):
        return Panel([Heatmap(np.zeros((3, 4)), label="gates"),  # rows 0..2: edges -0.5..2.5
                      Heatmap(np.ones((1, 4)) * a, y=[3.0], cmap="RdBu_r", label="cell")])

    lower, upper = full_frame(explore(stacked, a=[1.0, 2.0]).to_html())["data"]
    assert (lower["colorbar"]["y"], lower["colorbar"]["len"]) == (0.375, 0.75)  # [0, 0.75]
    assert (upper["colorbar"]["y"], upper["colorbar"]["len"]) == (0.875, 0.25)  # [0.75, 1]


def test_a_colour_bar_between_two_panels_gets_room_and_dots_above_a_heatmap_are_not_cut():
    def two(a):
        return [Panel([Heatmap([[0.0, a]]), Line([1.0], x=[0.0], style="o")]),
                Panel([Line([0.0, a])])]

    frame = frames_of(explore(two, a=[1.0, 2.0]).to_html())[0]
    layout = json.loads(re.search(r'Plotly\.newPlot\(\s*"[^"]+",\s*\[.*?\],\s*(\{.*?\}),\s*\{"displaylogo',
                                  explore(two, a=[1.0, 2.0]).to_html(), re.S).group(1))
    assert layout["xaxis2"]["domain"][0] - layout["xaxis"]["domain"][1] > 0.2
    low, high = frame["layout"]["yaxis"]["range"]
    assert high > 1.0 and low < -0.5  # padded: the dot at y = 1 lies above the cell's edge 0.5


def test_heatmap_colour_range_is_rounded_like_the_data():
    frame = full_frame(explore(lambda a: Panel([Heatmap([[0.0, 1.0]], zmin=-a / 3, zmax=a / 3)]),
                               a=[1.0]).to_html())
    assert (frame["data"][0]["zmin"], frame["data"][0]["zmax"]) == (-0.3333, 0.3333)


# ---- Text blocks beside the panels (chapter 10's samples) ----------------------------------
def writer(temperature, model):
    sample = f"{model} 在 T={temperature}:\n白日依山尽，\n<b>not markup</b> & co"
    return [Panel([Line(np.arange(3) * temperature, label="entropy")], title="Entropy"),
            Text(sample, title="Sample")]


def make_writer():
    return explore(writer, temperature=Slider(0.5, 1.0, 0.5, value=0.5), model=["RNN", "LSTM"])


def test_text_is_an_annotation_in_a_column_of_its_own_in_every_frame():
    frames = frames_of(make_writer().to_html())
    assert len(frames) == 4
    for frame in frames:
        texts = [a for a in frame["layout"]["annotations"] if a.get("align") == "left"]
        assert len(texts) == 1 and texts[0]["x"] > 0.5  # right of the single panel
    frame = next(f for f in frames if f["name"] == "1_1")  # temperature 1.0, LSTM
    text = next(a["text"] for a in frame["layout"]["annotations"] if a.get("align") == "left")
    # escaped (the sample's "<b>" is shown, not obeyed), lines joined by <br>, the title bold
    assert text == ("<b>Sample</b><br>LSTM 在 T=1.0:<br>白日依山尽，<br>"
                    "&lt;b&gt;not markup&lt;/b&gt; &amp; co")


def test_with_text_the_legend_moves_above_the_plot():
    """Right of the panels, where the legend would go, the text column would cover it."""
    html = make_writer().to_html()
    layout = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*\[.*?\],\s*(\{.*?\}),\s*\{\"displaylogo\"", html, re.S).group(1))
    assert layout["legend"]["orientation"] == "h" and layout["legend"]["y"] > 1
    plain = make().to_html()
    plain_layout = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*\[.*?\],\s*(\{.*?\}),\s*\{\"displaylogo\"", plain, re.S).group(1))
    assert "orientation" not in plain_layout["legend"]


def test_text_follows_the_still_image_as_html_and_the_script_removes_both():
    html = make_writer().to_html()
    still = re.search(r'<div class="rnnbook-explore-still"><pre class="rnnbook-explore-text">'
                      r'<b>Sample</b>\n(.*?)</pre></div>', html, re.S)
    assert still and still.group(1).startswith("RNN 在 T=0.5:\n白日依山尽，")
    assert still.start() < html.index("Plotly.newPlot")
    assert "querySelector('div.rnnbook-explore-still')" in html


def test_live_widget_shows_the_text_as_html_and_updates_it():
    box = make_writer().widget()
    *controls, image, text = box.children
    assert "RNN 在 T=0.5" in text.value
    controls[1].value = "LSTM"
    assert "LSTM 在 T=0.5" in text.value


def test_matplotlib_draws_only_the_panels():
    figure = make_writer().figure()
    assert len(figure.axes) == 1
    import matplotlib.pyplot as plt

    plt.close(figure)


def test_text_only_figures_and_changing_text_counts_are_reported():
    with pytest.raises(ValueError, match=r"must return at least one Panel besides its Text"):
        explore(lambda a: [Text("x")], a=[1]).to_html()
    with pytest.raises(ValueError, match=r"same panels and number of lines for every control"):
        explore(lambda a: [Panel([Line([0, 1])])] + [Text("x")] * a, a=[0, 1]).to_html()
    with pytest.raises(ValueError, match=r"a Text needs a string; got int"):
        explore(lambda a: [Panel([Line([0, 1])]), Text(3)], a=[1]).to_html()
