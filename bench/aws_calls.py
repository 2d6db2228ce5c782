"""AWS calls per event, counted with a botocore event hook while the functions run on moto.

Run as `python -m bench.aws_calls OUTPUT.json` (a child process of `bench.run`: moto patches
botocore for the whole process). The moto stack, the ECR fixes and the call recorder are the
integration tests' own (`tests/integration`), so the functions run exactly as they are tested;
DescribeImageScanFindings is paged as ECR pages it (`bench.aws_paging`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from ecr_guard.sim.moto_fixes import ecr_as_in_aws
from moto import mock_aws

from bench.aws_paging import paged_like_ecr
from bench.aws_scenarios import REPOSITORY, Scenario, enhanced_finding, scenarios
from bench.trivy_report import generate_report
from tests.integration import events
from tests.integration.calls import CallRecorder
from tests.integration.functions import FUNCTION_NAMES, LambdaContext, load_handler, parse_output
from tests.integration.functions import sqs_event as sqs_batch
from tests.integration.registry import (
    DOCKER_MANIFEST,
    OCI_INDEX,
    Registry,
    basic_finding,
    basic_findings,
    image_manifest,
    index_manifest,
)
from tests.integration.stack import BUCKET, REGION, Stack, create_stack

_SANDBOX = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


class EmulatedWorld:
    """One fresh emulated account with the guard's stack, for one scenario."""

    def __init__(self, stack: Stack, calls: CallRecorder, folder: Path):
        self.stack = stack
        self.calls = calls
        self.registry = Registry(REGION)
        self.folder = folder
        self.decisions: list[dict[str, Any]] = []
        self._counter = 0
        self.registry.create_repository(REPOSITORY)

    def push(self, *tags: str) -> str:
        """An image with `tags`, its pushes recorded as the push recorder records them."""
        self._counter += 1
        digest = self.registry.push_image(REPOSITORY, *tags, seed=f"image-{self._counter}")
        for tag in tags or (None,):
            self._run("push_recorder", events.push_event(REPOSITORY, digest, tag))
        return digest

    def push_index(self, tag: str, *, platforms: int, attestations: int) -> str:
        """An index of untagged platform images (pushed and recorded first, as buildx does)."""
        architectures = ["linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x"]
        children = []
        for number in range(platforms):
            body = image_manifest(f"platform-{number}")
            digest = self.registry.put(REPOSITORY, body, DOCKER_MANIFEST)
            self._run("push_recorder", events.push_event(REPOSITORY, digest))
            children.append((digest, architectures[number]))
        proofs = [
            self.registry.put(REPOSITORY, image_manifest(f"attestation-{n}"), DOCKER_MANIFEST)
            for n in range(attestations)
        ]
        return self.registry.put(REPOSITORY, index_manifest(children, proofs), OCI_INDEX, tag)

    def basic_findings(self, digest: str, severities: list[str]) -> None:
        findings = [
            basic_finding(f"CVE-2026-{20_000 + number}", severity, package=f"pkg{number % 50}")
            for number, severity in enumerate(severities)
        ]
        self.registry.set_findings(REPOSITORY, digest, basic_findings(findings))

    def enhanced_findings(self, digest: str, count: int, severity: str) -> None:
        answer = {
            "imageScanStatus": {"status": "ACTIVE", "description": "Continuous scan is selected."},
            "imageScanFindings": {
                "enhancedFindings": [
                    enhanced_finding(REPOSITORY, digest, number, severity)
                    for number in range(count)
                ],
                "findingSeverityCounts": {severity: count},
            },
        }
        self.registry.set_findings(REPOSITORY, digest, answer)

    def upload_report(self, digest: str, *, vulnerabilities: int) -> str:
        key = f"trivy/{REPOSITORY}/{digest}.json"
        report = generate_report(vulnerabilities).data
        # The generated report names an image of its own; this one is bound by the key.
        document = json.loads(report)
        document["Metadata"].pop("RepoDigests")
        body = json.dumps(document).encode()
        boto3.client("s3", region_name=REGION).put_object(Bucket=BUCKET, Key=key, Body=body)
        return key

    def set_env(self, name: str, value: str) -> None:
        os.environ[name] = value

    def set_policy(self, text: str) -> None:
        path = self.folder / "policy.yaml"
        path.write_text(text)
        os.environ["ECR_GUARD_POLICY_FILE"] = str(path)

    def deliver(self, function: str, *delivered: dict[str, Any]) -> None:
        """Deliver to a cold function, counting its calls (a batch for the guard)."""
        self.calls.clear()
        payload = sqs_batch(list(delivered)) if function == "guard" else delivered[0]
        output = self._run(function, payload, counted=True)
        self.decisions = output.decisions()

    def _run(self, function: str, payload: dict[str, Any], *, counted: bool = False) -> Any:
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            module = load_handler(function)
            context = LambdaContext(function_name=FUNCTION_NAMES[function])
            with self.calls.running(function) if counted else contextlib.nullcontext():
                response = module.lambda_handler(payload, context)
        if function == "guard" and response.get("batchItemFailures"):
            raise RuntimeError(f"the guard failed records: {response}\n{captured.getvalue()}")
        return parse_output(captured.getvalue())


def count_scenario(scenario: Scenario) -> dict[str, Any]:
    """The calls one scenario's delivery made, beside its minimum."""
    with (
        _sandbox(),
        tempfile.TemporaryDirectory() as folder,
        mock_aws(),
        ecr_as_in_aws(),
        paged_like_ecr(),
        CallRecorder().installed() as calls,
    ):
        stack = create_stack()
        os.environ.update(stack.environment())
        os.environ["ECR_GUARD_MODE"] = "enforce"
        world = EmulatedWorld(stack, calls, Path(folder))
        scenario.act(world)
        observed = calls.operations(scenario.function)
    verdicts = sorted({decision["verdict"] for decision in world.decisions})
    expected = scenario.expected_verdict
    if expected is not None and verdicts != [expected]:
        raise RuntimeError(f"{scenario.name}: expected verdict {expected}, got {verdicts}")
    return {
        "name": scenario.name,
        "title": scenario.title,
        "function": scenario.function,
        "why": scenario.why,
        "verdicts": verdicts,
        "observed": dict(sorted(observed.items())),
        "minimum": dict(sorted(scenario.minimum.items())),
    }


@contextlib.contextmanager
def _sandbox() -> Iterator[None]:
    """Dummy credentials, no user configuration, and the environment restored afterwards."""
    saved = dict(os.environ)
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(variable, None)
    os.environ.update(_SANDBOX)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main(arguments: list[str]) -> int:
    """`python -m bench.aws_calls OUTPUT [PART/PARTS]`: every scenario, or every PARTS-th one
    from PART (so that several processes can share the work)."""
    output = Path(arguments[0])
    part, _, parts = (arguments[1] if len(arguments) > 1 else "0/1").partition("/")
    # Powertools warns when an invocation adds no metric to its set; nothing to do with calls.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    chosen = list(enumerate(scenarios()))[int(part) :: int(parts)]
    results = [{"position": position, **count_scenario(scenario)} for position, scenario in chosen]
    output.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
