"""Constants and helpers shared by the command-line tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from typer.testing import Result

FLASK_202 = "trivy/real-flask-api-202-vulns-trivy-0.70.json"
ALPINE_310 = "trivy/golden-alpine-310.json"
SECRETS = "trivy/golden-secrets.json"
ECR_29 = "trivy/real-ecr-image-29-vulns.json"
CLEAN = "trivy/real-clean-image-trivy-0.69.3.json"
FIXED_NOW = "2026-12-03T12:00:00Z"

Invoke = Callable[..., Result]
DerivedReport = Callable[[str, Callable[[dict[str, Any]], None]], Path]


def stderr_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def write_policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def vulnerabilities(document: dict[str, Any]) -> Sequence[dict[str, Any]]:
    return [
        vulnerability
        for result in document.get("Results") or []
        for vulnerability in result.get("Vulnerabilities") or []
    ]
