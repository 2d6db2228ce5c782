"""What each function checks when an execution environment starts: a bad setting or a bad
policy fails the start, naming the variable or the policy's fault."""

from __future__ import annotations

import boto3
import pytest
from ecr_guard.errors import ConfigError, PolicyError

from tests.integration.conftest import STRICT_POLICY
from tests.integration.events import push_event, scan_event
from tests.integration.registry import basic_finding, basic_findings
from tests.integration.stack import REGION

REPO = "team/app"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ECR_GUARD_MODE", "sometimes"),
        ("ECR_GUARD_QUARANTINE_METHOD", "delete"),
        ("ECR_GUARD_QUARANTINE_TAG_PREFIX", "-bad prefix"),
        ("ECR_GUARD_VERIFIED_TAG", "verified tag"),
        ("ECR_GUARD_TOPIC_ARN", "decisions"),
        ("ECR_GUARD_REPOSITORY_FILTER", "Team/*"),
    ],
)
def test_bad_setting_fails_the_guard_start_naming_the_variable(guard, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError, match=variable):
        guard(scan_event(REPO, "sha256:" + "a" * 64))


def test_missing_table_fails_the_push_recorder_start(push_recorder, monkeypatch):
    monkeypatch.delenv("ECR_GUARD_TABLE")

    with pytest.raises(ConfigError, match="ECR_GUARD_TABLE: required setting is not set"):
        push_recorder(push_event(REPO, "sha256:" + "a" * 64, "1.0"))


def test_missing_queue_fails_the_push_recorder_start(push_recorder, monkeypatch):
    monkeypatch.delenv("ECR_GUARD_QUEUE_URL")

    with pytest.raises(ConfigError, match="ECR_GUARD_QUEUE_URL"):
        push_recorder(push_event(REPO, "sha256:" + "a" * 64, "1.0"))


def test_bad_policy_fails_the_guard_start_naming_the_fault(guard, set_policy):
    path = set_policy("version: 1\nrules:\n  - id: Bad Id\n    verdict: fail\n")

    with pytest.raises(PolicyError) as raised:
        guard(scan_event(REPO, "sha256:" + "a" * 64))

    assert str(path) in str(raised.value)
    assert "rules[0].id" in str(raised.value)


def test_policy_parameter_that_does_not_exist_fails_the_start(guard, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_POLICY_PARAMETER", "/ecr-guard/missing")

    with pytest.raises(ConfigError, match="ECR_GUARD_POLICY_PARAMETER: cannot read"):
        guard(scan_event(REPO, "sha256:" + "a" * 64))


def test_policy_is_read_from_its_parameter(guard, pushed, registry, monkeypatch, calls):
    policy = STRICT_POLICY.replace("medium-or-worse", "from-parameter")
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name="/ecr-guard/policy", Value=policy, Type="String"
    )
    monkeypatch.setenv("ECR_GUARD_POLICY_PARAMETER", "/ecr-guard/policy")
    digest = pushed("1.0")
    registry.set_findings(REPO, digest, basic_findings([basic_finding("CVE-1", "HIGH")]))

    run = guard(scan_event(REPO, digest, ["1.0"]))
    guard(scan_event(REPO, digest, ["1.0"]))

    assert run.output.decisions()[0]["rule_ids"] == ["from-parameter"]
    assert calls.operations("guard")["ssm:GetParameter"] == 1
