"""The readable account of a simulation: per step, what arrived, what the guard decided and why,
what it did, what it published, and how the images look now."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from ecr_guard.images import short_digest
from ecr_guard.sim.report import (
    DecisionView,
    ImageView,
    InvocationSummary,
    Notification,
    ScenarioResult,
    StepResult,
)

WIDTH = 100
_LABEL = 10
_INDENT = " " * 4
_TAG_LIMIT = 30
_ALARMS = {
    "GuardDLQ": "guard-dlq-not-empty",
    "PushRecorderDLQ": "push-recorder-dlq-not-empty",
}


def render_header(result: ScenarioResult) -> str:
    lines = [f"Scenario {result.scenario} ({result.file}), {result.emulator}, {result.region}"]
    if result.description:
        lines += textwrap.wrap(
            result.description, WIDTH, initial_indent="  ", subsequent_indent="  "
        )
    return "\n".join(lines)


def render_step(
    step: StepResult, previous: Sequence[ImageView] = (), *, emails: bool = False
) -> str:
    lines = [f"{step.index:>2}. {step.title} · {step.time.strftime('%Y-%m-%d %H:%M:%S UTC')}"]
    if step.note:
        lines += textwrap.wrap(step.note, WIDTH, initial_indent=_INDENT, subsequent_indent=_INDENT)
    lines += _what_happened(step)
    for notification in step.notifications:
        lines += _field("sent", _notification(notification))
        if emails or step.show_email:
            lines += _email(notification)
    lines += _state_after(step, previous)
    return "\n".join(lines)


def _what_happened(step: StepResult) -> list[str]:
    lines = []
    for delivery in step.deliveries:
        lines += _field("arrived", f"{delivery.summary} → {delivery.function}")
    for text in _invocations(step):
        lines += _field("ran", text)
    for decision in step.decisions:
        lines += _decision(decision)
    for action in step.actions:
        lines += _field("did", _action(action, step))
    for remark in step.remarks:
        lines += _field("note", remark)
    for record in step.logs:
        lines += _field("log", _log(record))
    return lines


def _state_after(step: StepResult, previous: Sequence[ImageView]) -> list[str]:
    lines = []
    for image in _shown_images(step, previous):
        lines += _field("image", _image(image))
    for queue, count in step.dead_letters.items():
        if count:
            alarm = _ALARMS.get(queue, queue)
            lines += _field("alarm", f"{queue} holds {count}: ecr-guard-{alarm} would fire")
    if step.expectations:
        lines += _field("expect", _expectations(step))
    return lines


def render_summary(results: Iterable[ScenarioResult]) -> str:
    lines = []
    for result in results:
        checks = sum(len(step.expectations) for step in result.steps)
        failed = result.failed_expectations
        state = "all expectations met" if not failed else f"{failed} expectation(s) NOT met"
        lines.append(f"{result.scenario}: {len(result.steps)} steps, {checks} checks, {state}")
    return "\n".join(lines)


def render_result(result: ScenarioResult, *, emails: bool = False) -> str:
    blocks = [render_header(result)]
    previous: Sequence[ImageView] = ()
    for step in result.steps:
        blocks.append(render_step(step, previous, emails=emails))
        previous = step.images
    return "\n\n".join(blocks)


def _field(label: str, text: str) -> list[str]:
    prefix = f"{_INDENT}{label:<{_LABEL}}"
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=prefix,
        subsequent_indent=" " * len(prefix),
        break_on_hyphens=False,
        break_long_words=False,
    ) or [prefix.rstrip()]


def _invocations(step: StepResult) -> list[str]:
    """One line per run of invocations of one function (failures on their own line)."""
    lines: list[str] = []
    group: list[InvocationSummary] = []

    def flush() -> None:
        if not group:
            return
        first = group[0]
        records = sum(invocation.records for invocation in group)
        times = f" {len(group)} times" if len(group) > 1 else ""
        cold = ""
        if first.cold_start:
            cold = " (the first a cold start)" if times else " (cold start)"
        plural = "s" if records != 1 else ""
        lines.append(f"{first.function}{times}{cold}, {records} record{plural}")
        group.clear()

    for invocation in step.invocations:
        if invocation.failed or invocation.error:
            flush()
            text = f"{invocation.function}: {invocation.failed} of {invocation.records} failed"
            lines.append(text + (f": {invocation.error}" if invocation.error else ""))
            continue
        if group and group[0].function != invocation.function:
            flush()
        group.append(invocation)
    flush()
    return lines


def _name(image: str | None, digest: str) -> str:
    return image or short_digest(digest)


def _decision(decision: DecisionView) -> list[str]:
    name = _name(decision.image, decision.digest)
    shown = ", ".join(_tag(tag) for tag in decision.tags)
    tags = f" ({decision.repository}:{shown})" if decision.tags else ""
    rules = f"; rules: {', '.join(decision.rule_ids)}" if decision.rule_ids else ""
    handled = f", handled as {decision.outcome}" if decision.outcome != decision.verdict else ""
    if decision.pending and decision.subject_digest == decision.digest:
        return _field("decided", f"{name}{tags}: pending, its platforms are not all decided yet")
    text = f"{decision.verdict}{handled} for {name}{tags} from {decision.source}{rules}"
    if decision.subject_digest != decision.digest:
        subject = _name(decision.subject, decision.subject_digest)
        standing = (
            "pending: not every platform decided yet"
            if decision.pending
            else (f"{subject} stands at {decision.subject_verdict}")
        )
        text += f"; {standing}"
    lines = _field("decided", text)
    if decision.summary:
        lines += _field("", decision.summary)
    return lines


def _action(action: dict[str, Any], step: StepResult) -> str:
    digest = str(action.get("pk", "")).rsplit("#", 1)[-1]
    known = {image.digest: image.image for image in step.images}
    subject = _name(known.get(digest), digest)
    kind = str(action.get("kind", ""))
    done = bool(action.get("performed"))
    if kind == "quarantine":
        verb = "quarantined" if done else "would quarantine (audit mode)"
        if action.get("method") == "archive":
            return f"{verb} {subject}: moved to the ARCHIVE storage class"
        removed = ", ".join(action.get("tags_removed") or []) or "no tag"
        return f"{verb} {subject}: added {_tag(action.get('quarantine_tag'))}, removed {removed}"
    if kind == "release":
        verb = "released" if done else "would release (audit mode)"
        if action.get("method") == "archive":
            return f"{verb} {subject}: back to the STANDARD storage class"
        restored = ", ".join(action.get("tags_restored") or []) or "no tag"
        skipped = action.get("tags_skipped") or []
        text = f"{verb} {subject}: restored {restored}"
        if skipped:
            text += f" (not {', '.join(skipped)}: now on another image)"
        return text
    if kind == "verified-tag":
        return f"tagged {subject} {action.get('verified_tag')}"
    return f"{kind} {subject}"


def _tag(tag: Any) -> str:
    text = str(tag or "")
    return text if len(text) <= _TAG_LIMIT else text[:_TAG_LIMIT] + "…"


def _log(record: dict[str, Any]) -> str:
    skipped = {"level", "message", "function", "correlation_id"}
    details = ", ".join(f"{k}={v}" for k, v in record.items() if k not in skipped and v)
    return f"{record.get('level')} {record.get('message')}" + (f": {details}" if details else "")


def _notification(notification: Notification) -> str:
    keys = ("verdict", "outcome", "severity", "team", "action")
    attributes = ", ".join(
        f"{key}={notification.attributes[key]}" for key in keys if key in notification.attributes
    )
    return f"{notification.subject} ({attributes})"


def _email(notification: Notification) -> list[str]:
    if not notification.email:
        return []
    rule = _INDENT + "┌" + "─" * 60
    body = [f"{_INDENT}│ {line}".rstrip() for line in notification.email.splitlines()]
    return [rule, *body, _INDENT + "└" + "─" * 60]


def _shown_images(step: StepResult, previous: Sequence[ImageView]) -> list[ImageView]:
    """The images the step was about, and every image it changed."""
    before = {image.digest: image for image in previous}
    about = {decision.subject_digest for decision in step.decisions}
    about |= {str(action.get("pk", "")).rsplit("#", 1)[-1] for action in step.actions}
    shown = []
    for image in step.images:
        if image.digest in about or before.get(image.digest) != image:
            shown.append(image)
    return shown


def _image(image: ImageView) -> str:
    tags = ", ".join(_tag(tag) for tag in image.tags) or "untagged"
    state = " quarantined" if image.quarantined else ""
    name = _name(image.image, image.digest)
    return f"{name} {image.repository} [{tags}] {image.storage_class}{state}"


def _expectations(step: StepResult) -> str:
    parts = []
    for expectation in step.expectations:
        if expectation.passed:
            parts.append(f"[ok] {expectation.check} {expectation.expected}")
        else:
            parts.append(
                f"[NOT MET] {expectation.check}: expected {expectation.expected}, "
                f"got {expectation.actual}"
            )
    return "; ".join(parts)
