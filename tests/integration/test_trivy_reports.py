"""Trivy reports uploaded by CI to the reports bucket, announced by S3 or by CI's own event."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.integration.events import s3_object_created, trivy_report_uploaded
from tests.integration.stack import BUCKET, REGION

pytestmark = pytest.mark.corpus

REPO = "team/app"


def quarantine_tag(digest: str) -> str:
    return f"quarantine-sha256-{digest.removeprefix('sha256:')}"


def upload(corpus: Path, report: str, key: str, metadata: dict[str, str] | None = None) -> dict:
    """Put a corpus report in the bucket; the PutObject answer (VersionId, ETag)."""
    s3 = boto3.client("s3", region_name=REGION)
    return s3.put_object(
        Bucket=BUCKET,
        Key=key,
        Body=(corpus / "trivy" / report).read_bytes(),
        Metadata=metadata or {},
    )


def test_report_bound_by_its_key_quarantines_the_image(corpus, guard, pushed, registry, stack):
    digest = pushed("8a2dad1", "dev-latest")
    key = f"trivy/{REPO}/{digest}.json"
    version = upload(corpus, "real-ecr-image-29-vulns.json", key)["VersionId"]

    run = guard(s3_object_created(BUCKET, key, version_id=version))

    assert run.response == {"batchItemFailures": []}
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}
    [decision] = run.output.decisions()
    assert decision["source"] == "trivy"
    assert decision["tags"] == ["8a2dad1", "dev-latest"]
    state = stack.state(REGION, REPO, digest)
    assert state["decision#trivy"]["origin"] == f"s3://{BUCKET}/{key}"
    [notification] = stack.notifications()
    assert notification.body["source"] == "trivy"
    assert notification.body["counts"]["total"] > 0


def test_object_metadata_binds_a_report_stored_under_any_key(
    corpus, guard, pushed, registry, stack
):
    digest = pushed("1.0")
    key = "trivy/uploads/build-4711.json"
    upload(
        corpus,
        "golden-alpine-310.json",
        key,
        metadata={"ecr-repository": REPO, "ecr-digest": digest},
    )

    guard(s3_object_created(BUCKET, key))

    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}


def test_ci_event_names_the_image_itself(corpus, guard, pushed, registry):
    digest = pushed("1.0")
    key = "trivy/reports/latest.json"
    version = upload(corpus, "golden-debian-stretch.json", key)["VersionId"]

    guard(trivy_report_uploaded(BUCKET, key, REPO, digest, tags=["1.0"], version_id=version))

    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}


@pytest.mark.parametrize(
    ("key", "metadata", "reason"),
    [
        ("trivy/report.json", {}, "malformed image digest 'report'"),
        ("trivy/reports/app.json", {}, "malformed image digest 'app'"),
        (f"trivy/{REPO}/sha256:abc.json", {}, "malformed image digest 'sha256:abc'"),
        ("trivy/upload.json", {"ecr-digest": "sha256:" + "a" * 64}, "no repository"),
    ],
)
def test_report_that_cannot_be_bound_is_rejected_and_counted(
    *, corpus, guard, stack, calls, key, metadata, reason
):
    upload(corpus, "golden-alpine-310.json", key, metadata)

    run = guard(s3_object_created(BUCKET, key))

    assert run.response == {"batchItemFailures": []}
    [rejected] = run.output.messages("report rejected")
    assert rejected["level"] == "WARNING"
    assert (rejected["bucket"], rejected["key"]) == (BUCKET, key)
    assert reason in rejected["reason"]
    assert run.output.metrics["ReportsRejected"] == 1
    assert calls.operations("guard") == {"s3:GetObject": 1}
    assert stack.items() == []


def test_report_in_another_format_is_rejected(corpus, guard, pushed, registry):
    digest = pushed("1.0")
    key = f"trivy/{REPO}/{digest}.json"
    upload(corpus, "golden-alpine-310.sarif.json", key)

    run = guard(s3_object_created(BUCKET, key))

    [rejected] = run.output.messages("report rejected")
    assert "SARIF" in rejected["reason"]
    assert run.output.metrics["ReportsRejected"] == 1
    assert registry.tags(REPO, digest) == {"1.0"}


def test_report_naming_another_digest_is_rejected(corpus, guard, pushed, registry):
    digest = pushed("1.0")
    key = f"trivy/{REPO}/{digest}.json"
    upload(corpus, "real-fueltime-74-vulns-with-packages.json", key)

    run = guard(s3_object_created(BUCKET, key))

    [rejected] = run.output.messages("report rejected")
    assert "names digest sha256:f80ade9b" in rejected["reason"]
    assert registry.tags(REPO, digest) == {"1.0"}


def test_report_larger_than_the_limit_is_rejected_before_it_is_read(
    corpus, guard, pushed, monkeypatch
):
    monkeypatch.setattr("ecr_guard.findings.load.MAX_REPORT_BYTES", 1024)
    digest = pushed("1.0")
    key = f"trivy/{REPO}/{digest}.json"
    upload(corpus, "real-ecr-image-29-vulns.json", key)

    run = guard(s3_object_created(BUCKET, key))

    [rejected] = run.output.messages("report rejected")
    assert "more than the limit of 1024 bytes" in rejected["reason"]


def test_report_outside_the_trivy_prefix_is_rejected_without_reading_it(guard, calls):
    run = guard(s3_object_created(BUCKET, "reports/team/app.json"))

    [rejected] = run.output.messages("report rejected")
    assert rejected["reason"] == "reports are read only under trivy/"
    assert run.output.metrics["ReportsRejected"] == 1
    assert calls.operations("guard") == {}


def test_report_in_another_bucket_is_rejected(corpus, guard, calls):
    run = guard(s3_object_created("someone-elses-bucket", "trivy/x.json"))

    [rejected] = run.output.messages("report rejected")
    assert rejected["reason"] == "not the reports bucket"
    assert calls.operations("guard") == {}


def test_clean_report_passes_quietly(corpus, guard, pushed, registry, stack):
    digest = pushed("1.0")
    key = f"trivy/{REPO}/{digest}.json"
    upload(corpus, "golden-alpine-39-no-results-key.json", key)

    run = guard(s3_object_created(BUCKET, key))

    assert run.output.decisions()[0]["verdict"] == "PASS"
    assert registry.tags(REPO, digest) == {"1.0"}
    assert stack.notifications() == []
