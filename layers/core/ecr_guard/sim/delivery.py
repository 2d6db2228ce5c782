"""How events reach the functions: the push recorder invoked as EventBridge invokes it
(asynchronously, with Lambda's retries), everything else through GuardQueue, drained as the
guard's event source mapping drains it (batches, deletes, redelivery, dead-letter queue)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ecr_guard.sim.events import invocation_record, sqs_batch
from ecr_guard.sim.functions import FunctionHost, Invocation
from ecr_guard.sim.step_result import StepRecorder

if TYPE_CHECKING:
    from ecr_guard.sim.steps import StepContext

PUSH_ATTEMPTS = 3
"""Lambda runs an asynchronous invocation once and retries it twice."""
MAX_BATCHES = 200
"""A bound on the guard invocations of one step (5 receives of every message fit easily)."""
BATCH_SIZE = 10


def invoke_push_recorder(
    context: StepContext, recorder: StepRecorder, event: dict[str, Any]
) -> None:
    """As EventBridge invokes it, asynchronously: Lambda retries a failed invocation twice,
    then sends the event to the push recorder's dead-letter queue."""
    host = context.simulation.functions.push_recorder
    failure: Invocation | None = None
    for _ in range(PUSH_ATTEMPTS):
        invocation = context.simulation.invoke(host, event)
        recorder.invoked(invocation, records=1, failed=1 if invocation.error else 0)
        if invocation.error is None:
            return
        failure = invocation
    if failure is not None and failure.error is not None:
        _dead_letter_push(context, host, event, failure)
        recorder.remarks.append(
            f"the push recorder failed {PUSH_ATTEMPTS} times: the event went to PushRecorderDLQ"
        )


def _dead_letter_push(
    context: StepContext, host: FunctionHost, event: dict[str, Any], failure: Invocation
) -> None:
    if failure.error is None:
        return
    record = invocation_record(
        event,
        function_arn=host.function_arn,
        request_id=failure.request_id,
        error=failure.error,
        attempts=PUSH_ATTEMPTS,
        time=context.clock.now(),
    )
    url = context.simulation.stack.queue_url("PushRecorderDLQ")
    context.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))


def send_to_guard(
    context: StepContext, recorder: StepRecorder, events: Sequence[dict[str, Any]]
) -> None:
    """As the template's rules do: each event the rules match goes to GuardQueue."""
    url = context.simulation.stack.queue_url("GuardQueue")
    for event in events:
        repository = _repository_of(event)
        if repository and not context.routed(repository):
            recorder.remarks.append(f"{repository} is not guarded (RepositoryFilter)")
            continue
        context.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    drain_guard_queue(context, recorder)


def drain_guard_queue(context: StepContext, recorder: StepRecorder) -> None:
    """As the event source mapping does, until the queue is empty."""
    stack = context.simulation.stack
    url = stack.queue_url("GuardQueue")
    seen: set[str] = set()
    for _ in range(MAX_BATCHES):
        messages = context.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=BATCH_SIZE,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            return
        for message in messages:
            if message["MessageId"] not in seen:
                seen.add(message["MessageId"])
                recorder.arrived_body("GuardFunction", message["Body"])
        batch = sqs_batch(messages, queue_arn=stack.queue_arn("GuardQueue"), region=stack.region)
        invocation = context.simulation.invoke(context.simulation.functions.guard, batch)
        failed = _failed_messages(invocation, messages)
        recorder.invoked(invocation, records=len(messages), failed=len(failed))
        for message in messages:
            if message["MessageId"] in failed:
                # Received again at once instead of after the visibility timeout.
                context.sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                context.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    recorder.remarks.append(f"GuardQueue still held messages after {MAX_BATCHES} batches")


def _failed_messages(invocation: Invocation, messages: list[dict[str, Any]]) -> set[str]:
    """What SQS will deliver again: the failed items, or the whole batch when it failed."""
    if invocation.error is not None or not isinstance(invocation.response, dict):
        return {message["MessageId"] for message in messages}
    failures = invocation.response.get("batchItemFailures", [])
    return {str(item["itemIdentifier"]) for item in failures}


def _repository_of(event: Mapping[str, Any]) -> str | None:
    detail = event.get("detail") or {}
    name = detail.get("repository-name")
    if isinstance(name, str):
        return name.split(":repository/", 1)[-1]
    for resource in detail.get("resources") or []:
        image = (resource.get("details") or {}).get("awsEcrContainerImage") or {}
        if isinstance(image.get("repositoryName"), str):
            return str(image["repositoryName"])
    return None
