"""Shared fixtures: the published corpus beside the project, and a fixed clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_ENV = "ECR_GUARD_CORPUS"
CORPUS_REQUIRED_ENV = "ECR_GUARD_CORPUS_REQUIRED"


def corpus_root() -> Path:
    """`../shared/corpus` beside the clone, or the folder named by ECR_GUARD_CORPUS."""
    configured = os.environ.get(CORPUS_ENV)
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder; skips (or, in CI, fails) when it is absent."""
    root = corpus_root()
    if root.is_dir():
        return root
    reason = f"published corpus not found at {root} (set {CORPUS_ENV} to its folder)"
    if os.environ.get(CORPUS_REQUIRED_ENV) == "1":
        pytest.fail(f"{reason}; {CORPUS_REQUIRED_ENV}=1 requires it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def now() -> datetime:
    """A fixed evaluation time, so that waiver expiry and finding age are deterministic."""
    return datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
