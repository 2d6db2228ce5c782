"""The events whose AWS calls are counted, and the fewest calls each one can be served with.

Every scenario starts from a fresh emulated account and a cold execution environment (the
handler module imported anew, so per-repository caches are empty), prepares what AWS would hold
at that moment (repository, images, findings, earlier pushes), then delivers one event (or one
SQS batch) to one function; only that delivery's calls are counted.

The minimum of each scenario is what the event needs under the design, call by call:

- EVALUATION: the ledger state read (GetItem: tags, parents, earlier quarantine), the
  idempotency record written before and completed after the work (PutItem, UpdateItem), and the
  decision written to the state item and to the history (UpdateItem, PutItem);
- findings: every page of DescribeImageScanFindings at the largest page ECR serves (1,000 basic
  findings, 100 enhanced), or the one GetObject of a Trivy report;
- QUARANTINE (retag, enforce mode): the image's current tags (DescribeImages), the lifecycle
  policy check (GetLifecyclePolicy, once per repository per execution environment), the manifest
  (BatchGetImage), the quarantine tag (PutImage), the tag removal (BatchDeleteImage), the
  quarantine written to the ledger before ECR is touched and completed after (two UpdateItem),
  and the action history (PutItem);
- NOTIFICATION (a first decision worth telling, on a tagged image): the tag's last decision, to
  tell whether a new digest's failure is news (GetItem), the owning team (ListTagsForResource,
  once per repository per execution environment), the message (Publish), the decision settled
  on the image (UpdateItem) and on its tag (PutItem, conditional on the push time);
- audit mode replaces QUARANTINE with the would-be action's history item (PutItem);
- FIRST_PASS (a first clean PASS of a tagged image): nothing is sent, but the tag's record learns
  of it (PutItem, conditional on the push time), so that a later digest regressing under the
  same tag is news again.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bench.aws_paging import ENHANCED_PAGE, LARGEST_PAGE
from tests.integration import events
from tests.integration.stack import ACCOUNT, BUCKET, REGION

REPOSITORY = "team/app"
BASIC_FINDINGS = 1_200
TRIVY_VULNERABILITIES = 200
ENHANCED_FINDINGS = 250
FINDING_EVENTS = 10

EVALUATION = Counter({"dynamodb:GetItem": 1, "dynamodb:PutItem": 2, "dynamodb:UpdateItem": 2})
QUARANTINE = Counter(
    {
        "ecr:DescribeImages": 1,
        "ecr:GetLifecyclePolicy": 1,
        "ecr:BatchGetImage": 1,
        "ecr:PutImage": 1,
        "ecr:BatchDeleteImage": 1,
        "dynamodb:UpdateItem": 2,
        "dynamodb:PutItem": 1,
    }
)
NOTIFICATION = Counter(
    {
        "dynamodb:GetItem": 1,
        "ecr:ListTagsForResource": 1,
        "sns:Publish": 1,
        "dynamodb:UpdateItem": 1,
        "dynamodb:PutItem": 1,
    }
)
AUDIT_RECORD = Counter({"dynamodb:PutItem": 1})
FIRST_PASS = Counter({"dynamodb:PutItem": 1})
TRIVY_READ = Counter({"s3:GetObject": 1})


def basic_pages(findings: int) -> Counter[str]:
    return Counter({"ecr:DescribeImageScanFindings": max(1, math.ceil(findings / LARGEST_PAGE))})


def enhanced_pages(findings: int) -> Counter[str]:
    return Counter({"ecr:DescribeImageScanFindings": max(1, math.ceil(findings / ENHANCED_PAGE))})


class World(Protocol):
    """What a scenario can do in the emulated account (`bench.aws_calls.EmulatedWorld`)."""

    def push(self, *tags: str) -> str: ...

    def push_index(self, tag: str, *, platforms: int, attestations: int) -> str: ...

    def basic_findings(self, digest: str, severities: list[str]) -> None: ...

    def enhanced_findings(self, digest: str, count: int, severity: str) -> None: ...

    def upload_report(self, digest: str, *, vulnerabilities: int) -> str: ...

    def set_env(self, name: str, value: str) -> None: ...

    def set_policy(self, text: str) -> None: ...

    def deliver(self, function: str, *events: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    function: str
    minimum: Counter[str]
    why: str
    expected_verdict: str | None
    act: Callable[[World], None]


def _sum(*parts: Counter[str]) -> Counter[str]:
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part)
    return total


def scenarios() -> list[Scenario]:
    """Every scenario, in the order of the report."""
    return [
        Scenario(
            name="push-image",
            title="ECR push of an image",
            function="push_recorder",
            minimum=Counter({"ecr:BatchGetImage": 1, "dynamodb:UpdateItem": 1}),
            why="the manifest, to tell an image from an index or an artifact; the push recorded",
            expected_verdict=None,
            act=_push_image,
        ),
        Scenario(
            name="push-index",
            title="ECR push of an index (2 platforms, 2 build attestations)",
            function="push_recorder",
            minimum=Counter(
                {"ecr:BatchGetImage": 1, "dynamodb:UpdateItem": 3, "sqs:SendMessage": 1}
            ),
            why=(
                "the manifest; the index recorded and each platform image linked to it (the "
                "attestations are not members); one evaluate-index request"
            ),
            expected_verdict=None,
            act=_push_index,
        ),
        Scenario(
            name="basic-pass",
            title=f"passing image, ECR basic scan ({BASIC_FINDINGS:,} LOW/MEDIUM findings)",
            function="guard",
            minimum=_sum(basic_pages(BASIC_FINDINGS), EVALUATION, FIRST_PASS),
            why="the findings, the evaluation and the tag's record; a first PASS is not sent",
            expected_verdict="PASS",
            act=_basic_pass,
        ),
        Scenario(
            name="basic-fail-enforce",
            title="failing image, ECR basic scan, enforce mode (retag)",
            function="guard",
            minimum=_sum(basic_pages(1), EVALUATION, QUARANTINE, NOTIFICATION),
            why="the findings, the evaluation, the quarantine and the notification",
            expected_verdict="FAIL",
            act=_basic_fail_enforce,
        ),
        Scenario(
            name="basic-fail-audit",
            title="failing image, ECR basic scan, audit mode",
            function="guard",
            minimum=_sum(basic_pages(1), EVALUATION, AUDIT_RECORD, NOTIFICATION),
            why="the findings, the evaluation, the would-be action and the notification",
            expected_verdict="FAIL",
            act=_basic_fail_audit,
        ),
        Scenario(
            name="inspector-scan-pass",
            title=f"passing image, Inspector2 Scan ({ENHANCED_FINDINGS} MEDIUM findings)",
            function="guard",
            minimum=_sum(enhanced_pages(ENHANCED_FINDINGS), EVALUATION, FIRST_PASS),
            why="every page of enhanced findings (100 a page) and the evaluation",
            expected_verdict="PASS",
            act=_inspector_scan,
        ),
        Scenario(
            name="inspector-findings",
            title=f"{FINDING_EVENTS} Inspector2 Finding events for one image in one batch",
            function="guard",
            minimum=_sum(enhanced_pages(FINDING_EVENTS), EVALUATION, FIRST_PASS),
            why="one evaluation for the whole batch: the image is read once",
            expected_verdict="PASS",
            act=_inspector_findings,
        ),
        Scenario(
            name="trivy-uploaded",
            title="Trivy report uploaded (custom event), failing, enforce mode",
            function="guard",
            minimum=_sum(TRIVY_READ, EVALUATION, QUARANTINE, NOTIFICATION),
            why="the report object, the evaluation, the quarantine and the notification",
            expected_verdict="FAIL",
            act=_trivy_uploaded,
        ),
        Scenario(
            name="s3-object-created",
            title="Trivy report in the bucket (S3 Object Created), failing, enforce mode",
            function="guard",
            minimum=_sum(TRIVY_READ, EVALUATION, QUARANTINE, NOTIFICATION),
            why="as above; the image is bound from the object's key",
            expected_verdict="FAIL",
            act=_s3_object_created,
        ),
        Scenario(
            name="size-rule-pass",
            title="passing image, policy with an image size limit",
            function="guard",
            minimum=_sum(
                basic_pages(1), EVALUATION, FIRST_PASS, Counter({"ecr:DescribeImages": 1})
            ),
            why="the image size is read only because the policy limits it",
            expected_verdict="PASS",
            act=_size_rule_pass,
        ),
        Scenario(
            name="size-rule-fail-enforce",
            title="image over the size limit, enforce mode (retag)",
            function="guard",
            minimum=_sum(basic_pages(1), EVALUATION, QUARANTINE, NOTIFICATION),
            why="as a failing image: one DescribeImages answers both the size and the tags",
            expected_verdict="FAIL",
            act=_size_rule_fail,
        ),
    ]


SIZE_POLICY = """\
version: 1
name: size limit
rules:
  - id: critical-vulnerabilities
    verdict: fail
    kind: vulnerability
    severity: CRITICAL
image:
  max_size: {max: 1KiB, verdict: fail}
"""


def _push_image(world: World) -> None:
    digest = world.push()
    world.deliver("push_recorder", events.push_event(REPOSITORY, digest, "1.0"))


def _push_index(world: World) -> None:
    digest = world.push_index("2.0", platforms=2, attestations=2)
    world.deliver("push_recorder", events.push_event(REPOSITORY, digest, "2.0"))


def _basic_pass(world: World) -> None:
    digest = world.push("1.0")
    world.basic_findings(digest, ["LOW", "MEDIUM"] * (BASIC_FINDINGS // 2))
    world.deliver("guard", events.scan_event(REPOSITORY, digest, ["1.0"]))


def _basic_fail_enforce(world: World) -> None:
    digest = world.push("1.0", "latest")
    world.basic_findings(digest, ["CRITICAL", "MEDIUM"])
    world.deliver("guard", events.scan_event(REPOSITORY, digest, ["1.0", "latest"]))


def _basic_fail_audit(world: World) -> None:
    world.set_env("ECR_GUARD_MODE", "audit")
    _basic_fail_enforce(world)


def _inspector_scan(world: World) -> None:
    digest = world.push("1.0")
    world.enhanced_findings(digest, ENHANCED_FINDINGS, "MEDIUM")
    world.deliver("guard", inspector_scan_event(REPOSITORY, digest, ["1.0"]))


def _inspector_findings(world: World) -> None:
    digest = world.push("1.0")
    world.enhanced_findings(digest, FINDING_EVENTS, "MEDIUM")
    batch = [inspector_finding_event(REPOSITORY, digest, n) for n in range(FINDING_EVENTS)]
    world.deliver("guard", *batch)


def _trivy_uploaded(world: World) -> None:
    digest = world.push("1.0")
    key = world.upload_report(digest, vulnerabilities=TRIVY_VULNERABILITIES)
    world.deliver(
        "guard", events.trivy_report_uploaded(BUCKET, key, REPOSITORY, digest, tags=["1.0"])
    )


def _s3_object_created(world: World) -> None:
    digest = world.push("1.0")
    key = world.upload_report(digest, vulnerabilities=TRIVY_VULNERABILITIES)
    world.deliver("guard", events.s3_object_created(BUCKET, key))


def _size_rule_pass(world: World) -> None:
    world.set_policy(SIZE_POLICY.replace("1KiB", "10GiB"))
    digest = world.push("1.0")
    world.basic_findings(digest, ["MEDIUM"])
    world.deliver("guard", events.scan_event(REPOSITORY, digest, ["1.0"]))


def _size_rule_fail(world: World) -> None:
    world.set_policy(SIZE_POLICY)
    digest = world.push("1.0")
    world.basic_findings(digest, ["MEDIUM"])
    world.deliver("guard", events.scan_event(REPOSITORY, digest, ["1.0"]))


def inspector_scan_event(repository: str, digest: str, tags: list[str]) -> dict[str, Any]:
    """Inspector2 Scan as Amazon Inspector sends it for an ECR image (repository as an ARN)."""
    arn = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}"
    detail = {
        "scan-status": "INITIAL_SCAN_COMPLETE",
        "repository-name": arn,
        "finding-severity-counts": {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 1, "TOTAL": 1},
        "image-digest": digest,
        "image-tags": tags,
    }
    return events.envelope("aws.inspector2", "Inspector2 Scan", detail, resources=[arn])


def inspector_finding_event(repository: str, digest: str, number: int) -> dict[str, Any]:
    """Inspector2 Finding for one package vulnerability of an ECR image."""
    finding = enhanced_finding(repository, digest, number, "MEDIUM")
    finding["resources"][0]["partition"] = "aws"
    finding["resources"][0]["region"] = REGION
    resource = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}/{digest}"
    return events.envelope("aws.inspector2", "Inspector2 Finding", finding, resources=[resource])


def enhanced_finding(repository: str, digest: str, number: int, severity: str) -> dict[str, Any]:
    """One enhanced finding as ECR returns it (Inspector's finding, score fields renamed)."""
    identifier = f"CVE-2026-{10_000 + number}"
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"
    return {
        "awsAccountId": ACCOUNT,
        "description": f"{identifier}: a flaw in the package's parser allows a crafted input.",
        "findingArn": f"arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/{number:032x}",
        "firstObservedAt": "2026-11-30T10:00:00+00:00",
        "lastObservedAt": "2026-12-01T10:00:00+00:00",
        "updatedAt": "2026-12-01T10:00:00+00:00",
        "fixAvailable": "YES",
        "exploitAvailable": "NO",
        "score": 5.4,
        "scoreDetails": {
            "cvss": {
                "score": 5.4,
                "scoreSource": "NVD",
                "scoringVector": vector,
                "version": "3.1",
                "adjustments": [],
            }
        },
        "packageVulnerabilityDetails": {
            "cvss": [
                {"baseScore": 5.4, "scoringVector": vector, "source": "NVD", "version": "3.1"}
            ],
            "referenceUrls": [f"https://nvd.nist.gov/vuln/detail/{identifier}"],
            "source": "NVD",
            "sourceUrl": f"https://nvd.nist.gov/vuln/detail/{identifier}",
            "vulnerabilityId": identifier,
            "vulnerablePackages": [
                {
                    "name": f"libexample{number % 7}",
                    "version": "1.2.3",
                    "fixedInVersion": "1.2.4",
                    "packageManager": "OS",
                }
            ],
        },
        "remediation": {"recommendation": {"text": "Upgrade the package."}},
        "resources": [
            {
                "details": {
                    "awsEcrContainerImage": {
                        "architecture": "amd64",
                        "imageHash": digest,
                        "imageTags": ["1.0"],
                        "platform": "DEBIAN_12",
                        "registry": ACCOUNT,
                        "repositoryName": repository,
                    }
                },
                "id": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}/{digest}",
                "type": "AWS_ECR_CONTAINER_IMAGE",
            }
        ],
        "severity": severity,
        "status": "ACTIVE",
        "title": f"{identifier} - libexample{number % 7}",
        "type": "PACKAGE_VULNERABILITY",
    }
