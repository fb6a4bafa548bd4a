"""The interactive-figure helper: live widget, static plotly fallback, and clear errors."""

import base64
import json
import re

import numpy as np
import pytest

from rnnbook import Choice, Line, Panel, Slider, Text, explore
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


def test_bundle_has_widget_html_and_text():
    bundle = make()._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"}
    assert bundle["text/plain"] == "<interactive figure: base: 5 values, kind: 2 values; 10 precomputed frames>"
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
    assert still.group(1) == "&lt;interactive figure: base: 5 values, kind: 2 values; 10 precomputed frames&gt;"
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
    assert frame["data"][2]["xaxis"] == "x2"  # the second panel's line
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
    frame = frames_of(make().to_html())[0]
    automatic = [trace["line"]["color"] for trace in frame["data"]]
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
