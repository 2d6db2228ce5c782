"""Waivers applied to the occurrences of one image.

A waiver covers an occurrence when its id matches (any case), its optional package pattern,
purl and path match that occurrence, and its repository and tag patterns match the image. It
applies while the evaluation day (UTC) is on or before `expires`; after that it no longer
waives anything and is reported as expired wherever it still covers a finding.

Waivers work per occurrence: a waiver narrowed to one package waives the vulnerability there
only, and the vulnerability is still judged on its other packages. An occurrence covered by
several waivers is credited to each of them.

NOTE: a waiver is matched against the one id a finding carries. Trivy's own ignore file also
accepts the short id of a misconfiguration check (`DS002`) where the finding is known by its
AVD id (`AVD-DS-0002`); ecr-guard matches only the id the report's finding has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ecr_guard.findings.model import Finding
from ecr_guard.policy.matching import (
    ImageSelector,
    TextMatcher,
    compile_path_glob,
    compile_patterns,
)
from ecr_guard.policy.model import Waiver
from ecr_guard.policy.purl import PackageUrl, parse_or_none


@dataclass(frozen=True)
class _CompiledWaiver:
    position: int
    waiver: Waiver
    expired: bool
    package: TextMatcher | None
    purl: PackageUrl | None
    path: TextMatcher | None

    def covers(self, finding: Finding, purls: _PurlCache) -> bool:
        if self.package is not None and not (
            finding.package_name and self.package(finding.package_name)
        ):
            return False
        if self.purl is not None:
            target = purls.get(finding.purl)
            if target is None or not self.purl.covers(target):
                return False
        if self.path is not None:
            paths = [value for value in (finding.path, finding.target) if value]
            if not any(self.path(value) for value in paths):
                return False
        return True


class _PurlCache:
    """Each distinct purl string of a report parsed once."""

    def __init__(self) -> None:
        self._parsed: dict[str, PackageUrl | None] = {}

    def get(self, text: str | None) -> PackageUrl | None:
        if not text:
            return None
        if text not in self._parsed:
            self._parsed[text] = parse_or_none(text)
        return self._parsed[text]


@dataclass
class WaiverResult:
    """Which occurrences remain to be judged, and what each waiver covered (by position)."""

    remaining: list[Finding] = field(default_factory=list)
    applied: dict[int, list[Finding]] = field(default_factory=dict)
    expired: dict[int, list[Finding]] = field(default_factory=dict)


class WaiverBook:
    """The waivers that concern one image, indexed by lower-cased id."""

    def __init__(
        self, waivers: Sequence[Waiver], *, repository: str, tags: Sequence[str], today: date
    ) -> None:
        self.waivers = tuple(waivers)
        self._by_id: dict[str, list[_CompiledWaiver]] = {}
        for position, waiver in enumerate(waivers):
            if not ImageSelector.of(waiver.repositories, waiver.tags).matches(repository, tags):
                continue
            compiled = _CompiledWaiver(
                position=position,
                waiver=waiver,
                expired=today > waiver.expires,
                package=compile_patterns([waiver.package]) if waiver.package else None,
                purl=PackageUrl.parse(waiver.purl) if waiver.purl else None,
                path=compile_path_glob(waiver.path) if waiver.path else None,
            )
            self._by_id.setdefault(waiver.id.casefold(), []).append(compiled)

    def apply(self, findings: Iterable[Finding]) -> WaiverResult:
        result = WaiverResult()
        purls = _PurlCache()
        for finding in findings:
            waived = False
            for candidate in self._by_id.get(finding.id.casefold(), ()):
                if not candidate.covers(finding, purls):
                    continue
                bucket = result.expired if candidate.expired else result.applied
                bucket.setdefault(candidate.position, []).append(finding)
                waived = waived or not candidate.expired
            if not waived:
                result.remaining.append(finding)
        return result
