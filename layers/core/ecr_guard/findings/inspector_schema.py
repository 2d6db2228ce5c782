"""Amazon Inspector's finding as ecr-guard reads it: only the fields it uses.

One shape serves Inspector (`inspectorScore`, `inspectorScoreDetails.adjustedCvss`) and ECR's
enhanced findings, which carry the same finding with the score fields renamed (`score`,
`scoreDetails.cvss`). Unused fields (descriptions, remediation, timestamps) are ignored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, TypeAdapter
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from ecr_guard.findings.parsing import CvssScore, lenient_datetime


class FindingType(StrEnum):
    PACKAGE_VULNERABILITY = "PACKAGE_VULNERABILITY"
    CODE_VULNERABILITY = "CODE_VULNERABILITY"
    NETWORK_REACHABILITY = "NETWORK_REACHABILITY"


LenientDatetime = Annotated[Any, PlainValidator(lenient_datetime)]


class AdjustedCvss(TypedDict, total=False):
    """`inspectorScoreDetails.adjustedCvss` (Inspector) or `scoreDetails.cvss` (ECR)."""

    score: CvssScore | None
    version: str | None
    cvssSource: str | None
    scoreSource: str | None
    scoringVector: str | None


class ScoreDetails(TypedDict, total=False):
    adjustedCvss: AdjustedCvss | None
    cvss: AdjustedCvss | None


class PackageCvss(TypedDict, total=False):
    baseScore: CvssScore | None
    version: str | None
    source: str | None
    scoringVector: str | None


class VulnerablePackage(TypedDict, total=False):
    name: str | None
    version: str | None
    release: str | None
    epoch: int | None
    packageManager: str | None
    filePath: str | None
    fixedInVersion: str | None
    purl: str | None


class PackageDetails(TypedDict, total=False):
    vulnerabilityId: Annotated[str, Field(min_length=1)]
    cvss: list[PackageCvss] | None
    sourceUrl: str | None
    referenceUrls: list[str] | None
    vendorCreatedAt: LenientDatetime
    vulnerablePackages: list[VulnerablePackage] | None


class CodeFilePath(TypedDict, total=False):
    filePath: str | None
    startLine: int | None


class CodeDetails(TypedDict, total=False):
    ruleId: str | None
    detectorId: str | None
    filePath: CodeFilePath | None
    referenceUrls: list[str] | None


class EcrImage(TypedDict, total=False):
    repositoryName: str | None
    imageHash: str | None
    imageTags: list[str] | None
    architecture: str | None
    platform: str | None
    author: str | None


class ResourceDetails(TypedDict, total=False):
    awsEcrContainerImage: EcrImage | None


class Resource(TypedDict, total=False):
    type: str | None
    details: ResourceDetails | None


class Epss(TypedDict, total=False):
    score: Annotated[float, Field(ge=0, le=1)] | None


class FindingFields(TypedDict, total=False):
    findingArn: str | None
    type: str | None
    title: str | None
    severity: str | None
    status: str | None
    fixAvailable: str | None
    exploitAvailable: str | None
    epss: Epss | None
    inspectorScore: CvssScore | None
    score: CvssScore | None
    inspectorScoreDetails: ScoreDetails | None
    scoreDetails: ScoreDetails | None
    packageVulnerabilityDetails: PackageDetails | None
    codeVulnerabilityDetails: CodeDetails | None
    resources: list[Resource] | None


def _identifiable(finding: FindingFields) -> FindingFields:
    kind = finding.get("type") or FindingType.PACKAGE_VULNERABILITY
    if kind == FindingType.PACKAGE_VULNERABILITY:
        details = finding.get("packageVulnerabilityDetails") or {}
        if "vulnerabilityId" not in details:
            raise PydanticCustomError(
                "missing_id",
                "a package vulnerability needs packageVulnerabilityDetails.vulnerabilityId",
            )
    if kind == FindingType.CODE_VULNERABILITY and not code_finding_id(finding):
        raise PydanticCustomError(
            "missing_id", "a code vulnerability needs a ruleId, a detectorId or a findingArn"
        )
    return finding


def code_finding_id(finding: FindingFields) -> str | None:
    details = finding.get("codeVulnerabilityDetails") or {}
    return details.get("ruleId") or details.get("detectorId") or finding.get("findingArn")


FINDING = TypeAdapter(Annotated[FindingFields, AfterValidator(_identifiable)])
