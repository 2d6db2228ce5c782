"""YAML documents read safely, with the line of every key and item for error messages.

PyYAML keeps the last of two equal keys in a mapping without a word; a policy where a second
`severity:` silently replaces the first is a policy nobody reviewed, so duplicates are errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ecr_guard.errors import InputError, PolicyError

DocPath = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# Aliases let a small file describe a huge tree; no real policy comes near this many nodes.
_MAX_NODES = 200_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a document: where (path and line) and what."""

    path: DocPath
    line: int | None
    message: str

    def location(self) -> str:
        where = render_path(self.path)
        return f"{where} (line {self.line})" if self.line is not None else where


@dataclass(frozen=True)
class YamlSource:
    """A parsed YAML document and the line (1-based) of each path inside it."""

    origin: str
    data: dict[Any, Any]
    lines: dict[DocPath, int] = field(default_factory=dict)

    def line_of(self, path: DocPath) -> int | None:
        """The line of `path`, or of its nearest ancestor present in the document."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def value_at(self, path: DocPath) -> tuple[bool, Any]:
        """(True, value) when `path` exists in the data, else (False, None)."""
        current: Any = self.data
        for step in path:
            found, current = step_into(current, step)
            if not found:
                return False, None
        return True, current


class _SafeTextDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: `2026-13-01` then fails validation with its path
    and line instead of failing inside PyYAML, and the data is what the JSON Schema sees."""


_SafeTextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def step_into(container: Any, step: str | int) -> tuple[bool, Any]:
    """(True, child) when `container` (a mapping or a list) has `step`, else (False, None)."""
    if isinstance(container, dict) and step in container:
        return True, container[step]
    if isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container):
        return True, container[step]
    return False, None


def render_path(path: DocPath) -> str:
    """`rules[2].severity`; `top level` for the document itself."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif isinstance(step, str) and step.replace("_", "").replace("-", "").isalnum():
            text += f".{step}" if text else step
        else:
            text += f"[{step!r}]"
    return text or "top level"


def raise_problems(
    origin: str,
    problems: list[Problem],
    *,
    limit: int = 20,
    error: type[InputError] = PolicyError,
) -> None:
    """Raise one `error` (a PolicyError unless told) for the whole document; do nothing when
    there is no problem."""
    if not problems:
        return
    ordered = sorted(problems, key=lambda p: (p.line is None, p.line or 0, render_path(p.path)))
    if len(ordered) == 1:
        only = ordered[0]
        raise error(origin, only.message, location=only.location())

    lines = [f"  {problem.location()}: {problem.message}" for problem in ordered[:limit]]
    if len(ordered) > limit:
        lines.append(f"  and {len(ordered) - limit} more")
    raise error(origin, f"{len(ordered)} problems:\n" + "\n".join(lines))


def error_at(source: YamlSource, path: DocPath, message: str) -> PolicyError:
    """A PolicyError for one problem at `path` of `source`."""
    problem = Problem(path, source.line_of(path), message)
    return PolicyError(source.origin, message, location=problem.location())


def parse_yaml(
    text: str, *, origin: str, what: str, error: type[InputError] = PolicyError
) -> YamlSource:
    """Parse one YAML mapping safely; an `error` (PolicyError unless told) naming the line for
    any fault.

    `what` names the document in messages ("policy", "ignore file", "scenario").
    """
    loader = _SafeTextDatesLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[DocPath, int] = {}
        problems: list[Problem] = []
        # Walk before constructing: construction flattens `<<` merge keys into the nodes.
        if node is not None:
            _NodeWalker(origin, loader, lines, problems).walk(node, ())
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as problem:
        raise _syntax_error(origin, problem, error) from problem
    except yaml.YAMLError as problem:
        raise error(origin, f"not valid YAML: {problem}") from problem
    except ValueError as problem:  # an explicitly tagged value PyYAML cannot build (`!!int x`)
        raise error(origin, f"not valid YAML: {problem}") from problem
    except PolicyError as problem:  # the walker's "alias expanding itself"
        raise error(origin, problem.message) from problem
    finally:
        loader.dispose()

    if data is None:
        raise error(origin, f"the {what} is empty")
    if not isinstance(data, dict):
        raise error(
            origin,
            f"the {what} must be a mapping of keys to values, not {describe_value(data)}",
            location=f"line {lines.get((), 1)}",
        )
    raise_problems(origin, problems, error=error)
    return YamlSource(origin=origin, data=data, lines=lines)


def describe_value(value: object) -> str:
    """`a list`, `the number 1.2`, `the text 'x'`: how a wrong value is named in messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        text = f"the boolean {str(value).lower()}"
    elif isinstance(value, int | float):
        text = f"the number {value}"
    elif isinstance(value, str):
        text = f"the text {value!r}"
    elif isinstance(value, list | dict):
        text = "a list" if isinstance(value, list) else "a mapping"
    else:
        text = f"the value {value!r}"
    return text


def _syntax_error(origin: str, error: yaml.MarkedYAMLError, kind: type[InputError]) -> InputError:
    mark = error.problem_mark or error.context_mark
    problem = ", ".join(part for part in (error.context, error.problem) if part) or "malformed"
    location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
    return kind(origin, f"YAML syntax error: {problem}", location=location)


class _NodeWalker:
    """Records the line of every mapping key and sequence item, and finds duplicate keys."""

    def __init__(
        self,
        origin: str,
        loader: yaml.SafeLoader,
        lines: dict[DocPath, int],
        problems: list[Problem],
    ) -> None:
        self._origin = origin
        self._loader = loader
        self._lines = lines
        self._problems = problems
        self._visited = 0
        self._open: set[int] = set()

    def walk(self, node: Node, path: DocPath) -> None:
        self._lines.setdefault(path, node.start_mark.line + 1)
        self._visited += 1
        if self._visited > _MAX_NODES:
            raise PolicyError(
                self._origin, f"more than {_MAX_NODES} YAML nodes: is an alias expanding itself?"
            )
        if id(node) in self._open:
            return  # a recursive alias: its target is already being walked
        self._open.add(id(node))
        if isinstance(node, MappingNode):
            self._walk_mapping(node, path)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index))
        self._open.discard(id(node))

    def _walk_mapping(self, node: MappingNode, path: DocPath) -> None:
        first_line: dict[Any, int] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.append(value_node)
                continue
            key = self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in first_line:
                self._problems.append(
                    Problem(
                        path,
                        line,
                        f"duplicate key {key!r} (first at line {first_line[key]}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            first_line[key] = line
            self._lines[(*path, key)] = line
            self.walk(value_node, (*path, key))
        # `<<: *defaults` brings keys in without overriding the explicit ones.
        for value_node in merged:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if isinstance(source, MappingNode):
                    self._walk_merged(source, path, first_line)

    def _walk_merged(self, node: MappingNode, path: DocPath, explicit: dict[Any, int]) -> None:
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key_node.tag != _MERGE_TAG and key not in explicit:
                self._lines.setdefault((*path, key), key_node.start_mark.line + 1)
                self.walk(value_node, (*path, key))

    def _key(self, key_node: Node) -> Any:
        if isinstance(key_node, ScalarNode):
            return self._loader.construct_object(key_node)
        return f"<complex key at line {key_node.start_mark.line + 1}>"
