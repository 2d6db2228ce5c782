"""ECR repositories, images and scan findings in moto, built the way a registry holds them.

Manifests are real JSON documents (shapes of the corpus manifests) and each image's digest is
the sha256 of its manifest bytes, as ECR computes it. Findings are seeded through moto's API
(`set_ecr_scan_finding_result`); a later re-scan of the same image replaces moto's cached
answer, since moto keeps the first answer per image for good.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from moto.ecr.models import ecr_backends
from moto.moto_api._internal import moto_api_backend

ACCOUNT = "123456789012"
_ENHANCED_FINDING = (
    botocore.session.get_session().get_service_model("ecr").shape_for("EnhancedImageScanFinding")
)
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def digest_of(body: str) -> str:
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def image_manifest(seed: str, *, size: int = 7023) -> str:
    """A Docker v2 image manifest whose layers (and so digest) depend on `seed`."""
    layer = "sha256:" + hashlib.sha256(seed.encode()).hexdigest()
    config = "sha256:" + hashlib.sha256(f"config-{seed}".encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "digest": config,
                "size": size,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "digest": layer,
                    "size": 32654,
                }
            ],
        },
        indent=3,
    )


def index_manifest(children: list[tuple[str, str]], attestations: list[str] = ()) -> str:  # type: ignore[assignment]
    """An OCI index: (digest, "os/arch") children, plus buildx attestation manifests."""
    manifests: list[dict[str, Any]] = []
    for digest, platform in children:
        os_name, architecture = platform.split("/", 1)
        manifests.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": 1234,
                "platform": {"architecture": architecture, "os": os_name},
            }
        )
    for subject, attestation in zip(children, attestations, strict=False):
        manifests.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": attestation,
                "size": 566,
                "platform": {"architecture": "unknown", "os": "unknown"},
                "annotations": {
                    "vnd.docker.reference.digest": subject[0],
                    "vnd.docker.reference.type": "attestation-manifest",
                },
            }
        )
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})


def signature_manifest(corpus: Path, subject: str) -> str:
    """The corpus Notation signature manifest, pointed at `subject`."""
    document = json.loads((corpus / "manifests" / "notation-signature-manifest.json").read_text())
    document["subject"]["digest"] = subject
    return json.dumps(document)


@dataclass
class Registry:
    """ECR in one region of moto's account."""

    region: str
    client: Any = field(init=False)

    def __post_init__(self) -> None:
        self.client = boto3.client("ecr", region_name=self.region)

    def create_repository(
        self, name: str, *, team: str | None = "payments", mutability: str = "MUTABLE"
    ) -> None:
        tags = [{"Key": "team", "Value": team}] if team else []
        self.client.create_repository(repositoryName=name, imageTagMutability=mutability, tags=tags)

    def put(self, repository: str, body: str, media_type: str, tag: str | None = None) -> str:
        digest = digest_of(body)
        arguments: dict[str, Any] = {
            "repositoryName": repository,
            "imageManifest": body,
            "imageManifestMediaType": media_type,
            "imageDigest": digest,
        }
        if tag:
            arguments["imageTag"] = tag
        self.client.put_image(**arguments)
        return digest

    def push_image(self, repository: str, *tags: str, seed: str | None = None) -> str:
        """An image with `tags` (untagged when none); returns its digest."""
        body = image_manifest(seed or f"{repository}-{tags}")
        digest = self.put(repository, body, DOCKER_MANIFEST, tags[0] if tags else None)
        for tag in tags[1:]:
            self.put(repository, body, DOCKER_MANIFEST, tag)
        return digest

    def tag_image(self, repository: str, digest: str, tag: str) -> None:
        """Point `tag` at the image (as `docker push` of the same image with a new tag)."""
        found = self.client.batch_get_image(
            repositoryName=repository, imageIds=[{"imageDigest": digest}]
        )["images"][0]
        self.put(repository, found["imageManifest"], found["imageManifestMediaType"], tag)

    def tags(self, repository: str, digest: str) -> set[str]:
        """The image's tags now; empty when the image is gone."""
        images = self.client.list_images(repositoryName=repository)["imageIds"]
        return {i["imageTag"] for i in images if i["imageDigest"] == digest and i.get("imageTag")}

    def exists(self, repository: str, digest: str) -> bool:
        images = self.client.list_images(repositoryName=repository)["imageIds"]
        return any(image["imageDigest"] == digest for image in images)

    def digest_of_tag(self, repository: str, tag: str) -> str | None:
        images = self.client.list_images(repositoryName=repository)["imageIds"]
        return next((i["imageDigest"] for i in images if i.get("imageTag") == tag), None)

    def set_findings(self, repository: str, digest: str, response: dict[str, Any]) -> None:
        """What DescribeImageScanFindings answers for the image from now on."""
        seeded = copy.deepcopy(response)
        seeded["repositoryName"] = repository
        seeded["registryId"] = ACCOUNT
        seeded["imageId"] = {"imageDigest": digest}
        for finding in seeded["imageScanFindings"].get("enhancedFindings", []):
            for resource in finding.get("resources", []):
                image_details = resource.get("details", {}).get("awsEcrContainerImage")
                if image_details is not None:
                    image_details.update(repositoryName=repository, imageHash=digest)
                    resource["id"] = (
                        f"arn:aws:ecr:{self.region}:{ACCOUNT}:repository/{repository}/{digest}"
                    )
        backend = ecr_backends[ACCOUNT][self.region]
        image = backend.repositories[repository]._get_image(None, digest)
        # moto answers only for images it has scanned, and keeps its first answer per image.
        image.last_scan = datetime.now(UTC)
        image.scan_finding_results.clear()
        image.scan_finding_results_queue.clear()
        moto_api_backend.set_ecr_scan_finding_result(seeded, ACCOUNT, self.region)
        # moto hands a seeded result to the first image it describes whose tag equals the
        # result's (absent) tag, so any untagged image could take it: bind it to this image
        # now, under the image id the guard asks with.
        self.client.describe_image_scan_findings(
            repositoryName=repository, imageId={"imageDigest": digest}
        )

    def set_lifecycle_policy(self, repository: str, rules: list[dict[str, Any]]) -> None:
        self.client.put_lifecycle_policy(
            repositoryName=repository, lifecyclePolicyText=json.dumps({"rules": rules})
        )


def basic_findings(
    findings: list[dict[str, Any]], *, status: str = "COMPLETE", description: str | None = None
) -> dict[str, Any]:
    """A DescribeImageScanFindings answer for basic scanning."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    scan: dict[str, Any] = {"findings": findings, "findingSeverityCounts": counts}
    if status == "COMPLETE":
        scan["imageScanCompletedAt"] = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
    return {
        "imageScanStatus": {
            "status": status,
            "description": description or "The scan was completed successfully.",
        },
        "imageScanFindings": scan,
    }


def basic_finding(name: str, severity: str, package: str = "openssl") -> dict[str, Any]:
    return {
        "name": name,
        "uri": f"https://cve.example/{name}",
        "severity": severity,
        "attributes": [
            {"key": "package_name", "value": package},
            {"key": "package_version", "value": "1.0.0"},
        ],
    }


def corpus_basic_findings(corpus: Path) -> dict[str, Any]:
    """The published basic-scan answer (one MEDIUM finding in e2fsprogs)."""
    path = corpus / "scan-findings" / "ecr-describe-image-scan-findings-basic-cli.json"
    document = json.loads(path.read_text())
    scan = document["imageScanFindings"]
    for key in ("imageScanCompletedAt", "vulnerabilitySourceUpdatedAt"):
        scan[key] = datetime.fromtimestamp(scan[key], UTC).isoformat()
    return {key: document[key] for key in ("imageScanStatus", "imageScanFindings")}


def _as_ecr_returns(value: Any, shape: Any) -> Any:
    """`value` with only the members ECR's API model has (what ECR itself can return)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            name: _as_ecr_returns(item, shape.members[name])
            for name, item in value.items()
            if name in shape.members
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [_as_ecr_returns(item, shape.member) for item in value]
    return value


def corpus_enhanced_findings(corpus: Path, *, copies: int = 1) -> dict[str, Any]:
    """The published Inspector ListFindings item as ECR's enhanced findings (renamed score
    fields), `copies` times with distinct ids: enhanced findings come 100 a page."""
    path = corpus / "scan-findings" / "inspector2-list-findings-ecr-1.json"
    template = json.loads(path.read_text())["findings"][0]
    enhanced = []
    for number in range(copies):
        finding = copy.deepcopy(template)
        finding["score"] = finding.pop("inspectorScore")
        details = finding.pop("inspectorScoreDetails")
        finding["scoreDetails"] = {"cvss": details["adjustedCvss"]}
        finding["findingArn"] = f"{finding['findingArn']}-{number}"
        if copies > 1:
            vulnerability = finding["packageVulnerabilityDetails"]
            vulnerability["vulnerabilityId"] = f"CVE-2021-{10000 + number}"
        enhanced.append(_as_ecr_returns(finding, _ENHANCED_FINDING))
    return {
        "imageScanStatus": {"status": "ACTIVE", "description": "Continuous scan is selected."},
        "imageScanFindings": {"enhancedFindings": enhanced, "findingSeverityCounts": {}},
    }
