"""Patterns, scopes and rules compiled once per evaluation into cheap predicates.

Repository, tag and package patterns are shell-style (`fnmatch`, case-sensitive), and `*`
matches any characters including `/`: `team/*` covers `team/app` and `team/app/worker`,
`*/nginx` covers `docker-hub/library/nginx`. An untagged image, or an image whose repository
is unknown, is matched as the empty string, which only patterns such as `*` match.

Waiver paths follow `.trivyignore.yaml`: `*` and `?` stay within one folder, `**/` spans any
number of folders (including none), and a leading `/` is ignored on both sides.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ecr_guard.findings.model import FindingKind, FixAvailability, Severity
from ecr_guard.policy.grouping import Group
from ecr_guard.policy.model import ImageRules, Mode, Policy, Rule

DEFAULT_SCOPE = "default"

TextMatcher = Callable[[str], bool]
GroupCheck = Callable[[Group], bool]


def compile_patterns(patterns: Iterable[str]) -> TextMatcher:
    """One predicate true when any of the shell-style patterns matches the whole text."""
    union = "|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns)
    regex = re.compile(union)
    return lambda text: regex.match(text) is not None


def compile_path_glob(pattern: str) -> TextMatcher:
    """A predicate for a file path glob in Trivy's style (`**` spans folders)."""
    regex = re.compile(_path_glob_regex(pattern.lstrip("/")))
    return lambda path: regex.fullmatch(path.lstrip("/")) is not None


@dataclass(frozen=True)
class ImageSelector:
    """Repository and tag patterns, matched against one image."""

    repositories: TextMatcher
    tags: TextMatcher

    @classmethod
    def of(cls, repositories: Iterable[str], tags: Iterable[str]) -> ImageSelector:
        return cls(compile_patterns(repositories), compile_patterns(tags))

    def matches(self, repository: str, image_tags: Sequence[str]) -> bool:
        if not self.repositories(repository):
            return False
        return any(self.tags(tag) for tag in image_tags or ("",))


@dataclass(frozen=True)
class Scope:
    """The rules that apply to one image: a matching rule set, or the policy's defaults."""

    name: str
    rules: tuple[Rule, ...]
    image: ImageRules
    mode: Mode | None


def select_scope(policy: Policy, repository: str, tags: Sequence[str]) -> Scope:
    """The first rule set whose patterns match the image, else the top-level rules."""
    for rule_set in policy.rule_sets:
        selector = ImageSelector.of(rule_set.match.repositories, rule_set.match.tags)
        if selector.matches(repository, tags):
            return Scope(rule_set.name, tuple(rule_set.rules), rule_set.image, rule_set.mode)
    return Scope(DEFAULT_SCOPE, tuple(policy.rules), policy.image, policy.mode)


@dataclass(frozen=True)
class CompiledRule:
    """A rule as a list of checks on a group; every check must hold."""

    rule: Rule
    checks: tuple[GroupCheck, ...]

    def matches(self, group: Group) -> bool:
        return all(check(group) for check in self.checks)


def compile_rule(rule: Rule, *, now: datetime) -> CompiledRule:
    checks: list[GroupCheck] = []
    if rule.kind is not None:
        kinds = frozenset(rule.kind if isinstance(rule.kind, list) else [rule.kind])
        checks.append(lambda group: group.kind in kinds)
    if rule.severity is not None:
        checks += _severity_checks(rule.severity)
    if rule.ids is not None:
        ids = frozenset(identifier.casefold() for identifier in rule.ids)
        checks.append(lambda group: group.id_key in ids)
    if rule.fixable is not None:
        checks.append(_fixable_check(rule.fixable))
    if rule.packages is not None:
        package_matches = compile_patterns(rule.packages)
        checks.append(lambda group: any(package_matches(name) for name in group.packages))
    checks += _score_checks(rule)
    if rule.min_age_days is not None:
        cutoff = now - timedelta(days=rule.min_age_days)
        checks.append(lambda group: group.published is not None and group.published <= cutoff)
    if rule.exploit_available is not None:
        wanted = rule.exploit_available
        checks.append(lambda group: group.exploit is wanted)
    return CompiledRule(rule, tuple(checks))


def _severity_checks(severity: Severity | list[Severity]) -> list[GroupCheck]:
    if isinstance(severity, list):
        levels = frozenset(severity)
        return [lambda group: group.severity in levels]
    # A single level means "at least": UNKNOWN, the lowest rank, therefore means any level.
    floor = severity.rank
    if floor == 0:
        return []
    return [lambda group: group.severity_rank >= floor]


def _fixable_check(fixable: bool) -> GroupCheck:
    # Only vulnerabilities have fixes; a secret is neither fixable nor "unfixable".
    if fixable:
        return lambda group: (
            group.kind is FindingKind.VULNERABILITY and group.fix is not FixAvailability.NO
        )
    return lambda group: group.kind is FindingKind.VULNERABILITY and group.fix is FixAvailability.NO


def _score_checks(rule: Rule) -> list[GroupCheck]:
    checks: list[GroupCheck] = []
    if rule.min_cvss is not None:
        min_cvss = rule.min_cvss
        checks.append(lambda group: group.cvss is not None and group.cvss >= min_cvss)
    if rule.min_epss is not None:
        min_epss = rule.min_epss
        checks.append(lambda group: group.epss is not None and group.epss >= min_epss)
    return checks


def _path_glob_regex(pattern: str) -> str:
    # NOTE: doublestar's brace alternatives (`{a,b}`) are not supported: they match literally.
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        elif pattern[index] == "[" and (end := pattern.find("]", index + 2)) != -1:
            body = pattern[index + 1 : end]
            negated = body.startswith("!")
            body = re.escape(body[1:] if negated else body).replace("\\-", "-")
            parts.append(f"[{'^' if negated else ''}{body}]")
            index = end + 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return "(?s:" + "".join(parts) + ")"
