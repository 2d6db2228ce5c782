"""Fixtures for the template tests: template.yaml as data, and renderers for parameter values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .cfn import Renderer, load_template
from .deployments import WITH_CHAT

TEMPLATE_PATH = Path(__file__).resolve().parents[3] / "template.yaml"


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    resources: dict[str, Any] = template["Resources"]
    return resources


@pytest.fixture(scope="session")
def rendered(template: dict[str, Any]) -> Renderer:
    """The template deployed with every parameter at its default."""
    return Renderer(template)


@pytest.fixture(scope="session")
def renderer_for(template: dict[str, Any]) -> Callable[..., Renderer]:
    """Renderer for the template deployed with some parameters set, e.g. RepositoryFilter."""

    def build(**parameters: Any) -> Renderer:
        return Renderer(template, parameters)

    return build


@pytest.fixture(scope="session")
def with_chat(template: dict[str, Any]) -> Renderer:
    """The template deployed with Slack and Chatbot delivery on (the notifier exists)."""
    return Renderer(template, WITH_CHAT)
