"""The assignments' round trip through nbgrader's Python API, in a temporary course folder.

generate_assignment makes the release (student) versions; autograde grades submissions, hidden
tests included; generate_feedback writes the HTML a student gets back. Checked here:

* the release holds no solution text and no hidden test;
* the reference submission (the release with the source's solutions filled in) gets full marks
  on every autograded cell, hidden tests included, so the source passes its own tests;
* the release itself, submitted unchanged, gets zero;
* one wrong submission per kind of bad input (wrong shape, wrong dtype, None, NaN, an exception,
  a tuple of the wrong length, transposed weights, off by one in time, gates in the wrong order,
  the GRU's z and 1 - z swapped, its direct path back in time left out, inf in a measured ratio)
  gets partial marks: exactly the test cells that depend on the broken function fail, and the
  feedback shows the checker's sentence in one line, without a traceback;
* no test cell writes to stderr (nbgrader would score it zero), right or wrong.

``nbgrader validate`` exits 0 even when tests fail, so nothing here relies on exit codes: the
scores come from the gradebook.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys

import pytest

from conftest import ROOT

pytestmark = [
    pytest.mark.slow,
    # nbgrader 0.9.6's gradebook, under SQLAlchemy 2, warns while it adds a submission; harmless.
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]

try:
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader
except ImportError:  # pragma: no cover - make test installs requirements-teacher.txt
    if os.environ.get("CI"):
        raise
    pytest.skip("nbgrader is not installed: pip install -r requirements-teacher.txt",
                allow_module_level=True)

ASSIGNMENTS = ROOT / "assignments"
NAMES = sorted(p.name for p in (ASSIGNMENTS / "source").iterdir() if p.is_dir())
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

# kind of bad input -> (assignment, solution cell, text replaced, its replacement,
#                       words of the checker's sentence, the test cells that must fail)
WRONG = {
    "wrong shape": (
        "01_rnn_bptt", "rnn_step", "return np.tanh(z)", "return np.tanh(z).T",
        "rnn_step returned h_t of shape", {"test_rnn_step", "test_rnn_forward",
                                          "test_gradient_check"}),
    "wrong dtype": (
        "01_rnn_bptt", "rnn_forward", "return np.stack(steps), h",
        "return np.stack(steps).astype(np.float32), h",
        "rnn_forward returned out with dtype float32", {"test_rnn_forward",
                                                       "test_gradient_check"}),
    "None": (
        "01_rnn_bptt", "rnn_backward", "    return grads", "",
        "rnn_backward returned None at the first test case", {"test_rnn_backward",
                                                             "test_gradient_check"}),
    "NaN": (
        "01_rnn_bptt", "rnn_forward", "return np.stack(steps), h",
        "return np.stack(steps[:-1] + [np.full_like(h, np.nan)]), h",
        "rnn_forward returned NaN in out at the first test case", {"test_rnn_forward",
                                                                  "test_gradient_check"}),
    "raises": (
        "01_rnn_bptt", "rnn_backward", 'grads["weight_ih_l0"] += delta.T @ x[t - 1]',
        'grads["weight_ih_l0"] += delta @ x[t - 1]',
        "rnn_backward raised ValueError: matmul", {"test_rnn_backward", "test_gradient_check"}),
    "tuple of wrong length": (
        "01_rnn_bptt", "rnn_forward", "return np.stack(steps), h",
        "return np.stack(steps), h, steps",
        "rnn_forward returned a tuple of 3 items", {"test_rnn_forward", "test_gradient_check"}),
    "transposed weights": (
        "01_rnn_bptt", "rnn_step", 'params["weight_ih_l0"].T', 'params["weight_ih_l0"]',
        "rnn_step works only when weight_ih_l0 is stored transposed, as (I, H)",
        {"test_rnn_step", "test_rnn_forward", "test_gradient_check"}),
    "off by one in time": (
        "01_rnn_bptt", "rnn_backward", "delta.T @ states[t - 1]", "delta.T @ states[t]",
        "rnn_backward is off by one step in time in the gradient of weight_hh_l0",
        {"test_rnn_backward", "test_gradient_check"}),
    "gates in the wrong order": (
        "02_lstm", "lstm_cell", "z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)",
        "z_i, z_f, z_o, z_g = np.split(z, 4, axis=1)",
        "lstm_cell reads the gate blocks in the order i, f, o, g; PyTorch stacks them i, f, g, o",
        {"test_lstm_cell", "test_lstm_forward", "test_gradient_check"}),
    "z and 1 - z swapped": (
        "04_gru", "gru_cell", "return (1.0 - z) * n + z * h_prev",
        "return z * n + (1.0 - z) * h_prev",
        "gru_cell swaps the roles of z and 1 - z: PyTorch's GRU keeps the old state with weight z",
        {"test_gru_cell", "test_gru_forward"}),
    "GRU step transposed": (
        "04_gru", "gru_cell", "return (1.0 - z) * n + z * h_prev",
        "return ((1.0 - z) * n + z * h_prev).T",
        "gru_cell returned h_t of shape (5, 6) at the first test case",
        {"test_gru_cell", "test_gru_forward"}),
    "inf in a measured ratio": (
        "04_gru", "reach", "]) / np.linalg.norm(v_d)", "]) / np.linalg.norm(d_out_d[0])",
        "reach holds NaN or inf for the biases [0.0, 1.0, 2.0, 3.0]", {"test_reach"}),
    "no direct path back in time": (
        "04_gru", "gru_backward", "dh = delta_h * z + d_gh @ W_hh", "dh = d_gh @ W_hh",
        "gru_backward misses the direct path to h_{t-1}: dh_{t-1} gets dh_t * z_t",
        {"test_gru_backward", "test_reach"}),
}
SCORES = {}  # (assignment, student) -> (autograded score, autograded maximum), for the report


def read(path):
    return json.loads(path.read_text())


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def grade_id(cell):
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def source_text(cell):
    return "".join(cell["source"])


def without_markers(text):
    return "\n".join(line for line in text.split("\n")
                     if not any(marker in line for marker in MARKERS))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with the source, nbgrader's API on it, and the release generated."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ASSIGNMENTS / "source", root / "source")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ASSIGNMENTS)).load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.Exchange.root = str(root / "exchange")
    old_path = os.environ["PATH"]
    # nbgrader runs the `alembic` command: the venv's bin/ must be on PATH.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + old_path
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    for name in NAMES:
        result = api.generate_assignment(name)
        assert result["success"], result.get("error", "") + result.get("log", "")
    yield root, api
    os.environ["PATH"] = old_path


def submit(root, name, student, nb):
    write(nb, root / "submitted" / student / name / f"{name}.ipynb")


def reference_submission(root, name):
    """The release with every solution cell replaced by the source's, markers removed."""
    source = {grade_id(c): c for c in read(root / "source" / name / f"{name}.ipynb")["cells"]}
    release = read(root / "release" / name / f"{name}.ipynb")
    for cell in release["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = without_markers(source_text(source[meta["grade_id"]]))
    return release


def autograde(root, api, name, student):
    """Autograde one submission; return {test cell: (score, points)} for the autograded cells."""
    result = api.autograde(name, student)
    assert result["success"], result.get("error", "") + result.get("log", "")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(name, name, student)
        scores = {grade.name: (grade.auto_score, grade.max_score) for grade in notebook.grades
                  if grade.cell.cell_type == "code"}
    SCORES[(name, student)] = (sum(s for s, _ in scores.values()),
                               sum(m for _, m in scores.values()))
    return scores


def feedback_text(root, api, name, student):
    result = api.generate_feedback(name, student)
    assert result["success"], result.get("error", "") + result.get("log", "")
    page = (root / "feedback" / student / name / f"{name}.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    return page, re.sub(r"\s+", " ", text)


def assert_no_stderr(root, name, student):
    """No cell of the autograded notebook wrote to stderr (a test cell that does scores zero)."""
    graded = read(root / "autograded" / student / name / f"{name}.ipynb")
    written = [(grade_id(cell), "".join(out["text"])) for cell in graded["cells"]
               for out in cell.get("outputs", [])
               if out["output_type"] == "stream" and out["name"] == "stderr"]
    assert not written, f"{name}, {student}: written to stderr: {written}"


@pytest.mark.parametrize("name", NAMES)
def test_release_holds_no_solution_and_no_hidden_test(course, name):
    root, _ = course
    source = read(root / "source" / name / f"{name}.ipynb")
    release_text = (root / "release" / name / f"{name}.ipynb").read_text()
    release = json.loads(release_text)
    release_sources = "\n".join(source_text(c) for c in release["cells"])
    for marker in MARKERS:
        assert marker not in release_sources, f"{name}: '{marker}' left in the release"
    secret, public = [], set()
    for cell in source["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "markdown" and meta.get("solution"):
            secret += source_text(cell).splitlines()  # a model answer, graded by hand
            continue
        inside = False
        for line in source_text(cell).splitlines():
            if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                inside = False
            else:
                (secret.append if inside else public.add)(line.strip())
    # A line that the student version shows anyway (an import, a loop header) is no secret.
    secret = [line.strip() for line in secret
              if len(line.strip()) >= 12 and line.strip() not in public]
    assert secret, f"{name}: no solution text found in the source"
    release_lines = {line.strip() for line in release_sources.splitlines()}
    leaked = [line for line in secret if line in release_lines]
    assert not leaked, f"{name}: the release contains solution or hidden-test text: {leaked}"
    assert all(not c.get("outputs") for c in release["cells"] if c["cell_type"] == "code")


def test_every_assignment_says_its_time_and_what_it_assesses(course):
    root, _ = course
    for name in NAMES:
        first = source_text(read(root / "release" / name / f"{name}.ipynb")["cells"][0])
        assert first.startswith("# Assignment"), name
        assert "**Time to complete:**" in first and "**What it assesses:**" in first, name
        assert re.search(r"chapter \d", first), f"{name} names no chapter to read"


@pytest.mark.parametrize("name", NAMES)
def test_reference_submission_gets_full_marks_and_the_release_gets_none(course, name):
    root, api = course
    submit(root, name, "reference", reference_submission(root, name))
    scores = autograde(root, api, name, "reference")
    assert scores and all(score == points for score, points in scores.values()), scores
    assert_no_stderr(root, name, "reference")
    submit(root, name, "release", read(root / "release" / name / f"{name}.ipynb"))
    scores = autograde(root, api, name, "release")
    assert all(score == 0 for score, _ in scores.values()), scores


@pytest.mark.parametrize("kind", list(WRONG))
def test_wrong_submission_gets_partial_marks_and_the_checkers_sentence(course, kind):
    root, api = course
    name, cell_id, old, new, words, failing = WRONG[kind]
    student = "wrong-" + re.sub(r"\W+", "-", kind)
    nb = reference_submission(root, name)
    cells = [c for c in nb["cells"] if grade_id(c) == cell_id]
    assert len(cells) == 1 and old in source_text(cells[0]), (cell_id, old)
    cells[0]["source"] = source_text(cells[0]).replace(old, new)
    submit(root, name, student, nb)
    scores = autograde(root, api, name, student)
    failed = {cell for cell, (score, _) in scores.items() if score == 0}
    assert failed == failing, scores
    total, maximum = SCORES[(name, student)]
    assert 0 < total < maximum
    # Every failed test cell shows one line, the checker's sentence: no traceback.
    graded = read(root / "autograded" / student / name / f"{name}.ipynb")
    for cell in graded["cells"]:
        if grade_id(cell) in failing:
            errors = [out for out in cell["outputs"] if out["output_type"] == "error"]
            assert len(errors) == 1 and errors[0]["ename"] == "CheckFailed", cell["outputs"]
            assert len(errors[0]["traceback"]) == 1, errors[0]["traceback"]
    _, text = feedback_text(root, api, name, student)
    assert f"CheckFailed: {words}" in text, text[-3000:]
    assert "rnnbook/check.py" not in text
    assert_no_stderr(root, name, student)


def test_report_the_scores(course):
    """Prints the autograded scores (run with -s to see them)."""
    for (name, student), (total, maximum) in sorted(SCORES.items()):
        print(f"{name:26s} {student:32s} {total:4.0f} / {maximum:.0f}")
    assert SCORES
