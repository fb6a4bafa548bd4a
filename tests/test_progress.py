"""rnnbook.progress: the loop runs every step and leaves one final line, in a script and a notebook."""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from rnnbook import progress


def test_outside_a_notebook_the_loop_runs_and_prints_the_final_line(capsys):
    steps = list(progress(5, "training"))
    assert steps == [0, 1, 2, 3, 4]
    out = capsys.readouterr().out
    assert re.fullmatch(r"training: 100%\|█+\| 5/5 \[\d\d:\d\d<00:00, .*\]\n", out), out


def test_in_a_notebook_the_stored_output_is_the_final_line_and_no_frozen_bar():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from rnnbook import progress\ntotal = 0\nfor step in progress(3, 'fit'):\n    total += step\ntotal")])
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    texts = [o.get("text", "") for o in outputs if o.output_type == "stream"]
    plain = [o.data.get("text/plain", "") for o in outputs if o.output_type != "stream"]
    assert len(texts) == 1 and texts[0].startswith("fit: 100%|") and "3/3 [" in texts[0]
    assert "0%" not in "".join(plain[:-1]), "the widget's frozen 0% text must not be stored"
    assert plain[-1] == "3"
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1  # the live bar


def test_bad_step_counts_are_reported():
    with pytest.raises(ValueError, match=r"steps must be a positive integer; got 0"):
        list(progress(0, "x"))
