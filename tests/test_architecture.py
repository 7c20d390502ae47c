"""Architecture: ``lib`` never imports Streamlit (the import-linter contract in ``.importlinter``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.skip(f"lint-imports not installed next to {sys.executable} (pip install -r requirements-dev.txt)")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_lib_never_imports_streamlit() -> None:
    res = _lint(REPO)
    assert res.returncode == 0, f"lint-imports failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}"
    assert "lib never imports streamlit" in res.stdout and "KEPT" in res.stdout, res.stdout
    assert "0 broken" in res.stdout, res.stdout


def test_the_contract_catches_a_streamlit_import(tmp_path: Path) -> None:
    """The check is not vacuous: a copy of lib with one module importing streamlit is rejected."""
    shutil.copytree(REPO / "lib", tmp_path / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / ".importlinter", tmp_path / ".importlinter")
    (tmp_path / "lib" / "_sneaky.py").write_text("import streamlit as st\n", encoding="utf-8")
    res = _lint(tmp_path)
    assert res.returncode != 0, f"lint-imports accepted lib importing streamlit:\n{res.stdout}"
    assert "BROKEN" in res.stdout and "lib._sneaky" in res.stdout, res.stdout
