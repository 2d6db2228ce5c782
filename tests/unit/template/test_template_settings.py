"""The environment template.yaml gives the functions is accepted by GuardSettings at cold start."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ecr_guard.guard.config import GuardSettings, QuarantineMethod, Role
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

from .cfn import REGION, Renderer
from .deployments import CHATBOT_TOPIC_ARN, SLACK_SECRET_ARN, WITH_CHAT


def function_environment(renderer: Renderer) -> dict[str, str]:
    variables = renderer.template["Globals"]["Function"]["Environment"]["Variables"]
    # Lambda sets AWS_REGION and the function name itself.
    runtime = {"AWS_REGION": REGION, "AWS_LAMBDA_FUNCTION_NAME": "ecr-guard-guardfunction"}
    return {**{k: str(v) for k, v in renderer.render(variables).items()}, **runtime}


@pytest.mark.parametrize("role", ["guard", "push-recorder", "slack-notifier"])
def test_default_deployment_starts_in_audit_mode(rendered: Renderer, role: Role) -> None:
    settings = GuardSettings.from_environ(function_environment(rendered), role=role)
    assert settings.mode is Mode.AUDIT
    assert settings.quarantine_method is QuarantineMethod.RETAG
    assert settings.quarantine_tag_prefix == "quarantine-sha256-"
    assert settings.verified_tag is None
    assert settings.policy_parameter is None
    assert settings.repository_filter == "*"
    assert settings.table_name == rendered.physical_name("GuardTable")
    assert settings.notify_on == {Verdict.FAIL, Verdict.WARN, Verdict.UNKNOWN}
    assert settings.slack_webhook_secret is None
    assert settings.chatbot_topic_arn is None


def test_every_parameter_reaches_the_guard(renderer_for: Callable[..., Renderer]) -> None:
    renderer = renderer_for(
        Mode="enforce",
        QuarantineMethod="archive",
        RepositoryFilter="team/*",
        PolicyParameterName="/ecr-guard/policy",
        VerifiedTag="verified",
        QuarantineTagPrefix="held-",
        OwnerTag="owner",
    )
    settings = GuardSettings.from_environ(function_environment(renderer), role="guard")
    assert settings.mode is Mode.ENFORCE
    assert settings.quarantine_method is QuarantineMethod.ARCHIVE
    assert settings.repository_filter == "team/*"
    assert settings.policy_parameter == "/ecr-guard/policy"
    assert settings.verified_tag == "verified"
    assert settings.quarantine_tag_prefix == "held-"
    assert settings.owner_tag == "owner"
    assert settings.topic_arn == renderer.arn("GuardTopic")
    assert settings.reports_bucket == renderer.physical_name("ReportsBucket")


def test_chat_parameters_reach_the_notifier(renderer_for: Callable[..., Renderer]) -> None:
    renderer = renderer_for(NotifyOn="FAIL,PASS", **WITH_CHAT)
    settings = GuardSettings.from_environ(function_environment(renderer), role="slack-notifier")
    assert settings.slack_webhook_secret == SLACK_SECRET_ARN
    assert settings.chatbot_topic_arn == CHATBOT_TOPIC_ARN
    assert settings.notify_on == {Verdict.FAIL, Verdict.PASS}
