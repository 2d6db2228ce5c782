"""Pydantic validation errors rewritten as problems a policy author can fix.

Pydantic reports a path such as `('rules', 2, 'severity', 'str-enum[Severity]')`: the last step
names the branch of a union, not a key of the document. Only the steps that exist in the
document are kept, and of the union's branches only the one matching the value's shape (a list,
or a single value) is reported, so `severity: HIHG` yields one error, not two.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from ecr_guard.policy.model import KEBAB_ID
from ecr_guard.policy.yaml_source import (
    DocPath,
    Problem,
    YamlSource,
    describe_value,
    step_into,
)

_TYPE_NAMES = {
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
}


def problems_from_validation(
    error: ValidationError, source: YamlSource, model: type[BaseModel]
) -> list[Problem]:
    """One problem per distinct fault, each with its document path and line."""
    problems: dict[tuple[DocPath, str], Problem] = {}
    for detail in _relevant_errors(error.errors(include_url=False), source):
        path, _ = _document_path(detail, source)
        problem = _problem(detail, path, source, model)
        problems.setdefault((problem.path, problem.message), problem)
    return list(problems.values())


def _relevant_errors(details: list[ErrorDetails], source: YamlSource) -> list[ErrorDetails]:
    """Drop the errors of union branches that do not fit the value's shape."""
    kept = []
    for detail in details:
        path, branches = _document_path(detail, source)
        if not all(_fits(source, path, branch) for branch in branches):
            continue
        kept.append(detail)
    return kept or details


def _fits(source: YamlSource, path: DocPath, branch: tuple[int, str]) -> bool:
    """Whether the union branch (a list, or a single value) has the shape of the value."""
    _, value = source.value_at(path[: branch[0]])
    return branch[1].startswith("list[") == isinstance(value, list)


def _document_path(
    detail: ErrorDetails, source: YamlSource
) -> tuple[DocPath, list[tuple[int, str]]]:
    """The steps of the error's location that exist in the document, and the union branches.

    Each branch is (position in the kept path, tag) for a step that is a union tag (a union
    nested in another, such as a policy inside a scenario, gives one branch per union).
    """
    loc = detail["loc"]
    kept: list[str | int] = []
    branches: list[tuple[int, str]] = []
    current: Any = source.data
    for index, step in enumerate(loc):
        is_last = index == len(loc) - 1
        found, child = step_into(current, step)
        if found:
            current = child
        elif is_last and detail["type"] == "missing" and isinstance(current, dict):
            current = None
        else:
            branches.append((len(kept), str(step)))
            continue
        kept.append(step)
    return tuple(kept), branches


def _problem(
    detail: ErrorDetails, path: DocPath, source: YamlSource, model: type[BaseModel]
) -> Problem:
    kind = detail["type"]
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = _allowed_keys(model, path[:-1])
        return Problem(path[:-1], source.line_of(path), _unknown_key(key, allowed))
    if kind == "missing":
        return Problem(path[:-1], source.line_of(path[:-1]), f"{path[-1]!r} is required")

    found, raw = source.value_at(path)
    value = raw if found else detail.get("input")
    return Problem(path, source.line_of(path), _message(detail, value))


def _message(detail: ErrorDetails, value: object) -> str:
    kind = detail["type"]
    ctx: dict[str, Any] = dict(detail.get("ctx") or {})
    for prefix, formatter in _FORMATTERS:
        if kind.startswith(prefix):
            return formatter(kind, ctx, value)
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    message = detail["msg"]
    return message[:1].lower() + message[1:]


def _union_tag(kind: str, ctx: dict[str, Any], value: object) -> str:
    """A discriminated union (`type: push`): the tag is missing or names no branch."""
    key = str(ctx.get("discriminator", "")).strip("'")
    if kind == "union_tag_not_found":
        return f"{key!r} is required"
    choices = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
    tag = ctx.get("tag")
    message = f"{key} {tag!r} is not one of {', '.join(choices)}"
    close = difflib.get_close_matches(str(tag), choices, n=1, cutoff=0.6)
    return f"{message}; did you mean {close[0]!r}?" if close else message


def _choices(kind: str, ctx: dict[str, Any], value: object) -> str:
    expected = str(ctx.get("expected", ""))
    choices = re.findall(r"'([^']*)'", expected) or [expected]
    quoted_hint = " (write it without quotes)" if str(value) in choices else ""
    return f"{value!r} is not one of {', '.join(choices)}{quoted_hint}"


def _wrong_type(kind: str, ctx: dict[str, Any], value: object) -> str:
    hint = "; put it in quotes" if kind == "string_type" and _is_scalar(value) else ""
    return f"expected {_TYPE_NAMES[kind]}, not {describe_value(value)}{hint}"


def _pattern(kind: str, ctx: dict[str, Any], value: object) -> str:
    if ctx.get("pattern") == KEBAB_ID.pattern:
        return (
            f"{value!r} is not a kebab-case id: use lower-case letters, digits and single "
            "hyphens, for example 'critical-vulnerabilities'"
        )
    return f"{value!r} does not match the pattern {ctx.get('pattern')}"


def _bound(kind: str, ctx: dict[str, Any], value: object) -> str:
    if kind.startswith("greater"):
        return (
            f"{value!r} is too small: it must be at least {_number(ctx.get('ge', ctx.get('gt')))}"
        )
    return f"{value!r} is too large: it must be at most {_number(ctx.get('le', ctx.get('lt')))}"


def _number(bound: object) -> str:
    """`10`, not `10.0`, for a bound that is a whole number."""
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def _date(kind: str, ctx: dict[str, Any], value: object) -> str:
    return f"{value!r} is not a date in the form YYYY-MM-DD ({ctx.get('error', kind)})"


def _is_scalar(value: object) -> bool:
    return not isinstance(value, list | dict)


_Formatter = Callable[[str, dict[str, Any], object], str]

_FORMATTERS: tuple[tuple[str, _Formatter], ...] = (
    ("enum", _choices),
    ("union_tag_", _union_tag),
    ("literal_error", _choices),
    *((name, _wrong_type) for name in _TYPE_NAMES),
    ("string_pattern_mismatch", _pattern),
    ("too_short", lambda kind, ctx, value: "must not be empty"),
    ("string_too_short", lambda kind, ctx, value: "must not be empty"),
    ("greater_than", _bound),
    ("less_than", _bound),
    ("date_", _date),
    ("datetime_", _date),
    ("byte_size", lambda kind, ctx, value: f"{value!r} is not a size such as 500MB or 1GiB"),
)


def _unknown_key(key: object, allowed: list[str]) -> str:
    message = f"unknown key {key!r}"
    if not allowed:
        return message
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; expected one of {', '.join(allowed)}"


def _allowed_keys(model: type[BaseModel], path: DocPath) -> list[str]:
    """The keys (field aliases, else names) of the model found at `path`, following the
    annotations; a step into a list or into a mapping of models (`images.<name>`) is skipped."""
    current: type[BaseModel] | None = model
    keyed = False
    for step in path:
        if current is None:
            return []
        if isinstance(step, int) or keyed:
            keyed = False
            continue
        info = _field_for_key(current, str(step))
        keyed = info is not None and _is_mapping(info.annotation)
        current = _model_in(info.annotation) if info else None
    if current is None:
        return []
    return [info.alias or name for name, info in current.model_fields.items()]


def _field_for_key(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def _is_mapping(annotation: object) -> bool:
    """Whether the annotation is a mapping (`dict[str, Model]`), possibly optional."""
    if typing.get_origin(annotation) is dict:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_mapping(argument) for argument in typing.get_args(annotation))
    return False


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The first pydantic model inside an annotation such as `list[Rule] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None
