"""The table of contents, the notebooks folder and the notebooks themselves agree."""

import json

import pytest

from conftest import NOTEBOOKS, ROOT, toc_files, toc_notebooks


def test_every_toc_entry_exists():
    missing = [f for f in toc_files() if not any((ROOT / f"{f}{ext}").exists() for ext in (".md", ".ipynb"))]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {p.resolve() for p in toc_notebooks()}
    on_disk = {p.resolve() for p in NOTEBOOKS.glob("*.ipynb")}
    assert on_disk - listed == set(), f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"
    assert listed - on_disk == set(), f"_toc.yml lists notebooks that are not there: {sorted(listed - on_disk)}"


def test_there_is_at_least_one_chapter():
    assert toc_notebooks()


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_notebook_opens_with_a_title_and_stores_its_outputs(path):
    nb = json.loads(path.read_text())
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# "), \
        f"{path.name} must open with a '# Title' markdown cell"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    unexecuted = [i for i, c in enumerate(code) if c["source"] and c["execution_count"] is None]
    assert not unexecuted, f"{path.name}: code cells {unexecuted} were never executed (run `make execute`)"
    counts = [c["execution_count"] for c in code if c["source"]]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name} was not executed top to bottom in one go"


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_errors_only_where_tagged(path):
    """A cell may fail only if it says so with the `raises-exception` tag."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        tagged = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        assert bool(errors) == tagged, f"{path.name} cell {i}: error output {bool(errors)}, tag {tagged}"


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_no_stored_widget_state(path):
    """Stored widget state makes the HTML book load widget scripts from a CDN, and a stored widget
    view shows "model not found" in JupyterLab instead of the figure's still image."""
    nb = json.loads(path.read_text())
    assert "widgets" not in nb.get("metadata", {}), f"{path.name} stores widget state; run `make execute`"
    views = [i for i, cell in enumerate(nb["cells"]) for out in cell.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in out.get("data", {})]
    assert not views, f"{path.name} cells {views} store widget views; run `make execute`"
