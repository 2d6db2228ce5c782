"""One findings model for Trivy, ECR basic scanning, ECR enhanced scanning and Amazon Inspector.

Every parser produces a `ScanReport` holding `Finding` objects. Each finding is one occurrence:
one vulnerability in one package, one secret in one file, one failed misconfiguration check.
Grouping occurrences of the same vulnerability is the policy's job, not the parser's.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    """ecr-guard's one severity scale, from CRITICAL down to an explicit UNKNOWN."""

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    UNKNOWN = "UNKNOWN"

    @property
    def rank(self) -> int:
        """4 for CRITICAL down to 0 for UNKNOWN, for "at least" comparisons and sorting."""
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, label: str | None) -> Severity:
        """Map any scanner's label onto the scale.

        ECR basic says INFORMATIONAL and UNDEFINED, Inspector INFORMATIONAL and UNTRIAGED,
        Trivy UNKNOWN. INFORMATIONAL is a graded, negligible risk, so it becomes LOW; the
        ungraded labels become UNKNOWN, which a policy can address on its own.
        """
        if label is None:
            return cls.UNKNOWN
        return _SEVERITY_LABELS.get(label.strip().upper(), cls.UNKNOWN)


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.UNKNOWN: 0,
}

_SEVERITY_LABELS = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "MODERATE": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "INFORMATIONAL": Severity.LOW,
    "NEGLIGIBLE": Severity.LOW,
    "UNKNOWN": Severity.UNKNOWN,
    "UNDEFINED": Severity.UNKNOWN,
    "UNTRIAGED": Severity.UNKNOWN,
}


class FindingKind(StrEnum):
    VULNERABILITY = "vulnerability"
    SECRET = "secret"
    MISCONFIGURATION = "misconfiguration"


class FixAvailability(StrEnum):
    """Whether a fix exists: for every affected package, for some of them, or for none."""

    YES = "YES"
    PARTIAL = "PARTIAL"
    NO = "NO"


class ReportSource(StrEnum):
    TRIVY = "trivy"
    ECR_BASIC = "ecr-basic"
    ECR_ENHANCED = "ecr-enhanced"
    INSPECTOR = "inspector"


class ScanStatus(StrEnum):
    """Whether a report can be judged. Anything but COMPLETE makes the verdict UNKNOWN."""

    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    UNSUPPORTED = "UNSUPPORTED"
    PENDING = "PENDING"


class Finding(BaseModel):
    """One finding occurrence, whatever scanner reported it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FindingKind
    id: str = Field(min_length=1, description="CVE, GHSA or other advisory id; a rule id.")
    severity: Severity
    severity_source: str | None = Field(
        default=None, description="Who graded it: nvd, debian, ghsa, inspector, ecr…"
    )
    title: str | None = None
    url: str | None = Field(default=None, description="The primary reference for the finding.")
    active: bool = Field(
        default=True,
        description="False when the source reports it closed, suppressed or not affecting.",
    )
    status: str | None = Field(
        default=None, description="The source's own status (Trivy Status, Inspector status)."
    )

    package_name: str | None = None
    installed_version: str | None = None
    fixed_versions: tuple[str, ...] = ()
    fix: FixAvailability = FixAvailability.NO
    package_type: str | None = Field(
        default=None, description="Package manager or ecosystem: debian, apk, jar, pip, npm…"
    )
    path: str | None = Field(
        default=None, description="File the finding is in (language package, secret, config)."
    )
    purl: str | None = None
    target: str | None = Field(default=None, description="The scanned target (Trivy Target).")
    line: int | None = Field(default=None, description="First line, for secrets and configs.")

    cvss_score: float | None = Field(default=None, ge=0, le=10)
    cvss_version: str | None = None
    cvss_source: str | None = None
    cvss_vector: str | None = None

    exploit_available: bool | None = None
    epss: float | None = Field(default=None, ge=0, le=1)
    published: datetime | None = None

    def display_package(self) -> str:
        """`name installed-version`, or the path for findings that are not in a package."""
        if self.package_name:
            if self.installed_version:
                return f"{self.package_name} {self.installed_version}"
            return self.package_name
        return self.path or self.target or ""

    def display_fix(self) -> str:
        """The fixed versions; `no fix` for an unfixed vulnerability; empty for other kinds.

        A source may report a fix without naming its version (Trivy's Status `fixed` with no
        FixedVersion): that is still a fix, and the policy treats it as one.
        """
        if self.fixed_versions:
            return ", ".join(self.fixed_versions)
        if self.kind is not FindingKind.VULNERABILITY:
            return ""
        return NO_FIX if self.fix is FixAvailability.NO else FIX_VERSION_NOT_GIVEN


NO_FIX = "no fix"
FIX_VERSION_NOT_GIVEN = "fixed (version not given)"


class ImageFacts(BaseModel):
    """Image-level facts a report carries, where its source has them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    artifact_name: str | None = None
    os_family: str | None = None
    os_version: str | None = None
    os_end_of_life: bool | None = None
    size_bytes: int | None = Field(default=None, ge=0)
    architecture: str | None = None
    digest: str | None = Field(
        default=None, description="Manifest digest, when the report names one (ECR, Inspector)."
    )
    repository: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = Field(
        default=None, description="Who built or pushed the image, where the source says so."
    )


class ScanReport(BaseModel):
    """One scan of one image or artifact, normalised."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: ReportSource
    origin: str = Field(description="Where the report came from: a file path, an S3 URI, an API.")
    format: str = Field(description="The input format recognised, for messages and logs.")
    status: ScanStatus = ScanStatus.COMPLETE
    status_reason: str | None = None
    scanner_version: str | None = None
    created_at: datetime | None = None
    image: ImageFacts = ImageFacts()
    findings: tuple[Finding, ...] = ()
    skipped: dict[str, int] = Field(
        default_factory=dict,
        description="Results read but not evaluated, by class (license: 20).",
    )

    @property
    def usable(self) -> bool:
        return self.status is ScanStatus.COMPLETE
