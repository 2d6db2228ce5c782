"""Routing by owner: the first policy route, else the owner tag, else the default team."""

from __future__ import annotations

import pytest
from ecr_guard.guard.notification import RouteSource
from ecr_guard.guard.routing import UNKNOWN_TEAM, resolve_route
from ecr_guard.policy.load import parse_policy
from ecr_guard.policy.model import Notifications

POLICY = """\
version: 1
notifications:
  routes:
    - repositories: ["payments/*"]
      team: payments
      slack_channel: "#payments-alerts"
    - repositories: ["payments/legacy-*", "*/batch"]
      team: batch
      email: batch@example.com
  default_team: platform
"""


@pytest.fixture
def routing() -> Notifications:
    notifications = parse_policy(POLICY, origin="routes.yaml").notifications
    assert notifications is not None
    return notifications


def untouched() -> dict[str, str]:
    raise AssertionError("repository tags were read although a route matched")


def test_the_first_matching_route_wins(routing: Notifications) -> None:
    route = resolve_route(
        routing, "payments/legacy-api", owner_tag="team", repository_tags=untouched
    )

    assert (route.team, route.source, route.slack_channel) == (
        "payments",
        RouteSource.POLICY_ROUTE,
        "#payments-alerts",
    )


def test_a_route_pattern_matches_across_slashes(routing: Notifications) -> None:
    route = resolve_route(routing, "data/jobs/batch", owner_tag="team", repository_tags=untouched)

    assert (route.team, route.email) == ("batch", "batch@example.com")


def test_the_owner_tag_names_the_team_when_no_route_matches(routing: Notifications) -> None:
    route = resolve_route(
        routing, "search/api", owner_tag="owner", repository_tags=lambda: {"owner": "search"}
    )

    assert (route.team, route.source) == ("search", RouteSource.REPOSITORY_TAG)


def test_an_owner_tag_value_is_one_clean_line(routing: Notifications) -> None:
    route = resolve_route(
        None, "search/api", owner_tag="team", repository_tags=lambda: {"team": " search\nteam "}
    )

    assert route.team == "search team"


def test_the_default_team_takes_the_rest(routing: Notifications) -> None:
    route = resolve_route(routing, "tools/ci", owner_tag="team", repository_tags=dict)

    assert (route.team, route.source) == ("platform", RouteSource.DEFAULT_TEAM)


def test_without_routes_or_tag_the_team_is_unknown() -> None:
    route = resolve_route(None, "tools/ci", owner_tag="team", repository_tags=dict)

    assert (route.team, route.source) == (UNKNOWN_TEAM, RouteSource.NONE)
