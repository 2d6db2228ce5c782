"""`ecr-guard demo` and `ecr-guard simulate` as the installed console script, run the way the
README tells a new user to: no AWS account, no AWS configuration."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.support import bundled, run_script


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess[str]:
    return run_script("demo")


def test_demo_exits_0_when_every_expectation_holds(demo):
    assert demo.returncode == 0, demo.stderr
    assert demo.stderr == ""
    assert demo.stdout.count("all expectations met") == 4
    assert "NOT MET" not in demo.stdout


def test_demo_tells_the_story(demo):
    story = [
        "would quarantine (audit mode) hotfix",
        "sam deploy with Mode=enforce",
        "quarantined hotfix: added quarantine-sha256-",
        "waiver for CVE-2022-37434 until 2022-09-30",
        "released hotfix: restored 1.4.0-hotfix",
        "expired waiver",
        "PASS for rebuild (team/payments-api:1.4.1) from trivy",
        "web (team/checkout-web:2.3.0): pending",
        "quarantined web: added quarantine-sha256-",
        "UNKNOWN, handled as WARN for preview",
        "UNKNOWN, handled as FAIL for release",
        "FAIL for orders (team/orders-api:3.2.0) from ecr-enhanced",
    ]
    positions = [demo.stdout.find(line) for line in story]

    assert -1 not in positions, [line for line in story if line not in demo.stdout]
    assert positions == sorted(positions)


def test_demo_prints_the_developers_message_where_the_image_is_quarantined(demo):
    quarantine = demo.stdout.index("quarantined hotfix: added")
    email = demo.stdout.index("│ ecr-guard: FAIL for team/payments-api:1.4.0-hotfix")

    assert quarantine < email < demo.stdout.index("waiver for CVE-2022-37434")
    assert "ecr-guard release team/payments-api@sha256:" in demo.stdout


def test_demo_copies_its_scenarios_for_editing(tmp_path):
    target = tmp_path / "scenarios"

    completed = run_script("demo", "--copy-to", target)

    assert completed.returncode == 0, completed.stderr
    assert (target / "01-critical-cve.yaml").is_file()
    assert (target / "reports" / "payments-api-1.4.1.trivy.json").is_file()


def test_simulate_runs_on_a_moto_server_on_loopback():
    with bundled() as folder:
        completed = run_script("simulate", "--server", "--json", folder / "02-multi-arch.yaml")

    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    (scenario,) = document["scenarios"]
    assert scenario["emulator"].startswith("moto server on http://127.0.0.1:")
    assert document["passed"] is True
    assert scenario["steps"][2]["decisions"][-1]["subject_verdict"] == "FAIL"


def test_an_expectation_that_does_not_hold_exits_1(tmp_path):
    with bundled() as folder:
        text = (folder / "04-new-cve.yaml").read_text().replace("verdict: FAIL", "verdict: PASS")
        copied = Path(tmp_path / "04-new-cve.yaml")
        copied.write_text(text)
        (tmp_path / "findings").mkdir()
        source = folder / "findings" / "orders-api-3.2.0.inspector.json"
        (tmp_path / "findings" / source.name).write_bytes(source.read_bytes())

    completed = run_script("simulate", copied)

    assert completed.returncode == 1
    assert "[NOT MET] verdict: expected PASS, got FAIL" in completed.stdout
    assert completed.stdout.rstrip().endswith(
        "new-cve: 4 steps, 9 checks, 1 expectation(s) NOT met"
    )


def test_a_bad_scenario_exits_2_with_one_line_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "repositories:\n  team/app: {}\nimages:\n  app: {repository: team/app}\n"
        "events:\n  - type: push\n    image: api\n"
    )

    completed = run_script("simulate", bad)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == (
        f"ecr-guard: {bad}: events[0].image (line 7): no image named 'api' (images: app)\n"
    )


def test_simulate_prints_the_scenario_schema():
    completed = run_script("simulate", "--schema")

    assert completed.returncode == 0
    assert json.loads(completed.stdout)["title"] == "ecr-guard simulation scenario"
