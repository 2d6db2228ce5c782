from __future__ import annotations

from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest
from ecr_guard.errors import PolicyError
from ecr_guard.findings.model import FindingKind, Severity
from ecr_guard.policy.load import default_policy, load_policy, parse_policy
from ecr_guard.policy.model import Counting, Mode, RuleVerdict, UnknownHandling


def load_error(text: str, *, base_dir: Path | None = None) -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policy(dedent(text), origin="policy.yaml", base_dir=base_dir)
    return str(caught.value)


def test_full_policy_loads_with_every_field():
    policy = parse_policy(
        dedent(
            """\
            version: 1
            name: payments
            counting: per-package
            mode: enforce
            rules:
              - id: critical-vulns
                verdict: fail
                description: Fix it.
                kind: [vulnerability, secret]
                severity: CRITICAL
                min_cvss: 9.0
                ids: [CVE-2021-44228]
                packages: ["log4j-*"]
                min_age_days: 30
                exploit_available: true
                min_epss: 0.5
            image:
              max_size: {max: 1GiB, verdict: fail}
              end_of_life_os: warn
              unknown: fail
            rule_sets:
              - name: legacy
                match: {repositories: ["legacy/*"], tags: ["*"]}
                mode: audit
                rules:
                  - {id: only-critical, verdict: warn, severity: [CRITICAL, HIGH]}
            waivers:
              - id: CVE-2021-44228
                package: log4j-core
                repositories: [team/app]
                tags: ["v1.*"]
                reason: Not reachable.
                approved_by: security@example.com
                expires: 2027-01-31
            """
        ),
        origin="policy.yaml",
    )

    rule = policy.rules[0]
    assert policy.name == "payments"
    assert policy.counting is Counting.PER_PACKAGE
    assert policy.mode is Mode.ENFORCE
    assert rule.kind == [FindingKind.VULNERABILITY, FindingKind.SECRET]
    assert rule.severity is Severity.CRITICAL
    assert rule.packages == ["log4j-*"]
    assert policy.image.max_size is not None
    assert policy.image.max_size.max == 1024**3
    assert policy.image.unknown is UnknownHandling.FAIL
    assert policy.rule_sets[0].rules[0].severity == [Severity.CRITICAL, Severity.HIGH]
    assert policy.waivers[0].expires == date(2027, 1, 31)


def test_enumerated_values_are_accepted_in_any_case():
    policy = parse_policy(
        "rules:\n  - {id: a, verdict: FAIL, kind: Secret, severity: high}\n"
        "image: {unknown: Pass}\n",
        origin="policy.yaml",
    )

    assert policy.rules[0].verdict is RuleVerdict.FAIL
    assert policy.rules[0].kind is FindingKind.SECRET
    assert policy.rules[0].severity is Severity.HIGH
    assert policy.image.unknown is UnknownHandling.PASS


def test_misspelt_severity_names_path_line_and_choices():
    message = load_error(
        """\
        rules:
          - id: a
            verdict: fail
          - id: b
            verdict: fail
          - id: c
            verdict: fail
            severity: HIHG
        """
    )

    assert message == (
        "policy.yaml: rules[2].severity (line 8): "
        "'HIHG' is not one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN"
    )


def test_bad_item_in_a_severity_list_names_its_index():
    message = load_error("rules:\n  - {id: a, verdict: fail, severity: [HIGH, BAD]}\n")

    assert message == (
        "policy.yaml: rules[0].severity[1] (line 2): "
        "'BAD' is not one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN"
    )


def test_unknown_key_suggests_the_close_one():
    message = load_error("rules:\n  - id: a\n    verdict: fail\n    fixabel: true\n")

    assert (
        message == "policy.yaml: rules[0] (line 4): unknown key 'fixabel'; did you mean 'fixable'?"
    )


def test_unknown_top_level_key_lists_the_allowed_keys():
    message = load_error("owner: me\n")

    assert message == (
        "policy.yaml: top level (line 1): unknown key 'owner'; expected one of version, name, "
        "counting, mode, rules, image, rule_sets, waivers, waiver_files, notifications"
    )


def test_missing_required_key_names_the_mapping():
    message = load_error("rule_sets:\n  - name: legacy\n")

    assert message == "policy.yaml: rule_sets[0] (line 2): 'match' is required"


def test_several_problems_are_listed_one_per_line():
    message = load_error(
        """\
        rules:
          - id: Not-Kebab
            verdict: block
        waivers:
          - id: CVE-1
            reason: r
            approved_by: me
            expires: 2026-02-30
        """
    )

    assert message.splitlines() == [
        "policy.yaml: 3 problems:",
        "  rules[0].id (line 2): 'Not-Kebab' is not a kebab-case id: use lower-case letters, "
        "digits and single hyphens, for example 'critical-vulnerabilities'",
        "  rules[0].verdict (line 3): 'block' is not one of fail, warn",
        "  waivers[0].expires (line 8): '2026-02-30' is not a date in the form YYYY-MM-DD "
        "(day value is outside expected range)",
    ]


def test_number_where_text_is_expected_suggests_quotes():
    message = load_error("rule_sets:\n  - name: x\n    match:\n      tags: [1.2]\n")

    assert message == (
        "policy.yaml: rule_sets[0].match.tags[0] (line 4): expected text, not the number 1.2; "
        "put it in quotes"
    )


def test_out_of_range_score_names_the_bound():
    message = load_error("rules:\n  - {id: a, verdict: fail, min_cvss: 11}\n")

    assert (
        message == "policy.yaml: rules[0].min_cvss (line 2): 11 is too large: it must be at most 10"
    )


def test_empty_condition_list_is_rejected():
    message = load_error("rules:\n  - {id: a, verdict: fail, packages: []}\n")

    assert message == "policy.yaml: rules[0].packages (line 2): must not be empty"


def test_unsupported_version_is_rejected():
    assert load_error("version: 2\n") == "policy.yaml: version (line 1): 2 is not one of 1"


def test_yaml_syntax_error_names_line_and_column():
    message = load_error("rules:\n  - id: a\n   verdict: fail\n")

    assert message.startswith("policy.yaml: line 3, column 4: YAML syntax error: ")


def test_duplicate_yaml_key_is_an_error():
    message = load_error("rules:\n  - id: a\n    verdict: fail\n    verdict: warn\n")

    assert message == (
        "policy.yaml: rules[0] (line 4): duplicate key 'verdict' (first at line 3); "
        "YAML would silently keep only the last one"
    )


def test_duplicate_top_level_key_is_an_error():
    message = load_error("rules: []\nname: a\nrules: []\n")

    assert message.startswith("policy.yaml: top level (line 3): duplicate key 'rules'")


def test_merge_keys_are_not_duplicates():
    policy = parse_policy(
        dedent(
            """\
            rules:
              - &base {id: a, verdict: fail, kind: vulnerability}
              - <<: *base
                id: b
            """
        ),
        origin="policy.yaml",
    )

    assert [rule.id for rule in policy.rules] == ["a", "b"]
    assert policy.rules[1].kind is FindingKind.VULNERABILITY


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_document_is_an_error(text: str):
    assert load_error(text) == "policy.yaml: the policy is empty"


def test_document_that_is_not_a_mapping_is_an_error():
    assert load_error("- a\n- b\n") == (
        "policy.yaml: line 1: the policy must be a mapping of keys to values, not a list"
    )


def test_several_documents_are_an_error():
    message = load_error("rules: []\n---\nrules: []\n")

    assert message == (
        "policy.yaml: line 2, column 1: YAML syntax error: expected a single document in the "
        "stream, but found another document"
    )


def test_unsafe_yaml_tags_are_refused():
    message = load_error("name: !!python/object/apply:os.system ['true']\n")

    assert "could not determine a constructor" in message
    assert message.startswith("policy.yaml: line 1, column 7: YAML syntax error")


def test_duplicate_rule_ids_are_an_error():
    message = load_error(
        "rules:\n  - {id: a, verdict: fail}\n  - {id: b, verdict: fail}\n"
        "  - {id: a, verdict: warn}\n"
    )

    assert message == (
        "policy.yaml: rules[2].id (line 4): duplicate rule id 'a' (first at rules[0], line 2)"
    )


def test_same_rule_id_in_two_rule_sets_is_allowed():
    policy = parse_policy(
        dedent(
            """\
            rules: [{id: a, verdict: fail}]
            rule_sets:
              - {name: one, match: {}, rules: [{id: a, verdict: warn}]}
            """
        ),
        origin="policy.yaml",
    )

    assert policy.rule_sets[0].rules[0].id == "a"


def test_duplicate_rule_set_names_are_an_error():
    message = load_error("rule_sets:\n  - {name: x, match: {}}\n  - {name: x, match: {}}\n")

    assert message == (
        "policy.yaml: rule_sets[1].name (line 3): duplicate rule set name 'x' "
        "(first at rule_sets[0].name, line 2)"
    )


def test_rule_set_named_default_is_an_error():
    message = load_error("rule_sets:\n  - {name: default, match: {}}\n")

    assert message == (
        "policy.yaml: rule_sets[0].name (line 2): 'default' names the top-level rules; "
        "pick another rule set name"
    )


def test_vulnerability_condition_on_a_secret_rule_is_an_error():
    message = load_error(
        "rules:\n  - id: a\n    verdict: fail\n    kind: secret\n    fixable: true\n"
    )

    assert message == (
        "policy.yaml: rules[0].fixable (line 5): fixable applies only to vulnerabilities, but "
        "this rule is limited to secret, so it could never match"
    )


def test_invalid_waiver_purl_is_an_error():
    message = load_error(
        "waivers:\n  - {id: X, reason: r, approved_by: me, expires: 2027-01-01, purl: openssl}\n"
    )

    assert message == (
        "policy.yaml: waivers[0].purl (line 2): 'openssl' is not a package URL: "
        "it must start with 'pkg:'"
    )


def test_blank_waiver_reason_is_an_error():
    message = load_error(
        "waivers:\n  - {id: X, reason: '  ', approved_by: me, expires: 2027-01-01}\n"
    )

    assert message == "policy.yaml: waivers[0].reason (line 2): must not be empty"


def test_load_policy_reads_a_file(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text("rules: [{id: a, verdict: warn}]\n", encoding="utf-8")

    assert [rule.id for rule in load_policy(path).rules] == ["a"]


def test_load_policy_names_a_missing_file(tmp_path: Path):
    path = tmp_path / "absent.yaml"

    with pytest.raises(PolicyError) as caught:
        load_policy(path)

    assert str(caught.value) == f"{path}: policy file not found"


def test_load_policy_refuses_non_utf8(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"name: \xff\xfe\n")

    with pytest.raises(PolicyError) as caught:
        load_policy(path)

    assert str(caught.value) == f"{path}: not UTF-8 text"


def test_load_policy_without_a_path_is_the_default():
    assert load_policy(None) is default_policy()


def test_waiver_files_are_merged_into_waivers(tmp_path: Path):
    (tmp_path / "ignore").mkdir()
    (tmp_path / "ignore" / ".trivyignore.yaml").write_text(
        "vulnerabilities:\n  - id: CVE-2023-1\n    expired_at: 2027-01-01\n", encoding="utf-8"
    )
    path = tmp_path / "policy.yaml"
    path.write_text(
        dedent(
            """\
            waivers:
              - {id: CVE-2023-9, reason: r, approved_by: me, expires: 2027-01-01}
            waiver_files: [ignore/.trivyignore.yaml]
            """
        ),
        encoding="utf-8",
    )

    policy = load_policy(path)

    assert [waiver.id for waiver in policy.waivers] == ["CVE-2023-9", "CVE-2023-1"]
    assert policy.waiver_files == ["ignore/.trivyignore.yaml"]
    assert policy.waivers[1].approved_by == ".trivyignore.yaml"


def test_missing_waiver_file_names_the_policy_line(tmp_path: Path):
    message = load_error("name: x\nwaiver_files: [absent.yaml]\n", base_dir=tmp_path)

    assert message == (
        f"policy.yaml: waiver_files[0] (line 2): waiver file 'absent.yaml' not found "
        f"(looked for {tmp_path / 'absent.yaml'})"
    )


def test_waiver_files_need_a_folder():
    message = load_error("waiver_files: [.trivyignore.yaml]\n")

    assert message == (
        "policy.yaml: waiver_files[0] (line 1): '.trivyignore.yaml' is relative, "
        "but this policy was not read from a file"
    )


def test_error_in_a_waiver_file_names_that_file(tmp_path: Path):
    ignore = tmp_path / ".trivyignore.yaml"
    ignore.write_text("vulnerabilities:\n  - id: CVE-2023-1\n", encoding="utf-8")

    message = load_error("waiver_files: [.trivyignore.yaml]\n", base_dir=tmp_path)

    assert message == (
        f"{ignore}: vulnerabilities[0] (line 2): expired_at is required: every ecr-guard waiver "
        "expires; add `expired_at: YYYY-MM-DD`"
    )


def test_rule_id_of_an_image_check_is_reserved():
    message = load_error("rules:\n  - {id: image-size, verdict: fail}\n")

    assert message == (
        "policy.yaml: rules[0].id (line 2): 'image-size' is the id of an image-level check; "
        "pick another rule id"
    )
