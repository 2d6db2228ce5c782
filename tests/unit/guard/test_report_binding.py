"""Binding a Trivy report object to the ECR image it describes, or saying why not."""

from __future__ import annotations

import pytest
from ecr_guard.guard.binding import BindingError, ReportBinding, bind_report

DIGEST = "sha256:" + "0123456789abcdef" * 4
OTHER = "sha256:" + "f" * 64


def test_key_layout_names_a_nested_repository_and_the_digest():
    assert bind_report(f"trivy/team/app/worker/{DIGEST}.json", {}) == ReportBinding(
        "team/app/worker", DIGEST
    )


def test_metadata_overrides_the_key_part_by_part():
    binding = bind_report(f"trivy/team/app/{DIGEST}.json", {"ecr-digest": OTHER})

    assert binding == ReportBinding("team/app", OTHER)


def test_metadata_alone_binds_any_key():
    metadata = {"ecr-repository": "team/app", "ecr-digest": DIGEST}

    assert bind_report("trivy/builds/4711.json", metadata) == ReportBinding("team/app", DIGEST)


@pytest.mark.parametrize(
    ("key", "metadata", "reason"),
    [
        ("trivy/team/app/report.txt", {}, "the key is not trivy/<repository>/<digest>.json"),
        ("trivy/team/app/latest.json", {}, "malformed image digest 'latest'"),
        (f"trivy/{DIGEST}.json", {}, "no repository"),
        ("trivy/x.txt", {"ecr-repository": "team/app"}, "no image digest"),
        (f"trivy/Team/App/{DIGEST}.json", {}, "malformed repository name 'Team/App'"),
        (f"trivy/team/app/{DIGEST.upper()}.json", {}, "malformed image digest"),
    ],
)
def test_report_that_cannot_be_bound_says_why(key, metadata, reason):
    with pytest.raises(BindingError, match=reason.replace("<", ".").replace(">", ".")):
        bind_report(key, metadata)
