"""Every AWS call the functions make, recorded through a botocore event hook.

The hook is `before-parameter-build`, which botocore emits for every API call (each page of a
paginator included) before any stub or emulator answers it, so calls answered by moto and by
botocore's Stubber are both seen. It is installed as a built-in handler, so every session
created while it is installed (the functions create theirs at cold start) carries it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore import handlers

HOOK = "before-parameter-build"


@dataclass(frozen=True)
class AwsCall:
    function: str | None
    service: str
    operation: str
    params: dict[str, Any] = field(repr=False)


Interception = Callable[[AwsCall], None]


@dataclass
class CallRecorder:
    calls: list[AwsCall] = field(default_factory=list)
    current: str | None = None
    interceptions: dict[tuple[str, str], list[Interception]] = field(default_factory=dict)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        call = AwsCall(self.current, model.service_model.service_name, model.name, dict(params))
        self.calls.append(call)
        if call.function is not None:
            pending = self.interceptions.get((call.service, call.operation), [])
            if pending:
                pending.pop(0)(call)

    def before_next(self, service: str, operation: str, action: Interception) -> None:
        """Run `action` when a function next calls service:operation (it may raise, to fail
        the call, or change AWS state first)."""
        self.interceptions.setdefault((service, operation), []).append(action)

    @contextmanager
    def running(self, function: str) -> Iterator[None]:
        previous, self.current = self.current, function
        try:
            yield
        finally:
            self.current = previous

    @contextmanager
    def installed(self) -> Iterator[CallRecorder]:
        entry = (HOOK, self._record)
        handlers.BUILTIN_HANDLERS.append(entry)
        try:
            yield self
        finally:
            handlers.BUILTIN_HANDLERS.remove(entry)

    def of(self, function: str) -> list[AwsCall]:
        return [call for call in self.calls if call.function == function]

    def operations(self, function: str | None = None) -> Counter[str]:
        """`service:Operation` → count, for one function or all of them."""
        return Counter(
            f"{call.service}:{call.operation}"
            for call in self.calls
            if call.function is not None and (function is None or call.function == function)
        )

    def clear(self) -> None:
        self.calls.clear()
