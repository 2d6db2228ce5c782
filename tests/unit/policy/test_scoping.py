from __future__ import annotations

import pytest
from ecr_guard.findings.model import ImageFacts
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

from tests.unit.policy.builders import decide, image, report, vuln

SCOPED = """
mode: enforce
rules: [{id: default-criticals, verdict: fail, severity: CRITICAL}]
rule_sets:
  - name: releases
    match: {repositories: ["team/*"], tags: ["v*"]}
    rules: [{id: release-highs, verdict: fail, severity: HIGH}]
  - name: team
    match: {repositories: ["team/*"]}
    mode: audit
    rules: [{id: team-criticals, verdict: warn, severity: CRITICAL}]
  - name: mirrors
    match: {repositories: ["docker-hub/*"]}
    rules: []
"""

CRITICAL = report(vuln("CVE-1", "CRITICAL"))


@pytest.mark.parametrize(
    ("on", "rule_set"),
    [
        (image("team/app", "v1.2"), "releases"),
        (image("team/app", "latest", "v1.2"), "releases"),
        (image("team/app", "latest"), "team"),
        (image("team/app"), "team"),
        (image("team/app/worker", "v1"), "releases"),
        (image("docker-hub/library/nginx", "1.25"), "mirrors"),
        (image("other/app", "v1"), "default"),
        (image("team", "v1"), "default"),
    ],
)
def test_first_matching_rule_set_wins(on, rule_set: str):
    assert decide(CRITICAL, SCOPED, on=on).rule_set == rule_set


def test_untagged_image_matches_only_patterns_matching_the_empty_string():
    policy = """
    rule_sets:
      - {name: tagged, match: {tags: ["?*"]}}
      - {name: anything, match: {tags: ["*"]}}
    """

    assert decide(CRITICAL, policy, on=image("team/app")).rule_set == "anything"
    assert decide(CRITICAL, policy, on=image("team/app", "v1")).rule_set == "tagged"


def test_rule_set_replaces_the_default_rules():
    decision = decide(CRITICAL, SCOPED, on=image("team/app", "latest"))

    assert [o.rule_id for o in decision.rules] == ["team-criticals"]
    assert decision.verdict is Verdict.WARN


def test_rule_set_without_rules_passes():
    decision = decide(CRITICAL, SCOPED, on=image("docker-hub/library/nginx", "1.25"))

    assert decision.verdict is Verdict.PASS


def test_mode_comes_from_the_scope():
    assert decide(CRITICAL, SCOPED, on=image("team/app", "latest")).mode is Mode.AUDIT
    assert decide(CRITICAL, SCOPED, on=image("team/app", "v1")).mode is None
    assert decide(CRITICAL, SCOPED, on=image("other/app", "v1")).mode is Mode.ENFORCE


def test_repository_patterns_are_case_sensitive():
    assert decide(CRITICAL, SCOPED, on=image("Team/app", "v1")).rule_set == "default"


def test_report_image_is_used_without_an_explicit_image():
    scan = report(vuln("CVE-1"), image=ImageFacts(repository="team/app", tags=("v2",)))

    assert decide(scan, SCOPED).rule_set == "releases"


def test_explicit_image_wins_over_the_report_image():
    scan = report(vuln("CVE-1"), image=ImageFacts(repository="team/app", tags=("v2",)))

    assert decide(scan, SCOPED, on=image("other/app", "v2")).rule_set == "default"


def test_without_any_image_only_rule_sets_matching_everything_apply():
    policy = """
    rule_sets:
      - {name: team, match: {repositories: ["team/*"]}}
      - {name: everything, match: {}}
    """

    decision = decide(CRITICAL, policy)

    assert decision.rule_set == "everything"
    assert decision.image is None


def test_without_any_image_named_rule_sets_do_not_apply():
    assert decide(CRITICAL, SCOPED).rule_set == "default"
