"""Routing by owner: a policy route, else the repository's owner tag, else the default team, with
the message attributes that per-team subscription filter policies match; and who pushed."""

from __future__ import annotations

import pytest

from tests.integration.conftest import STRICT_POLICY
from tests.integration.events import scan_event
from tests.integration.registry import basic_finding, basic_findings, corpus_enhanced_findings

FAILING = basic_findings([basic_finding("CVE-2026-0301", "CRITICAL")])
ROUTED_POLICY = (
    STRICT_POLICY
    + """\
notifications:
  routes:
    - repositories: ["payments/*"]
      team: payments
      email: payments-oncall@example.com
      slack_channel: "#payments-alerts"
    - repositories: ["*/legacy-*"]
      team: platform
  default_team: platform-security
"""
)


def notified(guard, pushed, registry, stack, repository: str) -> tuple:
    digest = pushed("1.0", repository=repository)
    registry.set_findings(repository, digest, FAILING)
    guard(scan_event(repository, digest, ["1.0"]))
    [notification] = stack.notifications()
    return notification


def test_policy_route_names_the_team_and_channel_without_reading_repository_tags(
    *, guard, pushed, registry, stack, set_policy, calls
):
    set_policy(ROUTED_POLICY)

    notification = notified(guard, pushed, registry, stack, "payments/api")

    assert notification.attributes["team"] == "payments"
    assert notification.attributes["slack_channel"] == "#payments-alerts"
    assert notification.body["route"] == {
        "team": "payments",
        "source": "policy-route",
        "email": "payments-oncall@example.com",
        "slack_channel": "#payments-alerts",
    }
    assert "ecr:ListTagsForResource" not in calls.operations("guard")


def test_owner_tag_names_the_team_when_no_route_matches(
    *, guard, pushed, registry, stack, set_policy
):
    set_policy(ROUTED_POLICY)
    registry.create_repository("checkout/web", team="checkout")

    notification = notified(guard, pushed, registry, stack, "checkout/web")

    assert notification.attributes["team"] == "checkout"
    assert "slack_channel" not in notification.attributes
    assert notification.body["route"]["source"] == "repository-tag"


def test_owner_tag_name_is_a_setting(*, guard, pushed, registry, stack, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_OWNER_TAG", "owner")
    registry.create_repository("search/indexer", team=None)
    registry.client.tag_resource(
        resourceArn="arn:aws:ecr:us-east-1:123456789012:repository/search/indexer",
        tags=[{"Key": "owner", "Value": "search"}],
    )

    notification = notified(guard, pushed, registry, stack, "search/indexer")

    assert notification.attributes["team"] == "search"


def test_default_team_takes_repositories_nobody_owns(*, guard, pushed, registry, stack, set_policy):
    set_policy(ROUTED_POLICY)
    registry.create_repository("tools/runner", team=None)

    notification = notified(guard, pushed, registry, stack, "tools/runner")

    assert notification.attributes["team"] == "platform-security"
    assert notification.body["route"]["source"] == "default-team"


def test_without_route_tag_or_default_the_team_is_unknown(*, guard, pushed, registry, stack):
    registry.create_repository("tools/runner", team=None)

    notification = notified(guard, pushed, registry, stack, "tools/runner")

    assert notification.attributes["team"] == "unknown"
    assert notification.body["route"]["source"] == "none"


@pytest.mark.corpus
def test_inspectors_image_author_is_named_as_the_pusher(*, corpus, guard, pushed, registry, stack):
    digest = pushed("latest", repository="amazon/amazon-ecs-sample")
    registry.set_findings("amazon/amazon-ecs-sample", digest, corpus_enhanced_findings(corpus))

    guard(scan_event("amazon/amazon-ecs-sample", digest, ["latest"]))

    [notification] = stack.notifications()
    assert notification.body["image"]["pusher"] == "John D <johnd@demo.test>"
