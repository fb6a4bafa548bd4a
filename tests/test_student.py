"""The student edition's stripping of solutions and answers from notebooks and MyST markdown.
The built student edition itself is checked in tests/test_book.py."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from conftest import toc_notebooks
from rnnbook.site.student import main, strip_markdown, strip_notebook

EXERCISE = """## Exercises

````{exercise} Count
:label: ex-count

How many parameters?
````

````{solution} ex-count
:class: dropdown

There are 1573.

```python
sum(p.numel() for p in model.parameters())  # 1573
```
````

:::{solution} ex-other
Colon-fenced secret.
:::

After the solutions."""

ANSWERS = """## Check your understanding

1. Why?

   ```{admonition} Answer
   :class: dropdown

   Because of the secret reason.
   ```

2. How?

:::{admonition} Answers
:class: dropdown

1. A secret answer.
:::

:::{admonition} A note the students keep
Not an answer.
:::"""


def test_solutions_of_every_fence_kind_are_removed_and_exercises_kept():
    text, removed = strip_markdown(EXERCISE)
    assert removed == 2
    assert "1573" not in text and "secret" not in text and "{solution" not in text
    assert "How many parameters?" in text and "{exercise} Count" in text
    assert text.endswith("After the solutions.")


def test_answer_admonitions_are_removed_and_other_admonitions_kept():
    text, removed = strip_markdown(ANSWERS)
    assert removed == 2
    assert "secret" not in text and "Answer" not in text
    assert "1. Why?" in text and "2. How?" in text and "Not an answer." in text


def test_gated_solutions_lose_every_cell_between_start_and_end():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("```{exercise-start}\n:label: ex-g\n```\nWrite f."),
        nbformat.v4.new_markdown_cell("```{exercise-end}\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} ex-g\n:class: dropdown\n```\nSecret prose."),
        nbformat.v4.new_code_cell("def f():\n    return 'secret code'"),
        nbformat.v4.new_markdown_cell("More secret prose.\n```{solution-end}\n```\nKept after the end."),
        nbformat.v4.new_code_cell("print('the chapter goes on')"),
    ]
    assert strip_notebook(nb) == 1
    sources = [c.source for c in nb.cells]
    assert not any("secret" in s.lower() for s in sources), sources
    assert sources[-2:] == ["Kept after the end.", "print('the chapter goes on')"]
    assert "Write f." in sources[0]


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_every_chapter_loses_its_solutions_and_keeps_its_exercises(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    solutions = markdown.count("{solution}") + markdown.count("{solution-start}")
    # code cells of a gated solution ({solution-start} ... {solution-end}) go with it
    gated, in_solution = 0, False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "{solution-start}" in cell.source:
                in_solution = True
            if "{solution-end}" in cell.source:
                in_solution = False
        elif in_solution:
            gated += 1
    code_cells = sum(c.cell_type == "code" for c in nb.cells)
    removed = strip_notebook(nb)
    stripped = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert solutions > 0 and removed >= solutions
    assert "{solution" not in stripped
    assert "{admonition} Answer" not in stripped
    assert stripped.count("{exercise}") == markdown.count("{exercise}")
    assert sum(c.cell_type == "code" for c in nb.cells) == code_cells - gated
    nbformat.validate(nb)


def test_cli_writes_student_copies_and_never_overwrites_the_originals(tmp_path, capsys):
    chapter = toc_notebooks()[0]
    shutil.copy(chapter, tmp_path / chapter.name)
    assert main(["--out", str(tmp_path / "student"), str(tmp_path / chapter.name)]) == 0
    copy = (tmp_path / "student" / chapter.name).read_text()
    assert "{solution}" not in copy and "{solution}" in (tmp_path / chapter.name).read_text()
    assert "solution(s) and answer block(s) removed" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), str(tmp_path / chapter.name)])
