"""The simulator's stack and the functions' environment against template.yaml: a resource type,
a function or an environment variable added to the template must be accounted for here."""

from __future__ import annotations

from typing import Any

import pytest
from ecr_guard.sim.scenario import StackParameters
from ecr_guard.sim.stack import (
    FIXED_VARIABLES,
    FUNCTION_HANDLERS,
    FUNCTIONS_NOT_RUN,
    PARAMETER_VARIABLES,
    RESOURCE_VARIABLES,
    TEMPLATE_RESOURCE_TYPES,
    parameter_environment,
)

from tests.conftest import REPO_ROOT
from tests.unit.template.cfn import load_template

POLICY_FILE = "ECR_GUARD_POLICY_FILE"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(REPO_ROOT / "template.yaml")


def test_every_resource_type_of_the_template_is_accounted_for(template):
    types = {resource["Type"] for resource in template["Resources"].values()}

    assert types == set(TEMPLATE_RESOURCE_TYPES)


def test_every_function_of_the_template_is_run_or_excused(template):
    functions = {
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }

    assert functions == set(FUNCTION_HANDLERS) | (set(FUNCTIONS_NOT_RUN) & functions)
    assert set(FUNCTION_HANDLERS) <= functions


def test_the_functions_environment_has_every_variable_of_the_template(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    simulated = (
        set(PARAMETER_VARIABLES.values())
        | set(RESOURCE_VARIABLES)
        | set(FIXED_VARIABLES)
        | {POLICY_FILE}
    )

    assert set(variables) == simulated


def test_parameter_variables_are_set_from_the_parameters_the_template_names(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    for parameter, variable in PARAMETER_VARIABLES.items():
        assert variables[variable] == {"Ref": parameter}
    for variable, logical_id in RESOURCE_VARIABLES.items():
        assert variables[variable] == {"Ref": logical_id}


def test_scenario_parameters_default_as_the_template_does(template):
    defaults = parameter_environment(StackParameters())

    for parameter, variable in PARAMETER_VARIABLES.items():
        assert defaults[variable] == str(template["Parameters"][parameter]["Default"])
