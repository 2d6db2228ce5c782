"""Each kind of scenario event, done as it happens in AWS: what changes in the registry or the
reports bucket, which events are sent, and how they reach the functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ecr_guard.images import short_digest
from ecr_guard.sim.clock import SimClock
from ecr_guard.sim.delivery import drain_guard_queue, invoke_push_recorder, send_to_guard
from ecr_guard.sim.events import EventFactory
from ecr_guard.sim.findings import (
    Target,
    basic_response,
    enhanced_response,
    failed_response,
    finding_id,
    placed,
    severity_counts,
)
from ecr_guard.sim.manifests import BuiltImage
from ecr_guard.sim.registry import Registry
from ecr_guard.sim.scenario import (
    ClockAdvancedEvent,
    Event,
    InspectorFindingEvent,
    InspectorScanEvent,
    PushEvent,
    ReleaseEvent,
    ScanCompleteEvent,
    ScanEvent,
    ScanFailedEvent,
    StackUpdatedEvent,
    TrivyReportEvent,
    WaiverAddedEvent,
)
from ecr_guard.sim.step_result import StepRecorder

if TYPE_CHECKING:
    from ecr_guard.sim.runner import Simulation


class StepContext:
    """What every step works with: the simulation, ECR, the bucket and the guard queue."""

    def __init__(self, *, simulation: Simulation, events: EventFactory):
        import boto3  # noqa: PLC0415 (the simulator's dependency, loaded when used)

        self.simulation = simulation
        self.events = events
        stack = simulation.stack
        self.registry = Registry(region=stack.region, account=stack.account)
        self.s3: Any = boto3.client("s3", region_name=stack.region)
        self.sqs: Any = boto3.client("sqs", region_name=stack.region)
        self.images = simulation.loaded.images
        self.findings = simulation.loaded.findings
        self.references = {image.digest: reference for reference, image in self.images.items()}
        # Enhanced findings Inspector does not list (yet, or any more), by image.
        self.hidden: dict[str, set[str]] = {}

    @property
    def clock(self) -> SimClock:
        return self.simulation.clock

    def target(self, image: BuiltImage, tags: Sequence[str]) -> Target:
        architecture = image.platform.split("/")[1] if image.platform else None
        return Target(
            account=self.simulation.stack.account,
            region=self.simulation.stack.region,
            repository=image.repository,
            digest=image.digest,
            tags=tuple(tags),
            architecture=architecture,
        )

    def routed(self, repository: str) -> bool:
        """Whether the template's rules (repository-name wildcard) let the event through."""
        return self.simulation.settings().guards_repository(repository)


def run_event(context: StepContext, event: Event, recorder: StepRecorder) -> None:
    handler = _HANDLERS[type(event)]
    handler(context, event, recorder)


# ---------------------------------------------------------------- pushes


def _push(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    push: PushEvent = event
    image = context.images[push.image]
    tags = () if push.by_digest else tuple(push.tags if push.tags is not None else image.tags)
    for child in image.children:
        _push_manifest(context, recorder, child, None)
    for tag in tags or (None,):
        _push_manifest(context, recorder, image, tag)
    drain_guard_queue(context, recorder)


def _push_manifest(
    context: StepContext, recorder: StepRecorder, image: BuiltImage, tag: str | None
) -> None:
    if not context.registry.put(image, tag):
        recorder.remarks.append(f"{_name(image, tag)} is already in ECR: nothing pushed")
        return
    event = context.events.push(image.repository, image.digest, tag, time=context.clock.tick())
    if not context.routed(image.repository):
        recorder.remarks.append(f"{image.repository} is not guarded (RepositoryFilter)")
        return
    recorder.arrived("PushRecorderFunction", event, f"PUSH {_name(image, tag)}")
    invoke_push_recorder(context, recorder, event)


# ---------------------------------------------------------------- scans


def _targets(context: StepContext, event: ScanEvent) -> tuple[BuiltImage, ...]:
    image = context.images[event.image]
    if event.platforms is None:
        return image.leaves()
    wanted = set(event.platforms)
    return tuple(child for child in image.children if child.platform in wanted)


def _scan_tags(context: StepContext, leaf: BuiltImage) -> tuple[str, ...]:
    """The tags a scan event names: the image's own (none for a platform image)."""
    return context.registry.current_tags(leaf)


def _scan_complete(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    scan: ScanCompleteEvent = event
    sent = []
    for leaf in _targets(context, scan):
        findings = context.findings[leaf.reference].basic
        context.registry.seed_scan(leaf, basic_response(findings, at=context.clock.now()))
        counts = severity_counts(findings, key="severity")
        sent.append(
            context.events.basic_scan(
                leaf.repository,
                leaf.digest,
                _scan_tags(context, leaf),
                counts=counts,
                time=context.clock.tick(),
            )
        )
    send_to_guard(context, recorder, sent)


def _scan_failed(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    scan: ScanFailedEvent = event
    sent = []
    for leaf in _targets(context, scan):
        context.registry.seed_scan(leaf, failed_response(scan.reason))
        sent.append(
            context.events.basic_scan(
                leaf.repository,
                leaf.digest,
                _scan_tags(context, leaf),
                counts=None,
                time=context.clock.tick(),
            )
        )
    send_to_guard(context, recorder, sent)


def _active_findings(context: StepContext, leaf: BuiltImage) -> list[dict[str, Any]]:
    tags = _scan_tags(context, leaf)
    hidden = context.hidden.get(leaf.reference, set())
    return [
        placed(finding, context.target(leaf, tags), at=context.clock.now())
        for finding in context.findings[leaf.reference].enhanced
        if finding_id(finding) not in hidden
    ]


def _inspector_scan(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    scan: InspectorScanEvent = event
    sent = []
    for leaf in _targets(context, scan):
        if scan.findings is not None:
            every = {finding_id(item) for item in context.findings[leaf.reference].enhanced}
            context.hidden[leaf.reference] = every - set(scan.findings)
        active = _active_findings(context, leaf)
        context.registry.seed_scan(leaf, enhanced_response(active))
        sent.append(
            context.events.inspector_scan(
                leaf.repository,
                leaf.digest,
                _scan_tags(context, leaf),
                counts=severity_counts(active, key="severity"),
                time=context.clock.tick(),
            )
        )
    send_to_guard(context, recorder, sent)


def _inspector_finding(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    update: InspectorFindingEvent = event
    sent = []
    for leaf in _targets(context, update):
        chosen = [
            finding
            for finding in context.findings[leaf.reference].enhanced
            if update.findings is None or finding_id(finding) in update.findings
        ]
        hidden = context.hidden.setdefault(leaf.reference, set())
        if update.status == "CLOSED":
            hidden.update(map(finding_id, chosen))
        else:
            hidden.difference_update(map(finding_id, chosen))
        context.registry.seed_scan(leaf, enhanced_response(_active_findings(context, leaf)))
        tags = _scan_tags(context, leaf)
        for finding in chosen:
            document = placed(finding, context.target(leaf, tags), at=context.clock.now())
            document["status"] = update.status
            sent.append(context.events.inspector_finding(document, time=context.clock.tick()))
    send_to_guard(context, recorder, sent)


def _trivy_report(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    upload: TrivyReportEvent = event
    bucket = context.simulation.stack.bucket
    sent = []
    for leaf in _targets(context, upload):
        report = context.findings[leaf.reference].trivy or b""
        key = f"trivy/{leaf.repository}/{leaf.digest}.json"
        stored = context.s3.put_object(
            Bucket=bucket, Key=key, Body=report, ContentType="application/json"
        )
        version = stored.get("VersionId")
        moment = context.clock.tick()
        # The bucket sends its event for every upload; CI's own event comes on top of it, and
        # names the same version, so the guard evaluates the report once.
        sent.append(
            context.events.object_created(
                bucket,
                key,
                version_id=version,
                etag=str(stored.get("ETag", "")).strip('"'),
                size=len(report),
                time=moment,
            )
        )
        if upload.via == "event":
            sent.append(
                context.events.trivy_report_uploaded(
                    bucket,
                    key,
                    version_id=version,
                    repository=leaf.repository,
                    digest=leaf.digest,
                    tags=_scan_tags(context, leaf),
                    time=moment,
                )
            )
    send_to_guard(context, recorder, sent)


# ---------------------------------------------------------------- changes of the world


def _waiver_added(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    added: WaiverAddedEvent = event
    simulation = context.simulation
    simulation.policy = simulation.policy.with_waiver(added.waiver)
    simulation.policy_changed()
    waiver = added.waiver
    recorder.remarks.append(
        f"waiver for {waiver.id} until {waiver.expires.isoformat()} approved by "
        f"{waiver.approved_by}: the functions start again with the new policy (deployed, "
        "it reaches them at their next cold start)"
    )


def _clock_advanced(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    advanced: ClockAdvancedEvent = event
    context.clock.advance(
        timedelta(days=advanced.days, hours=advanced.hours, minutes=advanced.minutes)
    )
    recorder.remarks.append(f"it is now {_when(context.clock.now())}")


def _stack_updated(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    updated: StackUpdatedEvent = event
    simulation = context.simulation
    simulation.parameters = updated.parameters.applied_to(simulation.parameters)
    simulation.cold_start()
    changed = updated.parameters.model_dump(by_alias=True, exclude_none=True, mode="json")
    listed = ", ".join(f"{name}={value}" for name, value in changed.items())
    recorder.remarks.append(f"sam deploy with {listed}: the functions start again")


def _release(context: StepContext, event: Any, recorder: StepRecorder) -> None:
    from ecr_guard.adapters.clients import ClientFactory  # noqa: PLC0415
    from ecr_guard.adapters.ledger import Ledger  # noqa: PLC0415
    from ecr_guard.cli.release import (  # noqa: PLC0415
        describe_release,
        quarantined_state,
        release_state,
    )

    released: ReleaseEvent = event
    image = context.images[released.image]
    stack = context.simulation.stack
    reference = f"{image.repository}@{image.digest}"
    clients = ClientFactory()
    ledger = Ledger(clients, table_name=stack.table, region=stack.region)
    state = quarantined_state(ledger, region=stack.region, reference=reference)
    result = release_state(
        state,
        clients=clients,
        ledger=ledger,
        settings=context.simulation.settings(),
        now=context.clock.tick(),
        by=f"cli:{released.by}",
    )
    recorder.release = result.model_dump(mode="json", exclude_defaults=True)
    recorder.remarks.append(f"ecr-guard release {reference}")
    recorder.remarks.extend(describe_release(reference, result).splitlines())


_HANDLERS: Mapping[type, Callable[[StepContext, Any, StepRecorder], None]] = {
    PushEvent: _push,
    ScanCompleteEvent: _scan_complete,
    ScanFailedEvent: _scan_failed,
    InspectorScanEvent: _inspector_scan,
    InspectorFindingEvent: _inspector_finding,
    TrivyReportEvent: _trivy_report,
    WaiverAddedEvent: _waiver_added,
    ClockAdvancedEvent: _clock_advanced,
    StackUpdatedEvent: _stack_updated,
    ReleaseEvent: _release,
}


def _name(image: BuiltImage, tag: str | None) -> str:
    if tag:
        return f"{image.repository}:{tag}"
    return f"{image.repository}@{short_digest(image.digest)}"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
