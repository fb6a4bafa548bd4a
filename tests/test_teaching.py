"""book/teaching.md agrees with what it describes: every public checker of rnnbook.check is in
its table with its signature, the course plan gives each chapter the reading time its
Prerequisites line states, each assignment is described with the times its first cell states,
and the page's example code runs as printed (the chapter-7 exercise with a right and with wrong
solutions, the pytest example on assignment 1's solutions)."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import NOTEBOOKS, ROOT
from rnnbook import check
from rnnbook.check import CheckFailed

PAGE = ROOT / "book" / "teaching.md"
ASSIGNMENTS = ROOT / "assignments" / "source"
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of the ``## title`` section of the page, up to the next ``## ``."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", page(), re.S | re.M)
    assert match, f"book/teaching.md has no section '## {title}'"
    return match.group(1)


def code_block(first_line: str) -> str:
    """The python block of the page whose code starts with ``first_line``."""
    blocks = re.findall(r"^```python\n(.*?)^```", page(), re.S | re.M)
    found = [block for block in blocks if block.startswith(first_line)]
    assert len(found) == 1, f"expected one python block starting {first_line!r}"
    return found[0]


def public_functions() -> list:
    return [obj for name, obj in vars(check).items()
            if not name.startswith("_") and inspect.isfunction(obj)
            and obj.__module__ == check.__name__]


def signature_text(fn) -> str:
    """``check_bptt(backward, cell="rnn", *, inputs=None, ...)``: names and defaults, no types."""
    parts, star = [], False
    for param in inspect.signature(fn).parameters.values():
        if param.kind is param.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if param.default is param.empty:
            parts.append(param.name)
        else:
            parts.append(f"{param.name}={param.default!r}".replace("'", '"'))
    return f"{fn.__name__}({', '.join(parts)})"


def test_every_public_checker_is_in_the_table_with_its_signature():
    table = section("The checkers")
    functions = public_functions()
    assert len(functions) >= 10
    for fn in functions:
        assert f"| `{signature_text(fn)}` |" in table, f"{signature_text(fn)} is not in the table"
    listed = re.findall(r"^\| `(\w+)\(", table, re.M)
    assert sorted(listed) == sorted(fn.__name__ for fn in functions), "a row names no checker"


def chapter_time(path) -> str:
    """``about 45 minutes``, from the chapter's ``**Prerequisites** (about 45 minutes of ...)``."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    match = re.search(r"\*\*Prerequisites\*\* \((about [^)]*?) of reading", text)
    assert match, f"{path.name} states no reading time in its Prerequisites line"
    return match.group(1)


def plan_rows() -> dict[str, list[str]]:
    """The course plan's rows (week, chapter, reading time, assignment, its time), by the
    notebook their second column links to."""
    rows = {}
    for line in section("A course plan").splitlines():
        link = re.search(r"\]\(\.\./notebooks/(\w+)\.ipynb\)", line)
        if line.startswith("|") and link:
            rows[link.group(1)] = [cell.strip() for cell in line.strip("|").split("|")]
    return rows


def test_course_plan_gives_each_chapter_the_time_it_states():
    rows = plan_rows()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        assert path.stem in rows, f"{path.stem} is not in the course plan"
        assert rows[path.stem][2] == chapter_time(path), (path.stem, rows[path.stem])


def assignment_times(name) -> tuple[str, str]:
    """(time to complete, reading time) as the assignment's first cell states them."""
    nb = json.loads((ASSIGNMENTS / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    match = re.search(r"\*\*Time to complete:\*\* (about [^,]+), after reading [^(]*\((about "
                      r"[^)]+)\)", first)
    assert match, f"{name}: no time to complete and reading time in its first cell"
    return match.group(1), match.group(2)


@pytest.mark.parametrize("name", sorted(p.name for p in ASSIGNMENTS.iterdir() if p.is_dir()))
def test_each_assignment_is_described_with_the_times_it_states(name):
    done, reading = assignment_times(name)
    paragraph = re.search(rf"^\*\*`{name}`: (.*?)\n\n", section("The assignments"), re.S | re.M)
    assert paragraph, f"{name} is not described under 'The assignments'"
    text = " ".join(paragraph.group(1).split()).lower()
    assert f"{done}, after {reading} of reading" in text, (done, reading, text[:200])
    plan = [row for row in plan_rows().values() if f"`{name}`" in row[3]]
    assert len(plan) == 1 and plan[0][3:] == [f"`{name}`", done], plan


def test_vanishing_gradients_assignment_links_chapter_4s_carousel_section():
    nb = json.loads((NOTEBOOKS / "04_lstm.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "(sec-lstm-carousel)=\n## The constant error carousel\n" in text
    paragraph = re.search(r"^\*\*`03_vanishing_gradients`: (.*?)\n\n", section("The assignments"),
                          re.S | re.M)
    assert paragraph and "{ref}`sec-lstm-carousel`" in paragraph.group(1)


# ---------------------------------------------------------------------------------------------
# The chapter-7 exercise, run as the page prints it
# ---------------------------------------------------------------------------------------------
WRONG_MASKED_LOSS = {
    "unmasked": "return ((predictions - targets) ** 2).mean()",
    "divides by every entry": "return ((predictions - targets) ** 2 * mask).mean()",
    "mean of the sequences' means": "return (((predictions - targets) ** 2 * mask).sum(0) "
                                    "/ lengths).mean()",
    "no gradient": "return torch.tensor(float(((predictions - targets) ** 2 * mask).sum() "
                   "/ mask.sum()), dtype=torch.float64)",
    "mask from the padding": "mask = targets != 0\n    return ((predictions - targets) ** 2)"
                             "[mask].mean()",
}


def run_masked_loss_test(solution: str) -> str:
    """Run the page's test cell on ``solution``; return what failed, or "" if it passed."""
    namespace = {}
    exec(solution, namespace)  # noqa: S102 - the page's own code
    try:
        exec(code_block("# Test cell: masked_mse"), namespace)  # noqa: S102
    except CheckFailed as failed:
        return str(failed)
    return ""


# The "no gradient" solution calls float() on a tensor that requires grad, as students do.
@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True:UserWarning")
def test_masked_loss_exercise_passes_its_own_solution_and_names_wrong_ones(capsys):
    solution = code_block("import torch\n\n\ndef masked_mse")
    assert run_masked_loss_test(solution) == ""
    body = solution.rindex("    mask = ")
    messages = {}
    for kind, line in WRONG_MASKED_LOSS.items():
        wrong = solution[:body] + "    mask = torch.arange(predictions.shape[0])[:, None] < " \
            "lengths[None, :]\n    " + line + "\n"
        messages[kind] = run_masked_loss_test(wrong)
        assert messages[kind], f"the test cell passes a masked_mse that is wrong: {kind}"
    assert messages["no gradient"].startswith("masked_mse must return a tensor that carries")
    assert messages["mask from the padding"].startswith("masked_mse changes when only the "
                                                        "targets of padded steps change")
    # The sentence the page quotes is the one the unmasked mean gets.
    text = " ".join(section("The assignments").split())
    assert f"An unmasked mean gets `{messages['unmasked']}`" in text, messages["unmasked"]
    for kind in ("divides by every entry", "mean of the sequences' means"):
        assert messages[kind].startswith("masked_mse(predictions, targets, lengths) is "), kind


def test_pytest_example_grades_assignment_1s_solutions(tmp_path):
    nb = json.loads((ASSIGNMENTS / "01_rnn_bptt" / "01_rnn_bptt.ipynb").read_text())
    cells = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]}
    functions = [cells[key] for key in ("rnn_step", "rnn_forward", "rnn_backward")]
    code = "\n\n\n".join("\n".join(line for line in text.splitlines()
                                   if not any(marker in line for marker in MARKERS))
                         for text in functions)
    (tmp_path / "submission.py").write_text("import numpy as np\n\n\n" + code + "\n")
    (tmp_path / "test_submission.py").write_text(code_block("# test_submission.py"))
    # The example needs no pytest plugin; loading the installed ones (nbval, ...) takes seconds.
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "test_submission.py"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0 and "3 passed" in result.stdout, result.stdout + result.stderr
