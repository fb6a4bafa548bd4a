"""Drop live-widget views (and execution timestamps) from stored notebook outputs.

A stored ``application/vnd.jupyter.widget-view+json`` output refers to a widget model that exists
only in the kernel that made it. Reopened later, JupyterLab shows "Error displaying widget: model not
found" in its place instead of falling back to the figure's HTML/still image. The live view comes back
as soon as the cell is run. nbval ignores widget views, so dropping them changes no test. The
per-cell execution timestamps that nbclient records are dropped too, so re-executing an unchanged
notebook leaves it unchanged in git.

Usage: ``python -m rnnbook.site.nbclean notebooks/*.ipynb``
"""

from __future__ import annotations

import sys

import nbformat

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_widget_views(path: str) -> int:
    """Remove widget views from the outputs of the notebook at ``path``; return how many."""
    nb = nbformat.read(path, as_version=4)
    removed = 0
    timestamps = 0
    for cell in nb.cells:
        if cell.get("metadata", {}).pop("execution", None) is not None:
            timestamps += 1
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                del output["data"][WIDGET_VIEW]
                removed += 1
    widget_state = nb.metadata.pop("widgets", None)
    if removed or timestamps or widget_state is not None:
        nbformat.write(nb, path)
    return removed


def main(paths: list[str]) -> None:
    for path in paths:
        print(f"{path}: dropped {drop_widget_views(path)} stored widget view(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
