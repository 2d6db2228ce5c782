"""Package URLs (purl) as waiver constraints; parsing is packageurl-python's.

A waiver's purl is a constraint, as in Trivy's ignore file: type, namespace and name must be
equal; a version or subpath, when given, must be equal too; every qualifier given must be
present with the same value. `pkg:deb/debian/libssl1.1` therefore covers every version and
architecture of that package.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PackageUrl:
    """The parts of a package URL, percent-decoded and normalised per purl type."""

    type: str
    namespace: str
    name: str
    version: str
    qualifiers: tuple[tuple[str, str], ...]
    subpath: str

    @classmethod
    def parse(cls, text: str) -> PackageUrl:
        """Parse `pkg:type/namespace/name@version?qualifiers#subpath`; ValueError if malformed."""
        # Imported here: only policies with purl waivers need it, and the guard's cold start
        # should not pay for it otherwise.
        from packageurl import PackageURL  # noqa: PLC0415

        text = text.strip()
        if not text.lower().startswith("pkg:"):
            raise ValueError(f"{text!r} is not a package URL: it must start with 'pkg:'")
        try:
            # The scheme is case-insensitive like any URL scheme; the library wants it lower.
            parsed = PackageURL.from_string("pkg:" + text[4:])
        except ValueError as error:
            # The library's wording ("purl is missing the required type component: …") is
            # turned into one that names the value the way every other policy error does.
            reason = str(error).split(":", 1)[0].removeprefix("purl is ").rstrip(".")
            raise ValueError(f"{text!r} is not a package URL: it is {reason}") from error
        qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
        return cls(
            type=parsed.type,
            namespace=parsed.namespace or "",
            name=parsed.name,
            version=parsed.version or "",
            qualifiers=tuple(sorted(qualifiers.items())),
            subpath=parsed.subpath or "",
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
