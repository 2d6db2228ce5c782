"""Who is told about a decision: the owning team, and where that team reads its alerts.

The team of a repository is, in this order: the first route of the policy's `notifications`
section whose patterns match the repository; else the value of the repository's owner tag
(`ECR_GUARD_OWNER_TAG`, default `team`); else the section's `default_team`; else `unknown`.
The owner tag is only read (ListTagsForResource, cached per repository) when no route matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ecr_guard.guard.notification import NotifiedRoute, RouteSource, clean_text
from ecr_guard.policy.matching import compile_patterns
from ecr_guard.policy.model import Notifications

UNKNOWN_TEAM = "unknown"
_TAG_VALUE_LIMIT = 256


def resolve_route(
    routing: Notifications | None,
    repository: str,
    *,
    owner_tag: str,
    repository_tags: Callable[[], Mapping[str, str]],
) -> NotifiedRoute:
    """The route for `repository`; `repository_tags` is only called when no route matches."""
    for route in routing.routes if routing else ():
        if compile_patterns(route.repositories)(repository):
            return NotifiedRoute(
                team=route.team,
                source=RouteSource.POLICY_ROUTE,
                email=route.email,
                slack_channel=route.slack_channel,
            )
    tagged = clean_text(repository_tags().get(owner_tag), _TAG_VALUE_LIMIT)
    if tagged:
        return NotifiedRoute(team=tagged, source=RouteSource.REPOSITORY_TAG)
    if routing and routing.default_team:
        return NotifiedRoute(team=routing.default_team, source=RouteSource.DEFAULT_TEAM)
    return NotifiedRoute(team=UNKNOWN_TEAM, source=RouteSource.NONE)
