"""rnnbook.site.nbclean drops stored widget views and timestamps, joins split streams, and does
nothing else."""

import nbformat

from rnnbook.site.nbclean import WIDGET_VIEW, drop_widget_views


def test_drop_widget_views_keeps_the_other_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("explore(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/html": "<div>figure</div>", "text/plain": "figure"})]
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    nb.cells = [cell, nbformat.v4.new_markdown_cell("# Title")]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)

    assert drop_widget_views(str(path)) == 1
    cleaned = nbformat.read(path, as_version=4)
    assert cleaned.cells[0].outputs[0]["data"] == {"text/html": "<div>figure</div>", "text/plain": "figure"}
    assert "widgets" not in cleaned.metadata
    assert "execution" not in cleaned.cells[0].metadata
    assert drop_widget_views(str(path)) == 0


def test_split_streams_are_joined_exactly(tmp_path):
    """A print stored in pieces (the kernel flushes on a timer) becomes one output, unchanged."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('a', 1); print('b')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a"),
                    nbformat.v4.new_output("stream", name="stdout", text=" 1\nb\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "2"}),
                    nbformat.v4.new_output("stream", name="stdout", text="c\n")]
    nb.cells = [cell]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)

    drop_widget_views(str(path))
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [(o["output_type"], o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "a 1\nb\n"), ("stream", "stderr", "warning\n"),
        ("execute_result", None, None), ("stream", "stdout", "c\n")]
