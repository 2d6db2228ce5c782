"""Loading a scenario: YAML read safely, validated completely, every fault named with its line.

Beyond the model's own checks, loading verifies what refers to what: each image's repository is
declared, each event names a declared image (and platforms it has), each report and findings
file exists and is what it claims to be, the policy is valid, and the stack parameters are
values the functions accept. All problems of a document are raised together as one
`ScenarioError`, formatted as policy errors are.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import from_json

from ecr_guard.errors import ConfigError, InputError, ScenarioError
from ecr_guard.findings.load import MAX_REPORT_BYTES, parse_report
from ecr_guard.findings.model import ReportSource
from ecr_guard.guard.config import GuardSettings
from ecr_guard.policy.load import load_policy, semantic_problems
from ecr_guard.policy.model import Policy
from ecr_guard.policy.problems import problems_from_validation
from ecr_guard.policy.trivyignore import load_trivyignore
from ecr_guard.policy.yaml_source import (
    DocPath,
    Problem,
    YamlSource,
    parse_yaml,
    raise_problems,
)
from ecr_guard.sim.findings import (
    ImageFindings,
    basic_finding,
    basic_findings_from_file,
    enhanced_finding,
    enhanced_findings_from_file,
    finding_id,
)
from ecr_guard.sim.manifests import BuiltImage, build_images
from ecr_guard.sim.policy_document import PolicyDocument
from ecr_guard.sim.scenario import (
    ClockAdvancedEvent,
    FindingsSpec,
    InspectorFindingEvent,
    InspectorScanEvent,
    PushEvent,
    ReleaseEvent,
    Scenario,
    StackUpdatedEvent,
    TrivyReportEvent,
    WaiverAddedEvent,
)
from ecr_guard.sim.stack import PARAMETER_VARIABLES, parameter_environment

_DECISION_CHECKS = ("verdict", "outcome", "action", "performed", "pending", "rules")


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with everything it refers to read and checked."""

    scenario: Scenario
    origin: str
    base_dir: Path
    name: str
    images: dict[str, BuiltImage]
    findings: dict[str, ImageFindings]
    policy: PolicyDocument


def load_scenario(path: Path) -> LoadedScenario:
    """Read and validate the scenario at `path`; ScenarioError (or PolicyError for its policy
    file) naming every problem with its path and line."""
    text = _read_text(path)
    return parse_scenario(text, origin=str(path), base_dir=path.parent, name=path.stem)


def parse_scenario(text: str, *, origin: str, base_dir: Path, name: str) -> LoadedScenario:
    source = parse_yaml(text, origin=origin, what="scenario", error=ScenarioError)
    try:
        scenario = Scenario.model_validate(source.data)
    except ValidationError as error:
        problems = problems_from_validation(error, source, Scenario)
        raise_problems(origin, problems, error=ScenarioError)
        raise  # unreachable: a ValidationError always holds at least one problem

    checker = _Checker(scenario, source, base_dir, name)
    loaded = checker.check()
    raise_problems(origin, checker.problems, error=ScenarioError)
    if loaded is None:  # every path that leaves it None records a problem
        raise AssertionError(origin)
    return loaded


@functools.cache
def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, for editors and CI checks."""
    schema = Scenario.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "ecr-guard simulation scenario",
    }


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ScenarioError(str(path), "scenario file not found") from error
    except IsADirectoryError as error:
        raise ScenarioError(str(path), "is a folder, not a scenario file") from error
    except UnicodeDecodeError as error:
        raise ScenarioError(str(path), "not UTF-8 text") from error
    except OSError as error:
        raise ScenarioError(str(path), f"cannot be read: {error.strerror}") from error


class _Checker:
    """Checks what the model cannot see, collecting every problem."""

    def __init__(self, scenario: Scenario, source: YamlSource, base_dir: Path, name: str):
        self.scenario = scenario
        self.source = source
        self.base_dir = base_dir
        self.name = scenario.name or name
        self.problems: list[Problem] = []

    def add(self, path: DocPath, message: str) -> None:
        self.problems.append(Problem(path, self.source.line_of(path), message))

    def check(self) -> LoadedScenario | None:
        self._check_repositories()
        images = build_images(self.scenario, self.name)
        findings = self._read_findings(images)
        self._check_events(images, findings)
        self._check_parameters()
        policy = self._policy()
        if self.problems or policy is None:
            return None
        return LoadedScenario(
            scenario=self.scenario,
            origin=self.source.origin,
            base_dir=self.base_dir,
            name=self.name,
            images=images,
            findings=findings,
            policy=policy,
        )

    # ------------------------------------------------------------ references

    def _check_repositories(self) -> None:
        declared = sorted(self.scenario.repositories)
        for handle, spec in self.scenario.images.items():
            if spec.repository not in self.scenario.repositories:
                self.add(
                    ("images", handle, "repository"),
                    f"repository {spec.repository!r} is not declared under repositories "
                    f"({', '.join(declared)})",
                )

    def _check_events(self, images: dict[str, BuiltImage], found: dict[str, ImageFindings]) -> None:
        names = ", ".join(self.scenario.images)
        for index, event in enumerate(self.scenario.events):
            path: DocPath = ("events", index)
            self._check_expect_images(event.expect, path, images)
            if isinstance(event, WaiverAddedEvent | ClockAdvancedEvent | StackUpdatedEvent):
                self._no_decision_checks(event, path, "it decides nothing about an image")
                continue
            image = images.get(event.image)
            if image is None:
                self.add((*path, "image"), f"no image named {event.image!r} (images: {names})")
                continue
            if isinstance(event, ReleaseEvent):
                self._no_decision_checks(event, path, "a release decides nothing")
            if isinstance(event, PushEvent | ReleaseEvent):
                continue
            leaves = self._targets(event.platforms, image, path)
            if isinstance(event, TrivyReportEvent):
                for leaf in leaves:
                    if leaf.findings.trivy is None:
                        self.add(
                            (*path, "image"),
                            f"{leaf.reference} has no Trivy report (findings.trivy)",
                        )
            if isinstance(event, InspectorFindingEvent | InspectorScanEvent) and event.findings:
                for leaf in leaves:
                    ids = {finding_id(item) for item in found[leaf.reference].enhanced}
                    missing = [wanted for wanted in event.findings if wanted not in ids]
                    if missing:
                        self.add(
                            (*path, "findings"),
                            f"{leaf.reference} has no enhanced finding {', '.join(missing)}",
                        )

    def _targets(
        self, platforms: list[str] | None, image: BuiltImage, path: DocPath
    ) -> tuple[BuiltImage, ...]:
        if platforms is None:
            return image.leaves()
        if not image.is_index:
            self.add((*path, "platforms"), f"{image.reference} is not a multi-arch image")
            return ()
        known = {child.platform: child for child in image.children}
        chosen = []
        for platform in platforms:
            if platform not in known:
                self.add(
                    (*path, "platforms"),
                    f"{image.reference} has no platform {platform} "
                    f"(it has {', '.join(str(name) for name in known)})",
                )
            else:
                chosen.append(known[platform])
        return tuple(chosen)

    def _no_decision_checks(self, event: Any, path: DocPath, why: str) -> None:
        expect = event.expect
        if expect is None:
            return
        for check in _DECISION_CHECKS:
            if getattr(expect, check) is not None:
                self.add(
                    (*path, "expect", check),
                    f"this event cannot be checked for a {check}: {why}",
                )

    def _check_expect_images(
        self, expect: Any, path: DocPath, images: dict[str, BuiltImage]
    ) -> None:
        if expect is None or not expect.images:
            return
        for reference in expect.images:
            if reference not in images:
                known = ", ".join(sorted(images))
                self.add(
                    (*path, "expect", "images", reference),
                    f"no image {reference!r} (images and platforms: {known})",
                )

    # ------------------------------------------------------------ files

    def _read_findings(self, images: dict[str, BuiltImage]) -> dict[str, ImageFindings]:
        found: dict[str, ImageFindings] = {}
        for reference, image in images.items():
            if image.is_index:
                continue
            path: DocPath = ("images", image.handle)
            if image.platform is not None:
                path = (*path, "platforms", image.platform)
            found[reference] = self._image_findings(image.findings, (*path, "findings"))
        return found

    def _image_findings(self, spec: FindingsSpec, path: DocPath) -> ImageFindings:
        trivy = None
        if spec.trivy is not None:
            trivy = self._trivy(spec.trivy, (*path, "trivy"))
        basic: list[dict[str, Any]] = []
        if isinstance(spec.ecr_basic, str):
            basic = self._document_findings(
                spec.ecr_basic, (*path, "ecr_basic"), ReportSource.ECR_BASIC
            )
        elif spec.ecr_basic is not None:
            basic = [basic_finding(finding) for finding in spec.ecr_basic]
        enhanced: list[dict[str, Any]] = []
        if isinstance(spec.ecr_enhanced, str):
            enhanced = self._document_findings(
                spec.ecr_enhanced, (*path, "ecr_enhanced"), ReportSource.INSPECTOR
            )
        elif spec.ecr_enhanced is not None:
            enhanced = [enhanced_finding(finding) for finding in spec.ecr_enhanced]
        return ImageFindings(
            trivy=trivy,
            trivy_name=spec.trivy,
            basic=tuple(basic),
            enhanced=tuple(enhanced),
        )

    def _file_bytes(self, name: str, path: DocPath) -> bytes | None:
        file = self.base_dir / name
        try:
            if file.stat().st_size > MAX_REPORT_BYTES:
                self.add(path, f"{name}: over the limit of {MAX_REPORT_BYTES} bytes")
                return None
            return file.read_bytes()
        except FileNotFoundError:
            self.add(path, f"file {name!r} not found (looked for {file})")
        except OSError as error:
            self.add(path, f"{name}: cannot be read: {error.strerror}")
        return None

    def _trivy(self, name: str, path: DocPath) -> bytes | None:
        data = self._file_bytes(name, path)
        if data is None:
            return None
        try:
            report = parse_report(data, origin=name)
        except InputError as error:
            self.add(path, str(error))
            return None
        if report.source is not ReportSource.TRIVY:
            self.add(path, f"{name}: not a Trivy report ({report.format})")
            return None
        return data

    def _document_findings(
        self, name: str, path: DocPath, source: ReportSource
    ) -> list[dict[str, Any]]:
        data = self._file_bytes(name, path)
        if data is None:
            return []
        try:
            parse_report(data, origin=name)
            document = from_json(data)
        except (InputError, ValueError) as error:
            self.add(path, str(error))
            return []
        if not isinstance(document, dict):
            self.add(path, f"{name}: not a JSON object")
            return []
        if source is ReportSource.ECR_BASIC:
            listed = basic_findings_from_file(document)
            expected = "`aws ecr describe-image-scan-findings` output (basic scanning)"
        else:
            listed = enhanced_findings_from_file(document)
            expected = "`aws inspector2 list-findings` output or enhanced scan findings"
        if listed is None:
            self.add(path, f"{name}: not {expected}")
            return []
        return listed

    # ------------------------------------------------------------ stack and policy

    def _check_parameters(self) -> None:
        environment = parameter_environment(self.scenario.parameters)
        try:
            GuardSettings.from_environ(environment, role="cli")
        except ConfigError as error:
            message = str(error)
            for parameter, variable in PARAMETER_VARIABLES.items():
                message = message.replace(variable, parameter)
            self.add(("parameters",), message)

    def _policy(self) -> PolicyDocument | None:
        given = self.scenario.policy
        if given is None:
            return PolicyDocument.built_in()
        if isinstance(given, str):
            return self._policy_file(given)
        return self._inline_policy(given)

    def _policy_file(self, name: str) -> PolicyDocument | None:
        file = self.base_dir / name
        if not file.is_file():
            self.add(("policy",), f"policy file {name!r} not found (looked for {file})")
            return None
        load_policy(file)  # a PolicyError names the policy file, its field and line
        source = parse_yaml(file.read_text(encoding="utf-8"), origin=str(file), what="policy")
        return PolicyDocument.from_data(source.data, origin=str(file), base_dir=file.parent)

    def _inline_policy(self, policy: Policy) -> PolicyDocument | None:
        sub = _subdocument(self.source, ("policy",))
        for problem in semantic_problems(policy, sub):
            self.problems.append(Problem(("policy", *problem.path), problem.line, problem.message))
        for index, name in enumerate(policy.waiver_files):
            file = self.base_dir / name
            if not file.is_file():
                self.add(
                    ("policy", "waiver_files", index),
                    f"waiver file {name!r} not found (looked for {file})",
                )
            else:
                load_trivyignore(file)  # a PolicyError names the ignore file and entry
        return PolicyDocument.from_data(sub.data, origin=self.source.origin, base_dir=self.base_dir)


def _subdocument(source: YamlSource, root: DocPath) -> YamlSource:
    """The part of `source` at `root`, with paths relative to it and lines of the whole file."""
    _, data = source.value_at(root)
    lines = {
        path[len(root) :]: line for path, line in source.lines.items() if path[: len(root)] == root
    }
    return YamlSource(origin=source.origin, data=data, lines=lines)
