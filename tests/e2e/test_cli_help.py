"""Reading the command's help is free of side effects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_gunicorn import run_cli

pytestmark = pytest.mark.e2e


def test_help_writes_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINANCE_")}
    for args in (["--help"], ["import", "--help"], ["serve", "--help"]):
        assert "Usage: finance" in run_cli(env, *args, cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []
