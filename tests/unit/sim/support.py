"""Scenario files written for a test, with their reports beside them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from ecr_guard.sim.load import LoadedScenario, load_scenario

CLEAN_TRIVY = {
    "SchemaVersion": 2,
    "ArtifactName": "team/app:1.0.0",
    "ArtifactType": "container_image",
    "Metadata": {"OS": {"Family": "alpine", "Name": "3.20.3"}},
    "Results": [{"Target": "team/app:1.0.0 (alpine 3.20.3)", "Class": "os-pkgs", "Type": "alpine"}],
}

MINIMAL = """\
repositories:
  team/app: {tags: {team: payments}}
images:
  app:
    repository: team/app
    tags: [1.0.0]
    findings:
      trivy: trivy.json
events:
  - type: push
    image: app
  - type: trivy-report
    image: app
"""


def write_scenario(folder: Path, text: str, name: str = "scenario.yaml") -> Path:
    (folder / "trivy.json").write_text(json.dumps(CLEAN_TRIVY))
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def load_text(folder: Path, text: str) -> LoadedScenario:
    return load_scenario(write_scenario(folder, text))
