"""The deploy workflow (.github/workflows/book.yml). GitHub Actions cannot run here; this checks
that the file is valid YAML with the structure GitHub Pages needs, and that it builds the book with
the same make targets as a laptop and publishes what they build."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def load():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps(workflow, job):
    return workflow["jobs"][job]["steps"]


def runs(workflow, job) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow, job))


def uses(workflow, job) -> list[str]:
    return [step["uses"] for step in steps(workflow, job) if "uses" in step]


def test_workflow_is_valid_yaml_with_a_build_and_a_deploy_job():
    workflow = load()
    assert set(workflow["jobs"]) == {"build", "deploy"}
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]


def test_build_runs_make_book_and_uploads_build_html():
    workflow = load()
    script = runs(workflow, "build")
    assert re.search(r"^\s*make book$", script, re.M), "the workflow must build with `make book`"
    assert "make book-student" in script
    assert 'echo "SITE=_build/html"' in script
    assert 'echo "SITE=_build/student/_build/html"' in script
    makefile = (ROOT / "Makefile").read_text()
    assert "STUDENT_HTML := _build/student/_build/html" in makefile
    upload = next(s for s in steps(workflow, "build") if s.get("uses", "").startswith(
        "actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "${{ env.SITE }}"
    assert "actions/deploy-pages@v4" in uses(workflow, "deploy")
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_build_fills_in_the_repository_from_githubs_context():
    env = load()["jobs"]["build"]["env"]
    assert env["RNNBOOK_REPOSITORY"] == "${{ github.repository }}"
    assert env["RNNBOOK_BRANCH"] == "${{ github.ref_name }}"
    assert env["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    assert "rnnbook.site.setupcell --check" in runs(load(), "build")


def test_python_is_the_version_the_book_is_tested_with():
    setup = next(s for s in steps(load(), "build") if s.get("uses", "").startswith(
        "actions/setup-python@"))
    assert setup["with"]["python-version"] == "3.11"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
