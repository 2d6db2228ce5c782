"""Every command of the README that needs no AWS account is run here, or by another test or by
CI; the README's policy and scenario examples validate; its CI examples are valid YAML that run
Trivy as the guard needs it.

A shell line that starts with `ecr-guard`, `make` or `sam` must be in RUN (run below, block by
block, in a folder holding the files the README's commands name), in COVERED (with where), or
carry `# needs AWS`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from ecr_guard.policy.load import parse_policy
from ecr_guard.sim.load import parse_scenario
from ecr_guard.sim.runner import run_scenario

from tests.conftest import REPO_ROOT
from tests.e2e.support import bundled

README = REPO_ROOT / "README.md"
SHELL = {"sh", "bash", "shell"}
NEEDS_AWS = "# needs AWS"
OURS = re.compile(r"^(ecr-guard|make|sam|\.venv-sam/bin/sam)\b")

# Command → exit code, run for real.
RUN: dict[str, int] = {
    "ecr-guard demo --copy-to scenarios": 0,
    "ecr-guard simulate scenarios/03-unscannable.yaml": 0,
    "ecr-guard simulate --json scenarios/03-unscannable.yaml > simulation.json": 0,
    "ecr-guard simulate --schema > scenario.schema.json": 0,
    "ecr-guard check trivy.json --repository team/app --tag 1.2.3": 1,
    "ecr-guard check trivy.json --repository team/app --format markdown --output comment.md": 1,
    "ecr-guard check api.json worker.json --policy ecr-guard.yaml --format json "
    "--output decisions.json": 1,
    "ecr-guard policy show-default > ecr-guard.yaml": 0,
    "ecr-guard policy validate ecr-guard.yaml": 0,
    "ecr-guard policy schema > ecr-guard.schema.json": 0,
    "ecr-guard policy validate policy.yaml": 0,
}

# Command → where it is exercised.
COVERED: dict[str, str] = {
    "make demo": "make setup, then `ecr-guard demo`: tests/e2e/test_commands.py runs the demo",
    "make check": ".ci/run runs it in CI",
    "make setup": "the first step of make check (CI)",
    "make validate": "sam validate --lint: part of make check (CI)",
    "make build": "sam build: part of make check (CI)",
    "ecr-guard demo": "tests/e2e/test_commands.py",
    "ecr-guard simulate --server scenarios/02-multi-arch.yaml": (
        "tests/e2e/test_commands.py::test_simulate_runs_on_a_moto_server_on_loopback"
    ),
}


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    marker: str | None
    line: int


def blocks(text: str) -> list[Block]:
    found = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r"^```(\w*)\s*$", lines[index])
        if not opening:
            index += 1
            continue
        start = index
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        before = [line for line in lines[:start] if line.strip()]
        marker = re.match(r"^<!-- (\w+) -->$", before[-1]) if before else None
        found.append(
            Block(
                language=opening.group(1),
                text="\n".join(lines[start + 1 : end]) + "\n",
                marker=marker.group(1) if marker else None,
                line=start + 1,
            )
        )
        index = end + 1
    return found


def commands(block: Block) -> list[tuple[str, str]]:
    """(command without its comment, the whole line) for each command of a shell block."""
    joined = block.text.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        command = re.split(r"\s+#\s", stripped, maxsplit=1)[0].strip()
        found.append((re.sub(r"\s+", " ", command), stripped))
    return found


README_BLOCKS = blocks(README.read_text(encoding="utf-8"))
SHELL_BLOCKS = [block for block in README_BLOCKS if block.language in SHELL]


def test_every_command_is_run_covered_or_needs_aws():
    unaccounted = [
        (block.line, line)
        for block in SHELL_BLOCKS
        for command, line in commands(block)
        if OURS.match(command)
        and command not in RUN
        and command not in COVERED
        and NEEDS_AWS not in line
    ]

    assert unaccounted == [], "run it here, list it in COVERED, or mark it `# needs AWS`"


def test_every_listed_command_is_still_in_the_readme():
    in_readme = {command for block in SHELL_BLOCKS for command, _ in commands(block)}

    assert sorted(set(RUN) - in_readme) == []
    assert sorted(set(COVERED) - in_readme) == []


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the files the README's commands name."""
    folder = tmp_path_factory.mktemp("readme")
    with bundled() as scenarios:
        failing = scenarios / "reports" / "checkout-web-2.3.0-arm64.trivy.json"
        passing = scenarios / "reports" / "checkout-web-2.3.0-amd64.trivy.json"
        shutil.copy(failing, folder / "trivy.json")
        shutil.copy(failing, folder / "worker.json")
        shutil.copy(passing, folder / "api.json")
    policies = [block for block in README_BLOCKS if block.marker == "policy"]
    (folder / "policy.yaml").write_text(policies[0].text)
    subprocess.run(
        f"{_script()} policy show-default > ecr-guard.yaml",
        shell=True,
        cwd=folder,
        check=True,
        env=_environment(),
    )
    return folder


def _script() -> Path:
    return Path(sys.executable).parent / "ecr-guard"


def _environment() -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"
    return {"PATH": path, "LANG": "C.UTF-8"}


@pytest.mark.parametrize(
    "block", [block for block in SHELL_BLOCKS if any(c in RUN for c, _ in commands(block))]
)
def test_readme_commands_run_with_the_exit_code_they_promise(block, workdir):
    for command, _ in commands(block):
        if command not in RUN:
            continue
        completed = subprocess.run(
            command,
            check=False,
            shell=True,
            cwd=workdir,
            env=_environment(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert completed.returncode == RUN[command], (command, completed.stderr)
        assert "Traceback" not in completed.stderr


def test_readme_command_outputs_are_usable(workdir):
    json.loads((workdir / "ecr-guard.schema.json").read_text())
    assert json.loads((workdir / "scenario.schema.json").read_text())["title"] == (
        "ecr-guard simulation scenario"
    )


@pytest.mark.parametrize(
    "block", [block for block in README_BLOCKS if block.marker == "policy"], ids=lambda b: b.line
)
def test_policy_examples_validate(block):
    policy = parse_policy(block.text, origin=f"README.md line {block.line}")

    assert policy.version == 1


def test_the_scenario_example_validates_and_meets_its_expectations():
    (block,) = [block for block in README_BLOCKS if block.marker == "scenario"]
    with bundled() as folder:
        loaded = parse_scenario(
            block.text, origin=f"README.md line {block.line}", base_dir=folder, name="readme"
        )
        result = run_scenario(loaded)

    assert result.passed
    assert sum(len(step.expectations) for step in result.steps) >= 5


@pytest.mark.parametrize(
    "block",
    [
        block
        for block in README_BLOCKS
        if block.language == "yaml"
        and ("trivy-action" in block.text or "trivy image" in block.text)
    ],
    ids=lambda b: b.line,
)
def test_ci_examples_run_trivy_in_json_without_a_severity_filter(block):
    document = yaml.safe_load(block.text)
    text = json.dumps(document)

    assert isinstance(document, dict)
    assert "--format json" in text or '"format": "json"' in text
    assert "--severity" not in text
    assert '"severity"' not in text
    assert "ignore-unfixed" not in text
    assert "trivy/$" in text  # the report goes to the bucket under the key layout
