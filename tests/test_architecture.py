"""Architecture: the import-linter contracts in ``pyproject.toml`` (``[tool.importlinter]``) hold.

- ``lib`` never imports Streamlit (pages and app.py are the only Streamlit code);
- the layers of ``lib``: web > exports > views | workspace > render | imports > methods > core (a layer may
  import the layers below it, never those above; render and imports never import each other);
- ``lib.pipeline`` (which builds the dataset) never imports views, render, exports or web.

Each contract is also shown not to be vacuous: a copy of ``lib`` with one module breaking it is rejected.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
STREAMLIT_CONTRACT = "lib never imports streamlit"
LAYERS_CONTRACT = "lib layers: web > exports > views|workspace > render|imports > methods > core"
PIPELINE_CONTRACT = "lib.pipeline builds the dataset: it never imports views, render, exports or web"


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.skip(f"lint-imports not installed next to {sys.executable} (pip install -r requirements-dev.txt)")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _verdict(stdout: str, contract: str) -> str:
    """KEPT or BROKEN: the word ending the contract's line in the summary."""
    lines = [
        line for line in stdout.splitlines() if line.startswith(contract) and line.split()[-1] in ("KEPT", "BROKEN")
    ]
    assert lines, f"contract {contract!r} not in the output:\n{stdout}"
    return lines[0].split()[-1]


@pytest.fixture(scope="module")
def repo_lint() -> subprocess.CompletedProcess:
    return _lint(REPO)


def _copy_with(tmp_path: Path, module: str, source: str) -> Path:
    """A copy of lib (and the contracts) with one more module, ``module`` (a path under lib/)."""
    shutil.copytree(REPO / "lib", tmp_path / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "lib" / module).write_text(source, encoding="utf-8")
    return tmp_path


def test_lib_never_imports_streamlit(repo_lint) -> None:
    res = repo_lint
    assert res.returncode == 0, f"lint-imports failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}"
    assert "lib never imports streamlit" in res.stdout and "KEPT" in res.stdout, res.stdout
    assert "0 broken" in res.stdout, res.stdout
    assert _verdict(res.stdout, STREAMLIT_CONTRACT) == "KEPT", res.stdout


def test_the_layers_of_lib_are_kept(repo_lint) -> None:
    assert _verdict(repo_lint.stdout, LAYERS_CONTRACT) == "KEPT", repo_lint.stdout


def test_the_pipeline_never_imports_what_draws(repo_lint) -> None:
    assert _verdict(repo_lint.stdout, PIPELINE_CONTRACT) == "KEPT", repo_lint.stdout


def test_the_contract_catches_a_streamlit_import(tmp_path: Path) -> None:
    """The check is not vacuous: a copy of lib with one module importing streamlit is rejected."""
    res = _lint(_copy_with(tmp_path, "_sneaky.py", "import streamlit as st\n"))
    assert res.returncode != 0, f"lint-imports accepted lib importing streamlit:\n{res.stdout}"
    assert "BROKEN" in res.stdout and "lib._sneaky" in res.stdout, res.stdout


def test_the_layers_contract_catches_an_upward_import(tmp_path: Path) -> None:
    """Not vacuous: core importing a method (a layer above it) is rejected, the other contracts still kept."""
    res = _lint(_copy_with(tmp_path, "core/_upward.py", "from lib.methods import stats\n"))
    assert res.returncode != 0, f"lint-imports accepted lib.core importing lib.methods:\n{res.stdout}"
    assert _verdict(res.stdout, LAYERS_CONTRACT) == "BROKEN", res.stdout
    assert "lib.core._upward -> lib.methods.stats" in res.stdout, res.stdout
    assert _verdict(res.stdout, PIPELINE_CONTRACT) == "KEPT", res.stdout


def test_the_layers_contract_keeps_render_and_imports_apart(tmp_path: Path) -> None:
    """Not vacuous for the independent siblings: render importing the own-data reader is rejected."""
    res = _lint(_copy_with(tmp_path, "render/_sideways.py", "from lib.imports import indicator_file\n"))
    assert res.returncode != 0, f"lint-imports accepted lib.render importing lib.imports:\n{res.stdout}"
    assert _verdict(res.stdout, LAYERS_CONTRACT) == "BROKEN", res.stdout
    assert "lib.render._sideways -> lib.imports.indicator_file" in res.stdout, res.stdout


def test_the_pipeline_contract_catches_a_drawing_import(tmp_path: Path) -> None:
    """Not vacuous: a pipeline module importing the render layer is rejected (the layers still kept)."""
    res = _lint(_copy_with(tmp_path, "pipeline/_draws.py", "from lib.render import format\n"))
    assert res.returncode != 0, f"lint-imports accepted lib.pipeline importing lib.render:\n{res.stdout}"
    assert _verdict(res.stdout, PIPELINE_CONTRACT) == "BROKEN", res.stdout
    assert "lib.pipeline._draws -> lib.render.format" in res.stdout, res.stdout
    assert _verdict(res.stdout, LAYERS_CONTRACT) == "KEPT", res.stdout
