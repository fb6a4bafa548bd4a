"""Every chapter runs top to bottom within its time budget on this machine.

Run alone (`make test` runs it after the other tests) so the measurement is not shared with them.
A notebook may raise its budget to at most 60 s with `"rnnbook": {"time_budget_s": 60}` in its
metadata (for lab notebooks that say so); the default is 20 s, the target 10 s.

The time measured is what a reader waits for after "Restart kernel and run all": from starting the
kernel to the last cell's result. Shutting the kernel down afterwards is reported beside it but not
counted: a kernel that has imported PyTorch (and, through torch.optim, torch._dynamo) took 1-3 s
to shut down on the book's two-core machine, which no reader waits for.
"""

import time

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import NOTEBOOKS, selected_notebooks

HARD_LIMIT_S = 20.0
TARGET_S = 10.0
LAB_LIMIT_S = 60.0
MEASURED: dict[str, float] = {}
SHUTDOWN: dict[str, float] = {}  # seconds the kernel took to shut down after the last cell
LABS: set[str] = set()  # notebooks with a lab budget of their own


@pytest.mark.timing
@pytest.mark.parametrize("path", selected_notebooks(), ids=lambda p: p.name)
def test_notebook_runs_within_budget(path):
    nb = nbformat.read(path, as_version=4)
    budget = float(nb.metadata.get("rnnbook", {}).get("time_budget_s", HARD_LIMIT_S))
    assert budget <= LAB_LIMIT_S, f"{path.name} asks for {budget} s; the most any notebook may take is {LAB_LIMIT_S} s"
    last_result = []  # when each code cell's result arrived

    def cell_done(**_):
        last_result.append(time.perf_counter())

    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}},
                            on_cell_executed=cell_done)
    start = time.perf_counter()
    client.execute()
    end = time.perf_counter()
    seconds = (last_result[-1] if last_result else end) - start  # no code cell: all of it
    MEASURED[path.name] = seconds
    SHUTDOWN[path.name] = end - start - seconds
    if budget > HARD_LIMIT_S:
        LABS.add(path.name)
    assert seconds <= budget, f"{path.name} took {seconds:.1f} s; its budget is {budget:.0f} s"
