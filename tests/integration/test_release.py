"""Release: automatic on a later PASS, and `ecr-guard release` against the same ledger."""

from __future__ import annotations

import json

import pytest
from ecr_guard.cli.app import app
from typer.testing import CliRunner

from tests.integration.events import scan_event
from tests.integration.registry import basic_finding, basic_findings
from tests.integration.stack import REGION, TABLE

REPO = "team/app"
FAILING = basic_findings([basic_finding("CVE-2026-0001", "CRITICAL")])
CLEAN = basic_findings([])


def quarantine_tag(digest: str) -> str:
    return f"quarantine-sha256-{digest.removeprefix('sha256:')}"


@pytest.fixture
def quarantined(guard, pushed, registry, stack):
    """team/app:1.2.3 (also `latest`) quarantined by a failing scan; notifications drained."""
    digest = pushed("1.2.3", "latest")
    registry.set_findings(REPO, digest, FAILING)
    guard(scan_event(REPO, digest, ["1.2.3", "latest"]))
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}
    stack.notifications()
    return digest


def test_later_pass_restores_exactly_the_removed_tags(guard, quarantined, registry, stack):
    registry.set_findings(REPO, quarantined, CLEAN)

    run = guard(scan_event(REPO, quarantined, []))

    assert registry.tags(REPO, quarantined) == {"1.2.3", "latest"}
    assert run.output.metrics["Releases"] == 1
    state = stack.state(REGION, REPO, quarantined)
    assert state["quarantine"]["status"] == "RELEASED"
    assert state["quarantine"]["released_by"] == "guard"
    assert set(state["quarantine"]["restored_tags"]) == {"1.2.3", "latest"}
    assert "gsi1pk" not in state
    [notification] = stack.notifications()
    assert notification.body["verdict"] == "PASS"
    assert notification.body["previous_verdict"] == "FAIL"
    assert notification.body["action"]["kind"] == "release"
    assert notification.attributes["action"] == "release"


def test_tag_re_pushed_onto_another_image_is_not_taken_back(guard, quarantined, registry, stack):
    other = registry.push_image(REPO, "latest", seed="rebuilt")
    registry.set_findings(REPO, quarantined, CLEAN)

    guard(scan_event(REPO, quarantined, []))

    assert registry.tags(REPO, quarantined) == {"1.2.3"}
    assert registry.tags(REPO, other) == {"latest"}
    [notification] = stack.notifications()
    assert notification.body["action"]["tags_restored"] == ["1.2.3"]
    assert notification.body["action"]["tags_skipped"] == ["latest"]


def test_image_keeps_its_quarantine_tag_when_no_tag_can_be_restored(guard, quarantined, registry):
    registry.push_image(REPO, "1.2.3", seed="rebuilt-1")
    registry.push_image(REPO, "latest", seed="rebuilt-2")
    registry.set_findings(REPO, quarantined, CLEAN)

    guard(scan_event(REPO, quarantined, []))

    assert registry.tags(REPO, quarantined) == {quarantine_tag(quarantined)}


def test_pass_after_release_is_quiet(guard, quarantined, registry, stack, calls):
    registry.set_findings(REPO, quarantined, CLEAN)
    guard(scan_event(REPO, quarantined, []))
    stack.notifications()
    calls.clear()

    guard(scan_event(REPO, quarantined, []))

    assert stack.notifications() == []
    assert {"ecr:PutImage", "ecr:BatchDeleteImage"}.isdisjoint(calls.operations("guard"))


def cli(*arguments: str):
    return CliRunner().invoke(app, list(arguments))


def test_cli_release_restores_the_tags(quarantined, registry, stack):
    result = cli("release", f"{REPO}@{quarantined}", "--table", TABLE, "--region", REGION, "--yes")

    assert result.exit_code == 0, result.output
    assert "restored: 1.2.3, latest" in result.output
    assert registry.tags(REPO, quarantined) == {"1.2.3", "latest"}
    quarantine = stack.state(REGION, REPO, quarantined)["quarantine"]
    assert quarantine["status"] == "RELEASED"
    assert quarantine["released_by"].startswith("cli:")


def test_cli_release_asks_before_changing_anything(quarantined, registry):
    result = CliRunner().invoke(
        app, ["release", f"{REPO}@{quarantined}", "--table", TABLE, "--region", REGION], input="n\n"
    )

    assert result.exit_code == 1
    assert "tags to restore: 1.2.3, latest" in result.output
    assert registry.tags(REPO, quarantined) == {quarantine_tag(quarantined)}


def test_cli_release_of_an_image_not_quarantined_is_one_line_and_exit_2(stack, pushed):
    digest = pushed("1.0")

    result = cli("release", f"{REPO}@{digest}", "--table", TABLE, "--region", REGION, "--yes")

    assert result.exit_code == 2
    assert result.output.strip() == (
        f"ecr-guard: {REPO}@{digest}: not quarantined (ledger table {TABLE})"
    )


def test_cli_release_without_a_table_names_the_option(stack, monkeypatch):
    monkeypatch.delenv("ECR_GUARD_TABLE")

    result = cli("release", f"{REPO}@sha256:{'a' * 64}", "--region", REGION)

    assert result.exit_code == 2
    assert "--table (or ECR_GUARD_TABLE) is required" in result.output


def test_cli_release_refuses_a_malformed_reference(stack):
    result = cli("release", "team/app:1.2.3", "--table", TABLE)

    assert result.exit_code == 2
    assert "expected REPOSITORY@DIGEST" in result.output


def test_cli_status_lists_quarantined_images_as_json(quarantined):
    result = cli("status", "--table", TABLE, "--region", REGION, "--format", "json")

    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["repository"] == REPO
    assert row["digest"] == quarantined
    assert row["tags_removed"] == ["1.2.3", "latest"]
    assert row["quarantine_tag"] == quarantine_tag(quarantined)
    assert row["method"] == "retag"
    assert row["rule_ids"] == ["medium-or-worse"]
    assert row["release_command"] == f"ecr-guard release {REPO}@{quarantined}"


def test_cli_status_table_shows_the_image(quarantined, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")

    result = cli("status", "--table", TABLE, "--region", REGION)

    assert result.exit_code == 0, result.output
    assert REPO in result.output
    assert "1.2.3, latest" in result.output
    assert "medium-or-worse" in result.output


def test_cli_status_after_release_lists_nothing(quarantined, registry, guard):
    registry.set_findings(REPO, quarantined, CLEAN)
    guard(scan_event(REPO, quarantined, []))

    result = cli("status", "--table", TABLE, "--region", REGION, "--format", "json")

    assert json.loads(result.output) == []


def test_cli_with_an_unknown_profile_is_one_line_and_exit_2(stack):
    result = cli("status", "--table", TABLE, "--region", REGION, "--profile", "nobody")

    assert result.exit_code == 2
    assert result.output.startswith("ecr-guard: AWS profile 'nobody':")
    assert len(result.output.strip().splitlines()) == 1
