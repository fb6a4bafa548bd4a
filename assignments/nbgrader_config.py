"""nbgrader's settings for the book's assignments.

`make assignments` copies `source/` and this file into a course folder under `_build/assignments/`
and runs `nbgrader generate_assignment` there; `tests/test_assignments.py` loads this file for
its round trip through nbgrader's Python API. A course on JupyterHub copies `source/` into its own
course folder and keeps these settings (see book/teaching.md).
"""

c = get_config()  # noqa: F821 (nbgrader provides get_config when it reads this file)

c.CourseDirectory.course_id = "rnnbook"

# nbgrader's default is 30 s per cell. The slowest cell of the three assignments is assignment 3's
# setup cell, which imports PyTorch: about 2 s of CPU, 7.4 s on a two-core machine shared with
# much else; every test cell takes less than that. 120 s leaves room for a slow laptop or a busy
# JupyterHub, where a timed-out cell would score zero.
c.Execute.timeout = 120

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
