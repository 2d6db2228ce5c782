"""Canonical digests (what ECR computes) against the placeholders of the AWS samples."""

from __future__ import annotations

import pytest
from ecr_guard.images import is_canonical_digest, short_digest

from tests.unit.events.samples import DIGEST


def test_ecr_digest_is_canonical() -> None:
    assert is_canonical_digest(DIGEST)


@pytest.mark.parametrize(
    "value",
    [
        "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234",
        "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE",
        DIGEST.upper().replace("SHA256", "sha256"),
        DIGEST + "\n",
        "sha512:" + "0" * 64,
    ],
)
def test_placeholders_and_near_misses_are_not_canonical(value: str) -> None:
    assert not is_canonical_digest(value)


def test_short_digest_keeps_the_algorithm_and_twelve_characters() -> None:
    assert short_digest(DIGEST) == "sha256:0123456789ab"
