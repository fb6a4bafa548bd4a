"""A ``tqdm.auto`` progress bar whose stored output is the same on every run.

In a notebook, ``tqdm.auto`` draws a widget and also stores, as the cell's text output, the bar's
text *when it was first displayed*: "0%| | 0/300". That is what the HTML book (which shows no
widgets) and a notebook opened later would show. :func:`progress` displays the live widget
without that text and, when the loop ends, prints the bar's final line instead::

    for step in progress(300, "training"):
        ...
    # training: 100%|██████████| 300/300 [00:02<00:00, 141.2it/s]

The elapsed time and rate in brackets differ between runs; nbval masks them
(``tests/nbval_sanitize.cfg``), so the stored line is compared by its words and counts. Outside a
notebook the bar is ``tqdm``'s text bar on stderr, and the final line is printed the same way.
"""

from __future__ import annotations

from typing import Iterator


def progress(steps: int, desc: str) -> Iterator[int]:
    """Yield ``0, 1, ..., steps - 1`` with a live progress bar; print its final line at the end."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}.")
    from tqdm.auto import tqdm
    from tqdm.notebook import tqdm_notebook

    if issubclass(tqdm, tqdm_notebook):  # a Jupyter kernel with ipywidgets
        bar = tqdm(total=steps, desc=desc, display=False)
        _display_widget_only(bar.container)
    else:
        bar = tqdm(total=steps, desc=desc, leave=False)
    try:
        for step in range(steps):
            yield step
            bar.update(1)
    finally:
        bar.close()
    if bar.n == steps:
        print(_final_line(bar))


def _final_line(bar) -> str:
    from tqdm.std import tqdm as text_tqdm

    meter = dict(bar.format_dict)
    meter["ncols"] = None  # a plain bar of ten characters, as tqdm prints by default
    return text_tqdm.format_meter(**meter)


def _display_widget_only(widget) -> None:
    """Display a widget's live view with no text fallback (which would freeze at 0%)."""
    from IPython.display import display

    bundle = widget._repr_mimebundle_()
    view = "application/vnd.jupyter.widget-view+json"
    if bundle and view in bundle:
        display({view: bundle[view]}, raw=True)
