"""Every EventBridge rule of template.yaml against published sample events and hand-written ones.

Patterns are rendered the way CloudFormation deploys them (RepositoryFilter substituted), then
matched with moto's EventBridge matcher.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .cfn import ACCOUNT, REGION, Renderer, sam_generated_rules
from .patterns import matches

PUSH_RULE = "PushRecorderFunctionImagePushed"
DIGEST = "sha256:" + "ab" * 32

# What each published sample must reach: a rule's logical id, or nothing.
CORPUS_ROUTES: dict[str, set[str]] = {
    "ecr-events/image-action-push-success.json": {PUSH_RULE},
    "ecr-events/image-action-delete-success.json": set(),
    "ecr-events/image-action-restore-update-storage-class.json": set(),
    "ecr-events/image-scan-basic-complete-docs.json": {"EcrImageScanRule"},
    "ecr-events/referrer-action-restore.json": set(),
    "ecr-events/replication-action-failed.json": set(),
    "ecr-events/replication-action-success.json": set(),
    "ecr-events/scan-resource-change-frequency.json": set(),
    "inspector-events/inspector2-coverage-ec2.json": set(),
    "inspector-events/inspector2-finding-ecr-2021.json": {"InspectorFindingRule"},
    "inspector-events/inspector2-finding-ecr-2021-current-page.json": {"InspectorFindingRule"},
    "inspector-events/inspector2-scan-ecr-initial-2021.json": {"InspectorScanRule"},
    "inspector-events/inspector2-scan-lambda-initial-negative.json": set(),
}


def rule_patterns(renderer: Renderer) -> dict[str, dict[str, Any]]:
    """Deployed pattern of every rule: the template's rules and those SAM generates."""
    patterns = {
        logical_id: renderer.render(resource["Properties"]["EventPattern"])
        for logical_id, resource in renderer.template["Resources"].items()
        if resource["Type"] == "AWS::Events::Rule"
    }
    for logical_id, properties in sam_generated_rules(renderer.template).items():
        patterns[logical_id] = renderer.render(properties["Pattern"])
    return patterns


def routes(renderer: Renderer, event: dict[str, Any]) -> set[str]:
    return {name for name, pattern in rule_patterns(renderer).items() if matches(pattern, event)}


def envelope(source: str, detail_type: str, detail: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": "2026-12-03T12:00:00Z",
        "region": REGION,
        "resources": extra.pop("resources", []),
        "detail": detail,
        **extra,
    }


def push_event(repository: str, **detail: Any) -> dict[str, Any]:
    fields = {
        "result": "SUCCESS",
        "repository-name": repository,
        "image-digest": DIGEST,
        "action-type": "PUSH",
        "image-tag": "1.2.3",
    }
    return envelope("aws.ecr", "ECR Image Action", {**fields, **detail})


def scan_event(repository: str, status: str) -> dict[str, Any]:
    detail = {
        "scan-status": status,
        "repository-name": repository,
        "image-digest": DIGEST,
        "image-tags": [],
    }
    return envelope("aws.ecr", "ECR Image Scan", detail)


def inspector_scan_event(repository: str) -> dict[str, Any]:
    repository_arn = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}"
    detail = {
        "scan-status": "INITIAL_SCAN_COMPLETE",
        "repository-name": repository_arn,
        "finding-severity-counts": {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 0, "TOTAL": 1},
        "image-digest": DIGEST,
        "image-tags": ["1.2.3"],
    }
    return envelope("aws.inspector2", "Inspector2 Scan", detail, resources=[repository_arn])


def object_created_event(bucket: str, key: str) -> dict[str, Any]:
    detail = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": {"key": key, "size": 1024, "etag": "b1946ac92492d2347c6235b4d2611184"},
        "request-id": "57H08PA84AB1JZW0",
        "requester": ACCOUNT,
        "reason": "PutObject",
    }
    return envelope("aws.s3", "Object Created", detail, resources=[f"arn:aws:s3:::{bucket}"])


def trivy_uploaded_event(bucket: str, repository: str) -> dict[str, Any]:
    detail = {
        "bucket": bucket,
        "key": f"trivy/{repository}/{DIGEST}.json",
        "repository-name": repository,
        "image-digest": DIGEST,
        "image-tags": ["1.2.3"],
    }
    return envelope("ecr-guard.ci", "Trivy Report Uploaded", detail)


def load_event(corpus: Path, name: str) -> dict[str, Any]:
    event = json.loads((corpus / name).read_text(encoding="utf-8"))
    assert isinstance(event, dict)
    return event


# ---------------------------------------------------------------------------- published samples
@pytest.mark.corpus
@pytest.mark.parametrize(("name", "expected"), sorted(CORPUS_ROUTES.items()))
def test_published_sample_reaches_exactly_its_rule(
    corpus: Path, rendered: Renderer, name: str, expected: set[str]
) -> None:
    assert routes(rendered, load_event(corpus, name)) == expected


@pytest.mark.corpus
def test_every_published_event_sample_has_an_expected_route(corpus: Path) -> None:
    samples = {
        str(path.relative_to(corpus))
        for folder in ("ecr-events", "inspector-events")
        for path in (corpus / folder).glob("*.json")
    }
    assert samples == set(CORPUS_ROUTES)


@pytest.mark.corpus
def test_inspector_findings_from_list_findings_reach_the_finding_rule(
    corpus: Path, rendered: Renderer
) -> None:
    # ListFindings items have the same shape as an Inspector2 Finding event's detail.
    listing = load_event(corpus, "scan-findings/inspector2-list-findings-ecr-1.json")
    for finding in listing["findings"]:
        event = envelope("aws.inspector2", "Inspector2 Finding", finding)
        assert routes(rendered, event) == {"InspectorFindingRule"}


@pytest.mark.corpus
def test_inspector_finding_for_an_ec2_instance_reaches_no_rule(
    corpus: Path, rendered: Renderer
) -> None:
    event = load_event(corpus, "inspector-events/inspector2-finding-ecr-2021.json")
    ec2_finding = copy.deepcopy(event)
    ec2_finding["detail"]["resources"] = [
        {"type": "AWS_EC2_INSTANCE", "id": "i-087d63509b8c97098", "details": {}}
    ]
    assert routes(rendered, ec2_finding) == set()


@pytest.mark.corpus
@pytest.mark.parametrize("repository_filter", ["amazon/*", "amazon/amazon-ecs-sample", "*sample"])
def test_inspector_samples_match_a_filter_covering_their_repository(
    corpus: Path, renderer_for: Callable[..., Renderer], repository_filter: str
) -> None:
    renderer = renderer_for(RepositoryFilter=repository_filter)
    scan = load_event(corpus, "inspector-events/inspector2-scan-ecr-initial-2021.json")
    finding = load_event(corpus, "inspector-events/inspector2-finding-ecr-2021.json")
    assert routes(renderer, scan) == {"InspectorScanRule"}
    assert routes(renderer, finding) == {"InspectorFindingRule"}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(name for name, rules in CORPUS_ROUTES.items() if rules))
def test_samples_of_other_repositories_are_filtered_out(
    corpus: Path, renderer_for: Callable[..., Renderer], name: str
) -> None:
    assert routes(renderer_for(RepositoryFilter="team/*"), load_event(corpus, name)) == set()


# ---------------------------------------------------------------------------- ECR
@pytest.mark.parametrize(
    ("repository_filter", "repository", "expected"),
    [
        ("*", "team/app", True),
        ("*", "docker-hub/library/nginx", True),
        ("team/*", "team/app", True),
        ("team/*", "team/backend/api", True),
        ("team/*", "team", False),
        ("team/*", "other/app", False),
        ("team/*", "myteam/app", False),
        ("team/app", "team/app", True),
        ("team/app", "team/app-old", False),
    ],
)
def test_push_rule_applies_the_repository_filter(
    renderer_for: Callable[..., Renderer], repository_filter: str, repository: str, expected: bool
) -> None:
    renderer = renderer_for(RepositoryFilter=repository_filter)
    assert (routes(renderer, push_event(repository)) == {PUSH_RULE}) is expected


def test_push_of_an_untagged_image_reaches_the_push_rule(rendered: Renderer) -> None:
    event = push_event("team/app")
    del event["detail"]["image-tag"]
    assert routes(rendered, event) == {PUSH_RULE}


@pytest.mark.parametrize(("field", "value"), [("result", "FAILURE"), ("action-type", "DELETE")])
def test_push_rule_ignores_failed_pushes_and_other_actions(
    rendered: Renderer, field: str, value: str
) -> None:
    assert routes(rendered, push_event("team/app", **{field: value})) == set()


@pytest.mark.parametrize(
    ("status", "expected"), [("COMPLETE", True), ("FAILED", True), ("IN_PROGRESS", False)]
)
def test_scan_rule_takes_finished_scans_only(
    rendered: Renderer, status: str, expected: bool
) -> None:
    assert (routes(rendered, scan_event("team/app", status)) == {"EcrImageScanRule"}) is expected


@pytest.mark.parametrize(("repository", "expected"), [("team/app", True), ("other/app", False)])
def test_scan_rule_applies_the_repository_filter(
    renderer_for: Callable[..., Renderer], repository: str, expected: bool
) -> None:
    renderer = renderer_for(RepositoryFilter="team/*")
    event = scan_event(repository, "COMPLETE")
    assert (routes(renderer, event) == {"EcrImageScanRule"}) is expected


@pytest.mark.parametrize(
    ("repository", "expected"), [("team/app", True), ("other/team/app", False)]
)
def test_inspector_scan_rule_filters_on_the_repository_inside_the_arn(
    renderer_for: Callable[..., Renderer], repository: str, expected: bool
) -> None:
    renderer = renderer_for(RepositoryFilter="team/*")
    event = inspector_scan_event(repository)
    assert (routes(renderer, event) == {"InspectorScanRule"}) is expected


# ---------------------------------------------------------------------------- Trivy reports
def test_report_uploaded_under_trivy_reaches_the_object_rule(rendered: Renderer) -> None:
    bucket = rendered.physical_name("ReportsBucket")
    event = object_created_event(bucket, f"trivy/team/app/{DIGEST}.json")
    assert routes(rendered, event) == {"TrivyReportObjectRule"}


@pytest.mark.parametrize(
    ("bucket", "key"),
    [
        ("someone-elses-bucket", f"trivy/team/app/{DIGEST}.json"),
        (None, f"reports/team/app/{DIGEST}.json"),
        (None, f"team/trivy/{DIGEST}.json"),
    ],
)
def test_objects_elsewhere_reach_no_rule(rendered: Renderer, bucket: str | None, key: str) -> None:
    event = object_created_event(bucket or rendered.physical_name("ReportsBucket"), key)
    assert routes(rendered, event) == set()


def test_object_deleted_under_trivy_reaches_no_rule(rendered: Renderer) -> None:
    event = object_created_event(rendered.physical_name("ReportsBucket"), f"trivy/a/{DIGEST}.json")
    event["detail-type"] = "Object Deleted"
    assert routes(rendered, event) == set()


def test_custom_trivy_event_reaches_the_custom_rule(rendered: Renderer) -> None:
    event = trivy_uploaded_event(rendered.physical_name("ReportsBucket"), "team/app")
    assert routes(rendered, event) == {"TrivyReportEventRule"}


@pytest.mark.parametrize(("repository", "expected"), [("team/app", True), ("other/app", False)])
def test_custom_trivy_event_applies_the_repository_filter(
    renderer_for: Callable[..., Renderer], repository: str, expected: bool
) -> None:
    renderer = renderer_for(RepositoryFilter="team/*")
    event = trivy_uploaded_event(renderer.physical_name("ReportsBucket"), repository)
    assert (routes(renderer, event) == {"TrivyReportEventRule"}) is expected


def test_custom_event_from_another_source_reaches_no_rule(rendered: Renderer) -> None:
    event = trivy_uploaded_event(rendered.physical_name("ReportsBucket"), "team/app")
    event["source"] = "my-ci"
    assert routes(rendered, event) == set()


# ---------------------------------------------------------------------------- the patterns
@pytest.mark.parametrize("repository_filter", ["*", "team/*", "team/app"])
def test_rendered_wildcards_never_hold_consecutive_stars(
    renderer_for: Callable[..., Renderer], repository_filter: str
) -> None:
    # EventBridge rejects "**" in a wildcard filter at deploy time.
    text = json.dumps(rule_patterns(renderer_for(RepositoryFilter=repository_filter)))
    assert "**" not in text


def test_template_has_the_six_rules_of_the_design(rendered: Renderer) -> None:
    assert set(rule_patterns(rendered)) == {
        PUSH_RULE,
        "EcrImageScanRule",
        "InspectorScanRule",
        "InspectorFindingRule",
        "TrivyReportObjectRule",
        "TrivyReportEventRule",
    }


def test_finding_rule_names_the_ecr_image_resource_type(rendered: Renderer) -> None:
    # Redundant with the repositoryName filter today; it keeps EC2/Lambda findings out should
    # Inspector ever add repository details to other resource types.
    pattern = rule_patterns(rendered)["InspectorFindingRule"]
    assert pattern["detail"]["resources"]["type"] == ["AWS_ECR_CONTAINER_IMAGE"]
