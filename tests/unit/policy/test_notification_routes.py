"""The policy's `notifications` section: routes to teams, validated like the rest."""

from __future__ import annotations

import hashlib
import json
from textwrap import dedent

import pytest
from ecr_guard.errors import PolicyError
from ecr_guard.policy.fingerprint import policy_fingerprint
from ecr_guard.policy.load import parse_policy

ROUTES = """\
version: 1
notifications:
  routes:
    - repositories: ["payments/*"]
      team: payments
      email: payments-oncall@example.com
      slack_channel: "#payments-alerts"
  default_team: platform-security
"""


def test_routes_are_read_in_order_with_their_channels() -> None:
    routing = parse_policy(ROUTES, origin="policy.yaml").notifications

    assert routing is not None
    (route,) = routing.routes
    assert (route.repositories, route.team, route.email, route.slack_channel) == (
        ["payments/*"],
        "payments",
        "payments-oncall@example.com",
        "#payments-alerts",
    )
    assert routing.default_team == "platform-security"


@pytest.mark.parametrize(
    ("route", "complaint"),
    [
        ("{repositories: [a], team: t, email: not-an-address}", "routes[0].email"),
        ("{repositories: [a], team: t, slack_channel: '#Payments Alerts'}", "slack_channel"),
        ("{repositories: [a], team: 'two words'}", "routes[0].team"),
        ("{repositories: [], team: t}", "routes[0].repositories"),
        ("{repositories: [a], team: t, channel: c}", "unknown key 'channel'"),
    ],
)
def test_a_bad_route_is_named_in_the_error(route: str, complaint: str) -> None:
    text = dedent(
        f"""\
        version: 1
        notifications:
          routes:
            - {route}
        """
    )

    with pytest.raises(PolicyError) as raised:
        parse_policy(text, origin="policy.yaml")

    assert complaint in str(raised.value)


def test_a_policy_without_routes_keeps_its_fingerprint() -> None:
    policy = parse_policy("version: 1\nrules: [{id: any, verdict: warn}]\n", origin="p.yaml")
    document = policy.model_dump(mode="json", exclude={"notifications"})
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    assert policy_fingerprint(policy) == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def test_routes_are_part_of_the_fingerprint() -> None:
    without = parse_policy("version: 1\n", origin="p.yaml")

    assert policy_fingerprint(parse_policy(ROUTES, origin="p.yaml")) != policy_fingerprint(without)
