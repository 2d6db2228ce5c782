"""The policy a simulation runs with, as a document the functions load like a packaged policy.

It starts as the scenario's policy (a file, inline, or the built-in default) and gains a waiver
at each "waiver-added" event. `waiver_files` are made absolute, so the written copy finds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ecr_guard.policy.load import DEFAULT_POLICY_RESOURCE
from ecr_guard.policy.model import Waiver
from ecr_guard.policy.yaml_source import parse_yaml


@dataclass(frozen=True)
class PolicyDocument:
    """A policy as YAML data (`waiver_files` absolute); `origin` says where it came from."""

    data: dict[str, Any]
    origin: str

    @classmethod
    def built_in(cls) -> PolicyDocument:
        text = resources.files("ecr_guard.policy").joinpath(DEFAULT_POLICY_RESOURCE).read_text()
        source = parse_yaml(text, origin=f"built-in {DEFAULT_POLICY_RESOURCE}", what="policy")
        return cls(data=source.data, origin=source.origin)

    @classmethod
    def from_data(cls, data: dict[str, Any], *, origin: str, base_dir: Path) -> PolicyDocument:
        document = dict(data)
        files = document.get("waiver_files")
        if isinstance(files, list):
            document["waiver_files"] = [str((base_dir / str(name)).resolve()) for name in files]
        return cls(data=document, origin=origin)

    def with_waiver(self, waiver: Waiver) -> PolicyDocument:
        entry = waiver.model_dump(mode="json", exclude_defaults=True)
        waivers = [*(self.data.get("waivers") or []), entry]
        return PolicyDocument(data={**self.data, "waivers": waivers}, origin=self.origin)

    def write(self, path: Path) -> Path:
        path.write_text(yaml.safe_dump(self.data, sort_keys=False), encoding="utf-8")
        return path
