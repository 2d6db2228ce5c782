"""The policy a simulation runs with: the scenario's, plus the waivers its events add."""

from __future__ import annotations

from datetime import date

from ecr_guard.policy.load import load_policy
from ecr_guard.policy.model import Waiver
from ecr_guard.sim.policy_document import PolicyDocument


def test_the_built_in_policy_is_the_default_policy(tmp_path):
    written = PolicyDocument.built_in().write(tmp_path / "policy.yaml")

    assert [rule.id for rule in load_policy(written).rules] == [
        "critical-vulnerabilities",
        "fixable-high-vulnerabilities",
        "high-risk-secrets",
        "unfixed-high-vulnerabilities",
    ]


def test_an_added_waiver_is_in_the_written_policy(tmp_path):
    waiver = Waiver(
        id="CVE-2022-37434",
        repositories=["team/app"],
        reason="not reachable",
        approved_by="security@example.com",
        expires=date(2022, 9, 30),
    )

    written = PolicyDocument.built_in().with_waiver(waiver).write(tmp_path / "policy.yaml")

    assert load_policy(written).waivers == [waiver]


def test_waiver_files_stay_found_from_the_written_copy(tmp_path):
    source = tmp_path / "team"
    source.mkdir()
    (source / ".trivyignore.yaml").write_text(
        "vulnerabilities:\n  - id: CVE-2023-4911\n    expired_at: 2030-01-01\n"
    )
    document = PolicyDocument.from_data(
        {"version": 1, "waiver_files": [".trivyignore.yaml"]}, origin="p", base_dir=source
    )

    written = document.write(tmp_path / "elsewhere.yaml")

    assert [waiver.id for waiver in load_policy(written).waivers] == ["CVE-2023-4911"]
