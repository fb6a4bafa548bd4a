"""rnnbook.site.nbclean drops stored widget views and nothing else."""

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
