"""moto is optional: `ecr-guard check` never loads it (nor boto3), and the simulator says in one
line how to install it when it is missing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ecr_guard import sim
from ecr_guard.errors import ConfigError

from tests.unit.sim.support import CLEAN_TRIVY


def test_missing_moto_is_one_clear_line_with_the_install_command(monkeypatch):
    real = sim.importlib.util.find_spec
    monkeypatch.setattr(
        sim.importlib.util, "find_spec", lambda name: None if name == "moto" else real(name)
    )

    with pytest.raises(ConfigError) as raised:
        sim.require_emulator()

    assert str(raised.value) == (
        "the simulator needs the AWS emulator moto: install ecr-guard[sim] "
        "(pip install 'ecr-guard[sim]')"
    )


def test_missing_moto_server_names_the_server(monkeypatch):
    real = sim.importlib.util.find_spec
    monkeypatch.setattr(
        sim.importlib.util, "find_spec", lambda name: None if name == "flask" else real(name)
    )

    with pytest.raises(ConfigError, match="the simulator needs moto's server: install"):
        sim.require_emulator(server=True)


def test_check_command_loads_neither_moto_nor_boto3(tmp_path):
    report = tmp_path / "trivy.json"
    report.write_text(__import__("json").dumps(CLEAN_TRIVY))
    program = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from ecr_guard.cli.app import app\n"
        f"result = CliRunner().invoke(app, ['check', {str(report)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('moto', 'boto3', 'botocore')]\n"
        "print(sorted(loaded))\n"
    )

    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120
    )

    assert completed.stdout.strip() == "[]"
