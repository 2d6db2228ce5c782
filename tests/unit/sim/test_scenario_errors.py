"""A scenario that cannot be used gets one clear message naming the file, the field and the line,
formatted as policy errors are; nothing is run."""

from __future__ import annotations

from pathlib import Path

import pytest
from ecr_guard.errors import PolicyError, ScenarioError

from tests.unit.sim.support import MINIMAL, load_text, write_scenario


def error_of(folder: Path, text: str) -> str:
    with pytest.raises(ScenarioError) as raised:
        load_text(folder, text)
    return str(raised.value)


def test_unknown_key_is_named_with_its_line_and_a_suggestion(tmp_path):
    text = MINIMAL.replace("    tags: [1.0.0]\n", "    tagz: [1.0.0]\n")

    message = error_of(tmp_path, text)

    assert message == (
        f"{tmp_path / 'scenario.yaml'}: images.app (line 6): unknown key 'tagz'; "
        "did you mean 'tags'?"
    )


def test_unknown_event_type_lists_the_event_types(tmp_path):
    message = error_of(tmp_path, MINIMAL.replace("type: trivy-report", "type: trivy-reprot"))

    assert "events[1] (line 12): type 'trivy-reprot' is not one of push, scan-complete" in message
    assert message.endswith("did you mean 'trivy-report'?")


def test_event_without_a_type_says_type_is_required(tmp_path):
    message = error_of(
        tmp_path, MINIMAL.replace("  - type: push\n    image: app\n", "  - image: app\n")
    )

    assert message.endswith("events[0] (line 10): 'type' is required")


def test_event_about_an_undeclared_image_names_the_declared_ones(tmp_path):
    message = error_of(
        tmp_path,
        MINIMAL.replace("  - type: push\n    image: app", "  - type: push\n    image: api"),
    )

    assert message.endswith("events[0].image (line 11): no image named 'api' (images: app)")


def test_image_in_an_undeclared_repository_is_refused(tmp_path):
    message = error_of(
        tmp_path, MINIMAL.replace("    repository: team/app", "    repository: team/api")
    )

    assert message.endswith(
        "images.app.repository (line 5): repository 'team/api' is not declared under "
        "repositories (team/app)"
    )


def test_missing_report_file_names_the_field_and_the_file(tmp_path):
    message = error_of(tmp_path, MINIMAL.replace("trivy: trivy.json", "trivy: reports/gone.json"))

    assert "images.app.findings.trivy (line 8): file 'reports/gone.json' not found" in message


def test_report_that_is_not_a_trivy_report_is_refused(tmp_path):
    (tmp_path / "basic.json").write_text(
        '{"imageScanFindings": {"findings": []}, "imageScanStatus": {"status": "COMPLETE"}}'
    )
    message = error_of(tmp_path, MINIMAL.replace("trivy: trivy.json", "trivy: basic.json"))

    assert message.endswith(
        "images.app.findings.trivy (line 8): basic.json: not a Trivy report "
        "(ecr-describe-image-scan-findings)"
    )


def test_several_problems_are_reported_together_in_line_order(tmp_path):
    text = MINIMAL.replace("    repository: team/app", "    repository: team/api").replace(
        "    image: app\n  - type: trivy", "    image: api\n  - type: trivy"
    )

    message = error_of(tmp_path, text)

    assert message.splitlines()[0].endswith("scenario.yaml: 2 problems:")
    assert message.splitlines()[1].startswith("  images.app.repository (line 5):")
    assert message.splitlines()[2].startswith("  events[0].image (line 11):")


def test_inline_policy_problems_point_into_the_scenario(tmp_path):
    text = MINIMAL + (
        "policy:\n"
        "  rules:\n"
        "    - {id: block, verdict: fail, severity: CRITICAL}\n"
        "    - {id: block, verdict: warn, severity: HIGH}\n"
    )

    message = error_of(tmp_path, text)

    assert message.endswith(
        "policy.rules[1].id (line 17): duplicate rule id 'block' (first at rules[0], line 16)"
    )


def test_inline_policy_shape_errors_name_the_policy_field(tmp_path):
    text = MINIMAL + "policy:\n  rules:\n    - {id: block, verdict: fail, severity: HIHG}\n"

    message = error_of(tmp_path, text)

    assert message.endswith(
        "policy.rules[0].severity (line 16): 'HIHG' is not one of CRITICAL, HIGH, MEDIUM, LOW, "
        "UNKNOWN"
    )


def test_a_policy_file_with_an_error_is_reported_by_the_policy_loader(tmp_path):
    (tmp_path / "policy.yaml").write_text("rules:\n  - id: Bad\n    verdict: fail\n")

    with pytest.raises(PolicyError) as raised:
        load_text(tmp_path, MINIMAL + "policy: policy.yaml\n")

    assert str(raised.value).startswith(f"{tmp_path / 'policy.yaml'}: rules[0].id (line 2):")


def test_stack_parameter_the_functions_would_refuse_is_named(tmp_path):
    text = MINIMAL + "parameters:\n  VerifiedTag: quarantine-sha256-ok\n"

    message = error_of(tmp_path, text)

    assert message.endswith(
        "parameters (line 14): VerifiedTag must not start with QuarantineTagPrefix"
    )


def test_platforms_on_a_single_image_are_refused(tmp_path):
    text = MINIMAL.replace(
        "  - type: trivy-report\n    image: app\n",
        "  - type: trivy-report\n    image: app\n    platforms: [linux/arm64]\n",
    )

    message = error_of(tmp_path, text)

    assert message.endswith("events[1].platforms (line 14): app is not a multi-arch image")


def test_decision_checks_on_an_event_that_decides_nothing_are_refused(tmp_path):
    text = MINIMAL + "  - type: clock-advanced\n    days: 1\n    expect: {verdict: PASS}\n"

    message = error_of(tmp_path, text)

    assert message.endswith(
        "events[2].expect.verdict (line 16): this event cannot be checked for a verdict: it "
        "decides nothing about an image"
    )


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    message = error_of(tmp_path, "repositories: {team/app: {}\nimages: []\n")

    assert message.startswith(f"{tmp_path / 'scenario.yaml'}: line 2, column 1: YAML syntax error")


def test_empty_scenario_file_is_refused(tmp_path):
    message = error_of(tmp_path, "")

    assert message == f"{tmp_path / 'scenario.yaml'}: the scenario is empty"


def test_missing_scenario_file_is_refused(tmp_path):
    from ecr_guard.sim.load import load_scenario

    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "nowhere.yaml")


def test_a_valid_scenario_loads_with_its_report(tmp_path):
    loaded = load_text(tmp_path, MINIMAL)

    assert loaded.name == "scenario"
    assert [event.type for event in loaded.scenario.events] == ["push", "trivy-report"]
    assert loaded.findings["app"].trivy is not None
    assert loaded.images["app"].digest.startswith("sha256:")


def test_paths_are_relative_to_the_scenario_file(tmp_path):
    folder = tmp_path / "nested"
    folder.mkdir()
    path = write_scenario(folder, MINIMAL)

    from ecr_guard.sim.load import load_scenario

    assert load_scenario(path).findings["app"].trivy_name == "trivy.json"
