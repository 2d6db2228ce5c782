"""The published JSON Schema of scenario files is the one the model generates."""

from __future__ import annotations

import json

import jsonschema
import pytest
from ecr_guard.policy.yaml_source import parse_yaml
from ecr_guard.sim.bundled import DEMO_SCENARIOS, bundled_scenarios
from ecr_guard.sim.load import scenario_schema

from tests.conftest import REPO_ROOT

SCHEMA_FILE = REPO_ROOT / "docs" / "schemas" / "scenario.schema.json"
REGENERATE = (
    'python -c "import json; from ecr_guard.sim.load import scenario_schema; '
    'print(json.dumps(scenario_schema(), indent=2))" > docs/schemas/scenario.schema.json'
)


def test_published_schema_equals_the_generated_one():
    published = json.loads(SCHEMA_FILE.read_text())

    assert published == scenario_schema(), f"regenerate it: {REGENERATE}"


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


def test_every_object_of_the_schema_forbids_unknown_keys():
    schema = scenario_schema()
    objects = [schema, *schema["$defs"].values()]

    open_objects = [
        definition.get("title")
        for definition in objects
        if definition.get("type") == "object"
        and "properties" in definition
        and definition.get("additionalProperties") is not False
    ]

    assert open_objects == []


@pytest.mark.parametrize("name", DEMO_SCENARIOS)
def test_bundled_scenarios_validate_against_the_schema(name):
    with bundled_scenarios() as folder:
        text = (folder / name).read_text()
    document = parse_yaml(text, origin=name, what="scenario").data

    jsonschema.Draft202012Validator(scenario_schema()).validate(document)
