"""Which image a report is evaluated as: options first, then the report's own image."""

from __future__ import annotations

import pytest
from ecr_guard.cli.scope import image_for_report
from ecr_guard.errors import InputError
from ecr_guard.findings.model import ImageFacts, ReportSource, ScanReport
from ecr_guard.images import ImageRef

DIGEST = "sha256:" + "4e" * 32


def _report(**facts: object) -> ScanReport:
    return ScanReport(
        source=ReportSource.TRIVY,
        origin="report.json",
        format="trivy-json",
        image=ImageFacts.model_validate(facts),
    )


def test_options_name_the_image_and_keep_the_reports_digest() -> None:
    report = _report(repository="flask-api", tags=("test",), digest=DIGEST)

    image = image_for_report(report, repository="team/app", tags=("1.2.3", "latest"))

    assert image == ImageRef(repository="team/app", tags=("1.2.3", "latest"), digest=DIGEST)


def test_report_image_is_used_when_no_option_is_given() -> None:
    report = _report(repository="flask-api", tags=("test",))

    assert image_for_report(report, repository=None, tags=()) == ImageRef(
        repository="flask-api", tags=("test",)
    )


def test_repository_option_alone_keeps_the_reports_tags() -> None:
    report = _report(repository="flask-api", tags=("test",))

    image = image_for_report(report, repository="team/app", tags=())

    assert image == ImageRef(repository="team/app", tags=("test",))


@pytest.mark.parametrize(
    ("artifact_name", "expected"),
    [
        ("flask-api:test", ImageRef(repository="flask-api", tags=("test",))),
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2.3",
            ImageRef(repository="team/app", tags=("1.2.3",)),
        ),
        ("localhost:5000/app:dev", ImageRef(repository="app", tags=("dev",))),
        (f"ghcr.io/org/app@{DIGEST}", ImageRef(repository="org/app", digest=DIGEST)),
        (
            f"docker.io/library/nginx:1.27@{DIGEST}",
            ImageRef(repository="library/nginx", tags=("1.27",), digest=DIGEST),
        ),
    ],
)
def test_artifact_name_that_is_an_image_reference_names_the_image(
    artifact_name: str, expected: ImageRef
) -> None:
    report = _report(artifact_name=artifact_name)

    assert image_for_report(report, repository=None, tags=()) == expected


@pytest.mark.parametrize(
    "artifact_name",
    [
        "testdata/fixtures/repo/secrets",
        "testdata/fixtures/images/alpine-310.tar.gz",
        "./app",
        "/builds/project",
        "image.tar",
        "my app:1",
        "app@sha256:short",
        "",
    ],
)
def test_artifact_name_that_is_not_an_image_reference_names_no_image(artifact_name: str) -> None:
    report = _report(artifact_name=artifact_name or None)

    assert image_for_report(report, repository=None, tags=()) is None


def test_tag_option_without_any_repository_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--tag needs a repository") as raised:
        image_for_report(_report(), repository=None, tags=("1.2.3",))

    assert raised.value.source == "report.json"
