"""Trivy's JSON report as ecr-guard reads it: only the fields it uses.

The shapes are TypedDicts rather than models: validation then builds plain dicts, which about
halves the memory and time a 20,000-vulnerability report takes compared with model instances.
Keys not declared here are ignored by validation, so they are never built as Python objects:
`Packages`, `Layer`, a secret's `Match` and `Code`, and a vulnerability's `Description` and
`References`, which are most of a report's bytes and are read in a second, narrow pass
(`REPORT_TEXTS`, `RESULT_LIST_TEXTS`) only when a vulnerability has no `Title` or `PrimaryURL`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Required

from pydantic import AfterValidator, Field, PlainValidator, TypeAdapter
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from ecr_guard.findings.parsing import (
    UNSUPPORTED_VERSION,
    CvssScore,
    UtcDatetime,
    title_from_description,
)

SUPPORTED_SCHEMA_VERSION = 2


def _first_reference(value: Any) -> str | None:
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return None


FirstReference = Annotated[str | None, PlainValidator(_first_reference)]
DescriptionTitle = Annotated[str | None, AfterValidator(title_from_description)]


class Counted(TypedDict):
    """An entry that is only counted (a license, a custom resource)."""


class CvssScores(TypedDict, total=False):
    V40Score: CvssScore | None
    V40Vector: str | None
    V3Score: CvssScore | None
    V3Vector: str | None
    V2Score: CvssScore | None
    V2Vector: str | None


class PackageIdentifier(TypedDict, total=False):
    PURL: str | None


class Vulnerability(TypedDict, total=False):
    VulnerabilityID: Required[Annotated[str, Field(min_length=1)]]
    PkgName: str | None
    PkgPath: str | None
    PkgIdentifier: PackageIdentifier | None
    InstalledVersion: str | None
    FixedVersion: str | None
    Status: str | None
    Severity: str | None
    SeveritySource: str | None
    PrimaryURL: str | None
    Title: str | None
    CVSS: dict[str, CvssScores] | None
    PublishedDate: UtcDatetime | None


class VulnerabilityTexts(TypedDict, total=False):
    """What stands in for a missing `Title` or `PrimaryURL`, read only when one is missing."""

    Title: str | None
    PrimaryURL: str | None
    References: FirstReference
    Description: DescriptionTitle


class ResultTexts(TypedDict, total=False):
    Vulnerabilities: list[VulnerabilityTexts] | None


class ReportTexts(TypedDict, total=False):
    Results: list[ResultTexts] | None


class Secret(TypedDict, total=False):
    """A secret finding, without `Match` and `Code`: they hold the secret."""

    RuleID: Required[Annotated[str, Field(min_length=1)]]
    Category: str | None
    Severity: str | None
    Title: str | None
    StartLine: int | None


class CauseMetadata(TypedDict, total=False):
    StartLine: int | None


class MisconfigurationFields(TypedDict, total=False):
    ID: str | None
    AVDID: str | None
    Title: str | None
    Severity: str | None
    PrimaryURL: str | None
    References: FirstReference
    Status: str | None
    CauseMetadata: CauseMetadata | None


def _has_an_id(check: MisconfigurationFields) -> MisconfigurationFields:
    if not (check.get("AVDID") or check.get("ID")):
        raise PydanticCustomError("missing_id", "a misconfiguration needs an ID or AVDID")
    return check


Misconfiguration = Annotated[MisconfigurationFields, AfterValidator(_has_an_id)]


class Result(TypedDict, total=False):
    Target: Required[str]
    Class: str | None
    Type: str | None
    Vulnerabilities: list[Vulnerability] | None
    Misconfigurations: list[Misconfiguration] | None
    Secrets: list[Secret] | None
    Licenses: list[Counted] | None
    CustomResources: list[Counted] | None


class OperatingSystem(TypedDict, total=False):
    Family: str | None
    Name: str | None
    EOSL: bool | None


class ImageConfig(TypedDict, total=False):
    architecture: str | None


class Metadata(TypedDict, total=False):
    Size: Annotated[int, Field(ge=0)] | None
    OS: OperatingSystem | None
    ImageConfig: ImageConfig | None
    RepoTags: list[str] | None
    RepoDigests: list[str] | None


class TrivyVersion(TypedDict, total=False):
    Version: str | None


def _supported_schema(value: Any) -> Any:
    # `type(...) is int` also refuses "2", 2.0 and true, which lax validation would accept.
    if type(value) is int and value == SUPPORTED_SCHEMA_VERSION:
        return value
    raise PydanticCustomError(
        UNSUPPORTED_VERSION,
        "unsupported Trivy SchemaVersion {value}; ecr-guard reads SchemaVersion 2 "
        "(Trivy 0.20 and newer) and the older reports that have no SchemaVersion",
        {"value": json.dumps(value)},
    )


class ReportFields(TypedDict, total=False):
    """Both object shapes; the transitional one has its image fields at the top level."""

    SchemaVersion: Annotated[Any, AfterValidator(_supported_schema)]
    CreatedAt: UtcDatetime | None
    ArtifactName: str | None
    Trivy: TrivyVersion | None
    Metadata: Metadata | None
    Results: list[Result] | None
    RepoTags: list[str] | None
    RepoDigests: list[str] | None


def _is_a_trivy_report(report: ReportFields) -> ReportFields:
    if "SchemaVersion" not in report and "Results" not in report:
        raise PydanticCustomError(
            "not_trivy", "not a Trivy report: it has neither SchemaVersion nor Results"
        )
    return report


REPORT_OBJECT = TypeAdapter(Annotated[ReportFields, AfterValidator(_is_a_trivy_report)])
RESULT_LIST = TypeAdapter(list[Result])
REPORT_TEXTS = TypeAdapter(ReportTexts)
RESULT_LIST_TEXTS = TypeAdapter(list[ResultTexts])
