"""Package URLs (purl), parsed just enough to match a waiver's purl against a finding's.

A waiver's purl is a constraint, as in Trivy's ignore file: type, namespace and name must be
equal; a version or subpath, when given, must be equal too; every qualifier given must be
present with the same value. `pkg:deb/debian/libssl1.1` therefore covers every version and
architecture of that package.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

_SCHEME = "pkg:"


@dataclass(frozen=True, slots=True)
class PackageUrl:
    """The parts of a package URL, percent-decoded."""

    type: str
    namespace: str
    name: str
    version: str
    qualifiers: tuple[tuple[str, str], ...]
    subpath: str

    @classmethod
    def parse(cls, text: str) -> PackageUrl:
        """Parse `pkg:type/namespace/name@version?qualifiers#subpath`; ValueError if malformed."""
        if not text.lower().startswith(_SCHEME):
            raise ValueError(f"{text!r} is not a package URL: it must start with 'pkg:'")

        rest, _, subpath = text[len(_SCHEME) :].strip("/").partition("#")
        rest, _, query = rest.partition("?")
        # The version follows the last '@': npm scopes (`%40scope`) are percent-encoded.
        path, at, version = rest.rpartition("@")
        if not at:
            path, version = rest, ""

        segments = [unquote(segment) for segment in path.split("/") if segment]
        if len(segments) < 2:
            raise ValueError(f"{text!r} is not a package URL: it needs a type and a name")

        return cls(
            type=segments[0].lower(),
            namespace="/".join(segments[1:-1]),
            name=segments[-1],
            version=unquote(version),
            qualifiers=_parse_qualifiers(query),
            subpath=unquote(subpath.strip("/")),
        )

    def covers(self, target: PackageUrl) -> bool:
        """True when `target` satisfies this purl used as a constraint."""
        if (self.type, self.namespace, self.name) != (target.type, target.namespace, target.name):
            return False
        if self.version and self.version != target.version:
            return False
        if self.subpath and self.subpath != target.subpath:
            return False
        present = dict(target.qualifiers)
        return all(present.get(key) == value for key, value in self.qualifiers)


def parse_or_none(text: str | None) -> PackageUrl | None:
    """The parsed purl of a finding, or None when it has none or it is malformed."""
    if not text:
        return None
    try:
        return PackageUrl.parse(text)
    except ValueError:
        return None


def _parse_qualifiers(query: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in query.split("&"):
        key, _, value = item.partition("=")
        if key and value:
            pairs.append((key.lower(), unquote(value)))
    return tuple(sorted(pairs))
