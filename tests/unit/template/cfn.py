"""Reads template.yaml and renders parts of it the way CloudFormation would for given parameters.

Only what the template uses is supported: the short-form tags, Ref, Fn::Sub, Fn::GetAtt,
Fn::If / Equals / Not / Or / Select / Split, conditions and AWS::NoValue. Physical ids are made up
but stable (`ecr-guard-<logical id>`), and an unknown Ref or GetAtt fails the render, so a typo
in the template fails the tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
STACK = "ecr-guard"

_NO_VALUE = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref x` into `{"Ref": "x"}` and `!Sub s` into `{"Fn::Sub": s}`."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    """The template as plain data, intrinsic functions in their long `Fn::` form."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)
    if not isinstance(data, dict):
        raise TypeError(f"{path}: not a template")
    return data


def sam_generated_rules(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """EventBridge rules SAM creates for functions' EventBridgeRule events, by logical id.

    SAM names them `<function logical id><event id>`; the value is the event's properties.
    """
    rules: dict[str, dict[str, Any]] = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event_id, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] == "EventBridgeRule":
                rules[f"{logical_id}{event_id}"] = event["Properties"]
    return rules


@dataclass
class Renderer:
    """Resolves intrinsic functions for one set of parameter values."""

    template: Mapping[str, Any]
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        declared = self.template["Parameters"]
        unknown = set(self.overrides) - set(declared)
        if unknown:
            raise KeyError(f"not template parameters: {sorted(unknown)}")
        self.parameters = {name: spec.get("Default") for name, spec in declared.items()}
        self.parameters.update(self.overrides)
        self.types = {
            logical_id: resource["Type"]
            for logical_id, resource in self.template["Resources"].items()
        }
        for rule_id in sam_generated_rules(self.template):
            self.types[rule_id] = "AWS::Events::Rule"

    # ------------------------------------------------------------------ public
    def render(self, node: Any) -> Any:
        """`node` with every intrinsic function resolved and AWS::NoValue dropped."""
        if isinstance(node, list):
            items = [self.render(item) for item in node]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self._intrinsic(key, value)
        rendered = {key: self.render(value) for key, value in node.items()}
        return {key: value for key, value in rendered.items() if value is not _NO_VALUE}

    def condition(self, name: str) -> bool:
        return bool(self.render(self.template["Conditions"][name]))

    def deployed(self, logical_id: str) -> bool:
        """Whether the resource exists with these parameters (its Condition holds)."""
        condition = self.template["Resources"][logical_id].get("Condition")
        return condition is None or self.condition(condition)

    def physical_name(self, logical_id: str) -> str:
        return f"{STACK}-{logical_id.lower()}"

    def arn(self, logical_id: str) -> str:
        name = self.physical_name(logical_id)
        arns = {
            "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{name}",
            "AWS::DynamoDB::Table": f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}",
            "AWS::SQS::Queue": f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name}",
            "AWS::SNS::Topic": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{name}",
            "AWS::KMS::Key": f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{name}",
            "AWS::Events::Rule": f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:rule/{name}",
        }
        return arns[self.types[logical_id]]

    # ------------------------------------------------------------------ intrinsics
    def _intrinsic(self, key: str, value: Any) -> Any:
        handlers: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::Sub": self._sub,
            "Fn::GetAtt": self._get_att,
            "Fn::If": self._if,
            "Fn::Equals": lambda v: self.render(v[0]) == self.render(v[1]),
            "Fn::Not": lambda v: not self.render(v[0]),
            "Fn::Or": lambda v: any(self.render(item) for item in v),
            "Fn::Select": lambda v: self.render(v[1])[int(self.render(v[0]))],
            "Fn::Split": lambda v: str(self.render(v[1])).split(self.render(v[0])),
            "Condition": self.condition,
        }
        return handlers[key](value)

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "AWS::Partition": PARTITION,
            "AWS::StackName": STACK,
            "AWS::NoValue": _NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        kind = self.types[name]
        if kind == "AWS::SNS::Topic":
            return self.arn(name)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.physical_name(name)}"
        return self.physical_name(name)

    def _get_att(self, value: list[str]) -> str:
        logical_id, attribute = value
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute == "QueueName" and self.types[logical_id] == "AWS::SQS::Queue":
            return self.physical_name(logical_id)
        raise KeyError(f"unsupported attribute {logical_id}.{attribute}")

    def _sub(self, value: str | list[Any]) -> str:
        text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.render(variables[name]))
            if "." in name:
                return str(self._get_att(name.split(".", 1)))
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")

    def _if(self, value: list[Any]) -> Any:
        condition, when_true, when_false = value
        return self.render(when_true if self.condition(condition) else when_false)


def of_type(resources: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The resources of one CloudFormation type, by logical id."""
    return {logical_id: r for logical_id, r in resources.items() if r["Type"] == kind}


def properties(renderer: Renderer, logical_id: str) -> dict[str, Any]:
    """A resource's properties as deployed with the renderer's parameters."""
    rendered = renderer.render(renderer.template["Resources"][logical_id]["Properties"])
    assert isinstance(rendered, dict)
    return rendered
