"""Loading a policy: YAML read safely, validated completely, every fault named with its line.

A policy that loads is a policy that means what it says. Beyond the model's own checks
(unknown keys, wrong types, bad values), loading rejects what pydantic cannot see:

- duplicate keys in a YAML mapping (YAML itself would keep the last one silently);
- duplicate rule ids within the default rules or within one rule set, duplicate rule set names,
  a rule set named `default` (that name reports the top-level rules), and rule ids the
  image-level checks use (`image-size`, `end-of-life-os`, `no-usable-scan`);
- a rule whose conditions can never hold: `fixable`, `min_cvss`, `min_epss`, `packages`,
  `min_age_days` or `exploit_available` on a rule limited to secrets or misconfigurations,
  which have no package, fix or score.

All problems of a document are raised together as one `PolicyError`: one line when there is
one problem, otherwise a count followed by one indented line per problem. The checks above run
once the document has the shape the model requires, so a document with both kinds of fault
shows the shape problems first.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ecr_guard.errors import PolicyError
from ecr_guard.findings.model import FindingKind
from ecr_guard.policy.matching import DEFAULT_SCOPE
from ecr_guard.policy.model import RESERVED_RULE_IDS, Policy, Rule, Waiver
from ecr_guard.policy.problems import problems_from_validation
from ecr_guard.policy.trivyignore import load_trivyignore
from ecr_guard.policy.yaml_source import (
    DocPath,
    Problem,
    YamlSource,
    error_at,
    parse_yaml,
    raise_problems,
    render_path,
)

DEFAULT_POLICY_RESOURCE = "default.yaml"

# Conditions that only vulnerabilities can satisfy.
_VULNERABILITY_CONDITIONS = (
    "fixable",
    "min_cvss",
    "min_epss",
    "packages",
    "min_age_days",
    "exploit_available",
)


def parse_policy(text: str, *, origin: str, base_dir: Path | None = None) -> Policy:
    """Validate a policy document; PolicyError naming every problem with its path and line.

    `base_dir` is the folder `waiver_files` are read from (the policy file's folder); a policy
    without a folder cannot name waiver files.
    """
    source = parse_yaml(text, origin=origin, what="policy")
    try:
        policy = Policy.model_validate(source.data)
    except ValidationError as error:
        raise_problems(origin, problems_from_validation(error, source, Policy))
        raise  # unreachable: a ValidationError always holds at least one problem

    raise_problems(origin, semantic_problems(policy, source))
    imported = _load_waiver_files(policy, source, base_dir)
    if not imported:
        return policy
    return policy.model_copy(update={"waivers": [*policy.waivers, *imported]})


def load_policy(path: Path | None) -> Policy:
    """The policy in `path`, or the built-in default policy when `path` is None."""
    if path is None:
        return default_policy()
    return parse_policy(_read_text(path), origin=str(path), base_dir=path.parent)


@functools.cache
def default_policy() -> Policy:
    """The built-in default policy shipped with ecr-guard (read once per process)."""
    text = resources.files("ecr_guard.policy").joinpath(DEFAULT_POLICY_RESOURCE).read_text()
    return parse_policy(text, origin=f"built-in {DEFAULT_POLICY_RESOURCE}")


def policy_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the policy document, for editors and CI checks.

    Every object forbids unknown keys; every definition and property has a title and a
    description. Enumerated values are shown in their documented spelling; the loader also
    accepts them in any case.
    """
    schema = Policy.model_json_schema(mode="validation")
    definitions = schema.get("$defs", {})
    for name, description in _DEFINITION_DESCRIPTIONS.items():
        if name in definitions:
            definitions[name].setdefault("description", description)
    for definition in [schema, *definitions.values()]:
        for key, prop in definition.get("properties", {}).items():
            # pydantic leaves out the title of a property that only refers to a definition.
            prop.setdefault("title", key.replace("_", " ").capitalize())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "ecr-guard policy",
    }


_DEFINITION_DESCRIPTIONS = {
    "FindingKind": "What a finding is: a vulnerable package, a leaked secret or a failed "
    "configuration check.",
}


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PolicyError(str(path), "policy file not found") from error
    except IsADirectoryError as error:
        raise PolicyError(str(path), "is a folder, not a policy file") from error
    except UnicodeDecodeError as error:
        raise PolicyError(str(path), "not UTF-8 text") from error
    except OSError as error:
        raise PolicyError(str(path), f"cannot be read: {error.strerror}") from error


def semantic_problems(policy: Policy, source: YamlSource) -> list[Problem]:
    """What the model cannot see (duplicate ids and names, reserved ids, impossible rules),
    with paths and lines in `source`, the document `policy` was validated from."""
    problems = _rule_problems(policy.rules, ("rules",), source)
    first_name: dict[str, DocPath] = {}
    for index, rule_set in enumerate(policy.rule_sets):
        path: DocPath = ("rule_sets", index)
        name_path = (*path, "name")
        if rule_set.name == DEFAULT_SCOPE:
            message = f"{DEFAULT_SCOPE!r} names the top-level rules; pick another rule set name"
            problems.append(Problem(name_path, source.line_of(name_path), message))
        elif rule_set.name in first_name:
            first = first_name[rule_set.name]
            message = (
                f"duplicate rule set name {rule_set.name!r} "
                f"(first at {render_path(first)}, line {source.line_of(first)})"
            )
            problems.append(Problem(name_path, source.line_of(name_path), message))
        else:
            first_name[rule_set.name] = name_path
        problems += _rule_problems(rule_set.rules, (*path, "rules"), source)
    return problems


def _rule_problems(rules: list[Rule], path: DocPath, source: YamlSource) -> list[Problem]:
    problems = []
    first_id: dict[str, DocPath] = {}
    for index, rule in enumerate(rules):
        rule_path = (*path, index)
        id_path = (*rule_path, "id")
        if rule.id in RESERVED_RULE_IDS:
            message = f"{rule.id!r} is the id of an image-level check; pick another rule id"
            problems.append(Problem(id_path, source.line_of(id_path), message))
        elif rule.id in first_id:
            first = first_id[rule.id]
            message = (
                f"duplicate rule id {rule.id!r} "
                f"(first at {render_path(first)}, line {source.line_of(first)})"
            )
            problems.append(Problem(id_path, source.line_of(id_path), message))
        else:
            first_id[rule.id] = rule_path
        problems += _impossible_conditions(rule, rule_path, source)
    return problems


def _impossible_conditions(rule: Rule, path: DocPath, source: YamlSource) -> list[Problem]:
    kinds = rule.kind if isinstance(rule.kind, list) else [rule.kind] if rule.kind else []
    if not kinds or FindingKind.VULNERABILITY in kinds:
        return []
    kind_names = " and ".join(sorted(str(kind) for kind in kinds))
    problems = []
    for condition in _VULNERABILITY_CONDITIONS:
        if getattr(rule, condition) is not None:
            condition_path = (*path, condition)
            message = (
                f"{condition} applies only to vulnerabilities, but this rule is limited to "
                f"{kind_names}, so it could never match"
            )
            problems.append(Problem(condition_path, source.line_of(condition_path), message))
    return problems


def _load_waiver_files(policy: Policy, source: YamlSource, base_dir: Path | None) -> list[Waiver]:
    waivers: list[Waiver] = []
    for index, name in enumerate(policy.waiver_files):
        path: DocPath = ("waiver_files", index)
        file = Path(name)
        if not file.is_absolute():
            if base_dir is None:
                message = f"{name!r} is relative, but this policy was not read from a file"
                raise error_at(source, path, message)
            file = base_dir / file
        if not file.is_file():
            raise error_at(source, path, f"waiver file {name!r} not found (looked for {file})")
        waivers += load_trivyignore(file).waivers
    return waivers
