"""Reading the command's help is free of side effects."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_gunicorn import BIN

pytestmark = pytest.mark.e2e


def test_help_writes_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINANCE_")}
    for args in (["--help"], ["import", "--help"], ["serve", "--help"]):
        result = subprocess.run(
            [str(BIN / "finance"), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "Usage: finance" in result.stdout
    assert list(tmp_path.iterdir()) == []
