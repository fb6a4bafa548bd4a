"""Drop live-widget views (and execution timestamps) from stored notebook outputs.

A stored ``application/vnd.jupyter.widget-view+json`` output refers to a widget model that exists
only in the kernel that made it. Reopened later, JupyterLab shows "Error displaying widget: model not
found" in its place instead of falling back to the figure's HTML/still image. The live view comes back
as soon as the cell is run. nbval ignores widget views, so dropping them changes no test. The
per-cell execution timestamps that nbclient records are dropped too, so re-executing an unchanged
notebook leaves it unchanged in git.

Consecutive stream outputs of one cell (stdout or stderr) are joined into one, exactly, character
for character. The kernel flushes printed text on a timer, so on a busy machine one ``print`` can
be stored in two pieces; myst-nb joins such pieces with an extra line break, which would show as a
blank line in the book. nbval joins them too before comparing, so this changes no test.

Usage: ``python -m rnnbook.site.nbclean notebooks/*.ipynb``
"""

from __future__ import annotations

import sys

import nbformat

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def join_streams(outputs: list) -> tuple[list, int]:
    """Join consecutive stream outputs of the same name; return the outputs and how many joins."""
    joined, joins = [], 0
    for output in outputs:
        previous = joined[-1] if joined else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
            joins += 1
        else:
            joined.append(output)
    return joined, joins


def drop_widget_views(path: str) -> int:
    """Remove widget views from the outputs of the notebook at ``path``; return how many.

    Also drops execution timestamps and the notebook's widget state, and joins split streams.
    """
    nb = nbformat.read(path, as_version=4)
    removed = 0
    timestamps = 0
    joins = 0
    for cell in nb.cells:
        if cell.get("metadata", {}).pop("execution", None) is not None:
            timestamps += 1
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                del output["data"][WIDGET_VIEW]
                removed += 1
        if "outputs" in cell:
            cell["outputs"], cell_joins = join_streams(cell["outputs"])
            joins += cell_joins
    widget_state = nb.metadata.pop("widgets", None)
    if removed or timestamps or joins or widget_state is not None:
        nbformat.write(nb, path)
    return removed


def main(paths: list[str]) -> None:
    for path in paths:
        print(f"{path}: dropped {drop_widget_views(path)} stored widget view(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
