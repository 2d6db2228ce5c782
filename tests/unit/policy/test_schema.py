from __future__ import annotations

import json
from importlib import resources
from textwrap import dedent
from typing import Any

import jsonschema
import pytest
import yaml
from ecr_guard.policy.load import parse_policy, policy_schema

EXAMPLE_POLICIES = {
    "every-field": """\
        version: 1
        name: platform images
        counting: per-package
        mode: audit
        rules:
          - id: exploited-vulns
            verdict: fail
            description: Known exploited; fix now.
            kind: [vulnerability]
            severity: [CRITICAL, HIGH]
            min_cvss: 7.5
            fixable: true
            ids: [CVE-2021-44228, GHSA-jfh8-c2jp-5v3q]
            packages: ["log4j-*", "openssl"]
            min_age_days: 30
            exploit_available: true
            min_epss: 0.1
        image:
          max_size: {max: 2GiB, verdict: fail}
          end_of_life_os: fail
          unknown: pass
        rule_sets:
          - name: pull-through-cache
            match: {repositories: ["docker-hub/*"], tags: ["*"]}
            mode: enforce
            rules: [{id: criticals, verdict: warn, severity: CRITICAL}]
            image: {unknown: warn, max_size: {max: 500000000}}
        waivers:
          - id: CVE-2023-4911
            package: glibc
            purl: pkg:deb/debian/libc6
            path: "usr/lib/**"
            repositories: [team/app]
            tags: ["release-*"]
            reason: Not reachable in this service.
            approved_by: security@example.com
            expires: 2027-03-31
        waiver_files: []
        notifications:
          routes:
            - repositories: ["payments/*", "billing-*"]
              team: payments
              email: payments-oncall@example.com
              slack_channel: "#payments-alerts"
          default_team: platform-security
        """,
    "minimal": "rules: [{id: anything, verdict: warn}]\n",
}


def as_json_data(text: str) -> Any:
    """YAML as a JSON document: dates become the text editors see."""
    return json.loads(json.dumps(yaml.safe_load(dedent(text)), default=str))


def object_schemas(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    definitions = schema["$defs"].items()
    return [("top level", schema), *((n, d) for n, d in definitions if d.get("type") == "object")]


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = policy_schema()

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "ecr-guard policy"


def test_every_object_forbids_unknown_keys():
    objects = object_schemas(policy_schema())

    assert [name for name, _ in objects] == [
        "top level",
        "ImageRules",
        "Match",
        "NotificationRoute",
        "Notifications",
        "Rule",
        "RuleSet",
        "SizeLimit",
        "Waiver",
    ]
    assert all(definition["additionalProperties"] is False for _, definition in objects)


def test_every_definition_and_property_has_a_title_and_description():
    schema = policy_schema()

    for name, definition in [("top level", schema), *schema["$defs"].items()]:
        assert definition.get("title"), name
        assert definition.get("description"), name
        for key, prop in definition.get("properties", {}).items():
            assert prop.get("title"), f"{name}.{key}"
            assert prop.get("description"), f"{name}.{key}"


def test_schema_validates_the_default_policy():
    text = resources.files("ecr_guard.policy").joinpath("default.yaml").read_text()

    jsonschema.validate(as_json_data(text), policy_schema())


@pytest.mark.parametrize("name", sorted(EXAMPLE_POLICIES))
def test_schema_and_loader_accept_the_example_policies(name: str):
    text = EXAMPLE_POLICIES[name]

    jsonschema.validate(as_json_data(text), policy_schema())
    parse_policy(dedent(text), origin=f"{name}.yaml")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("rules: [{id: a, verdict: fail, fixabel: true}]", "Additional properties"),
        ("rules: [{id: a, verdict: fail, severity: HIHG}]", "'HIHG' is not one of"),
        ("image: {max_size: {max: 1GiB, verdit: fail}}", "Additional properties"),
        ("waivers: [{id: X, reason: r, approved_by: me}]", "'expires' is a required property"),
        ("notifications: {routes: [{repositories: [a], team: t, channel: c}]}", "Additional"),
        ("notifications: {routes: [{repositories: [a]}]}", "'team' is a required property"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(text: str, complaint: str):
    with pytest.raises(jsonschema.ValidationError) as caught:
        jsonschema.validate(as_json_data(text), policy_schema())

    assert complaint in caught.value.message
