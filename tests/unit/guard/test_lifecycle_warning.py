"""Which repository lifecycle rules would expire an image that only carries the guard's tag."""

from __future__ import annotations

import pytest
from ecr_guard.guard.quarantine import immutable_message, lifecycle_warning

TAG = "quarantine-sha256-" + "a" * 64


def rule(selection: dict, action: str = "expire", priority: int = 3) -> dict:
    return {"rulePriority": priority, "selection": selection, "action": {"type": action}}


@pytest.mark.parametrize(
    "selection",
    [
        {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
        {"tagStatus": "tagged", "tagPrefixList": ["quarantine"], "countType": "imageCountMoreThan"},
        {"tagStatus": "tagged", "tagPatternList": ["*sha256*"], "countType": "imageCountMoreThan"},
    ],
)
def test_rules_selecting_the_quarantine_tag_are_named(selection):
    warning = lifecycle_warning({"rules": [rule(selection)]}, TAG)

    assert warning is not None
    assert warning.startswith("lifecycle rule 3 of the repository would expire")


@pytest.mark.parametrize(
    "policy",
    [
        None,
        {"rules": [rule({"tagStatus": "untagged", "countType": "sinceImagePushed"})]},
        {"rules": [rule({"tagStatus": "tagged", "tagPrefixList": ["pr-"]})]},
        {"rules": [rule({"tagStatus": "tagged", "tagPrefixList": ["quarantine", "release"]})]},
        {"rules": [rule({"tagStatus": "any"}, action="transition")]},
    ],
)
def test_rules_that_spare_quarantined_images_are_not_named(policy):
    assert lifecycle_warning(policy, TAG) is None


def test_immutable_message_names_the_mutability_setting_and_the_filter():
    message = immutable_message("team/app", "quarantine-sha256-*")

    assert "IMMUTABLE_WITH_EXCLUSION" in message
    assert "'quarantine-sha256-*'" in message
