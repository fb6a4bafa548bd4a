"""The portability pass: every stored output is a property of the mathematics, not of one CPU.

A student's laptop computes with other numeric kernels than the machine that executed the
notebooks: another CPU generation (SSE instead of AVX-512), another BLAS path, another number of
threads. Results then differ in their last bits, and any printed number at rounding-noise level
(or a chaotic result printed with too many digits) changes with them. This test re-runs nbval,
strict, over every notebook once more, with the numeric kernels of this machine swapped for
others at once:

* numpy's OpenBLAS forced to an old core type (``OPENBLAS_CORETYPE``, SSE3 kernels);
* PyTorch's CPU kernels without AVX2 or AVX-512 (``ATEN_CPU_CAPABILITY=default``);
* MKL's compatible code path (``MKL_CBWR=COMPATIBLE``);
* one thread instead of several (``OMP_NUM_THREADS`` and friends).

Any cell whose output differs fails the test; the message names the cell and then, by re-running
that notebook under each setting alone, the setting(s) that change it. ``make test`` runs it after
the other tests (it starts two workers of its own).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import ROOT, selected_notebooks, toc_notebooks

pytestmark = pytest.mark.portability

#: The settings of the pass, each with what it changes. All are applied together; a failure is
#: then traced to single settings.
SETTINGS = {
    "OPENBLAS_CORETYPE=Prescott": {"OPENBLAS_CORETYPE": "Prescott"},
    "ATEN_CPU_CAPABILITY=default": {"ATEN_CPU_CAPABILITY": "default"},
    "MKL_CBWR=COMPATIBLE": {"MKL_CBWR": "COMPATIBLE"},
    "one thread": {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
}
ALL_SETTINGS = {key: value for group in SETTINGS.values() for key, value in group.items()}
X86 = platform.machine().lower() in ("x86_64", "amd64")

#: Run in a fresh interpreter: which kernels numpy's OpenBLAS and PyTorch actually use.
KERNEL_REPORT = r"""
import ctypes, glob, json, os
import numpy, torch
core = None
for path in glob.glob(os.path.join(os.path.dirname(numpy.__file__) + ".libs", "*openblas*.so*")):
    lib = ctypes.CDLL(path)
    for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
        if hasattr(lib, name):
            getter = getattr(lib, name)
            getter.restype = ctypes.c_char_p
            core = getter().decode()
print(json.dumps({"openblas_core": core, "torch_kernels": torch.backends.cpu.get_cpu_capability(),
                  "torch_threads": torch.get_num_threads()}))
"""


def environment(settings: dict) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ALL_SETTINGS and not key.startswith("PYTEST_")}
    env.update(settings)
    return env


def kernels(settings: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", KERNEL_REPORT], env=environment(settings),
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_nbval(paths, settings: dict, report, workers: int = 2) -> dict[str, list[str]]:
    """nbval, strict, over ``paths`` under ``settings``; return {notebook: [failing cells]}."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
               "--nbval", "--nbval-current-env",
               f"--nbval-sanitize-with={ROOT / 'tests' / 'nbval_sanitize.cfg'}",
               "--nbval-cell-timeout=120", f"--junitxml={report}", "-W", "ignore::DeprecationWarning"]
    if workers > 1 and len(paths) > 1:
        command += ["-n", str(workers), "--dist", "loadfile"]
    command += [str(p) for p in paths]
    result = subprocess.run(command, cwd=ROOT, env=environment(settings), capture_output=True,
                            text=True, timeout=900)
    failures: dict[str, list[str]] = {}
    tree = ElementTree.parse(report)
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            notebook = case.get("classname", "").replace(".", "/") or case.get("file", "?")
            failures.setdefault(notebook, []).append(case.get("name", "?"))
    if result.returncode not in (0, 1) or (result.returncode == 1 and not failures):
        pytest.fail(f"nbval did not run (exit code {result.returncode}):\n{result.stdout[-3000:]}"
                    f"\n{result.stderr[-2000:]}")
    return failures


def notebook_path(name: str):
    for path in toc_notebooks():
        if path.stem in name:
            return path
    raise AssertionError(f"cannot map the test id {name!r} to a notebook")


def test_the_settings_change_the_kernels():
    """Without this the pass could silently test nothing: each setting must take effect."""
    native, swapped = kernels({}), kernels(ALL_SETTINGS)
    print(f"\nnative kernels: {native}\nportability pass: {swapped}")
    assert swapped["torch_kernels"] == "DEFAULT", swapped
    assert swapped["torch_threads"] == 1, swapped
    if X86 and native["openblas_core"] is not None:
        assert swapped["openblas_core"] != native["openblas_core"], (native, swapped)


def test_every_notebook_reproduces_under_other_numeric_kernels(tmp_path):
    failures = run_nbval(selected_notebooks(), ALL_SETTINGS, tmp_path / "all.xml")
    if not failures:
        return
    lines = []
    for notebook, cells in failures.items():
        path = notebook_path(notebook)
        culprits = {}
        for label, settings in SETTINGS.items():
            alone = run_nbval([path], settings, tmp_path / f"{path.stem}-{len(culprits)}.xml", workers=1)
            culprits[label] = set(next(iter(alone.values()), []))
        for cell in cells:
            named = [label for label, failing in culprits.items() if cell in failing]
            why = ", ".join(named) if named else "only the settings together"
            lines.append(f"{path.name} {cell}: the stored output differs under the portability "
                         f"settings; alone, it is changed by: {why}")
    pytest.fail("Outputs that depend on the machine (print a property of the mathematics, not "
                "rounding noise):\n" + "\n".join(lines))
