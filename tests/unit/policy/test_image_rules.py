"""Image-level rules: size, end-of-life OS, and what a missing or failed scan means."""

from __future__ import annotations

import pytest
from ecr_guard.findings.model import ImageFacts, ScanStatus
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import RuleVerdict

from tests.unit.policy.builders import decide, fired, report, vuln

GIB = 1024**3


def test_image_over_the_size_limit_fires_image_size():
    scan = report(image=ImageFacts(size_bytes=GIB + 1))

    decision = decide(scan, "image: {max_size: {max: 1GiB, verdict: fail}}\n")

    assert decision.verdict is Verdict.FAIL
    (outcome,) = decision.rules
    assert (outcome.rule_id, outcome.verdict, outcome.findings) == (
        "image-size",
        RuleVerdict.FAIL,
        (),
    )
    assert outcome.message == (
        "The image is 1073741825 bytes, over the policy's limit of 1073741824 bytes (1.0GiB)."
    )


def test_image_at_the_size_limit_passes():
    decision = decide(report(image=ImageFacts(size_bytes=GIB)), "image: {max_size: {max: 1GiB}}\n")

    assert decision.verdict is Verdict.PASS


def test_size_limit_warns_by_default():
    scan = report(image=ImageFacts(size_bytes=3 * GIB))

    decision = decide(scan, "image: {max_size: {max: 2GiB}}\n")

    assert decision.verdict is Verdict.WARN
    assert decision.summary == "WARN: the image is 3.0GiB, over the policy's limit of 2.0GiB."


def test_unknown_size_fires_nothing():
    assert decide(report(), "image: {max_size: {max: 1MB}}\n").rules == ()


def test_end_of_life_os_fires_when_the_policy_asks():
    scan = report(image=ImageFacts(os_family="debian", os_version="9.13", os_end_of_life=True))

    decision = decide(scan, "image: {end_of_life_os: fail}\n")

    assert fired(decision) == {"end-of-life-os": []}
    assert decision.rules[0].message == (
        "The base OS (debian 9.13) is past its end of life and gets no more security fixes; "
        "rebuild on a supported release."
    )
    assert decision.verdict is Verdict.FAIL


def test_end_of_life_os_is_off_unless_configured():
    scan = report(image=ImageFacts(os_family="debian", os_end_of_life=True))

    assert decide(scan, "rules: []\n").verdict is Verdict.PASS


def test_supported_os_passes():
    scan = report(image=ImageFacts(os_family="debian", os_end_of_life=False))

    assert decide(scan, "image: {end_of_life_os: fail}\n").verdict is Verdict.PASS


def test_image_rules_come_after_finding_rules():
    scan = report(vuln("CVE-1"), image=ImageFacts(size_bytes=2 * GIB, os_end_of_life=True))

    decision = decide(
        scan,
        "rules: [{id: any, verdict: warn}]\nimage: {max_size: {max: 1GiB}, end_of_life_os: warn}\n",
    )

    assert [o.rule_id for o in decision.rules] == ["any", "image-size", "end-of-life-os"]


@pytest.mark.parametrize(
    ("handling", "outcome", "rule_verdict"),
    [
        ("fail", Verdict.FAIL, RuleVerdict.FAIL),
        ("warn", Verdict.WARN, RuleVerdict.WARN),
    ],
)
@pytest.mark.parametrize("status", [ScanStatus.FAILED, ScanStatus.UNSUPPORTED])
def test_unusable_scan_is_unknown_handled_as_the_policy_says(
    status: ScanStatus, handling: str, outcome: Verdict, rule_verdict: RuleVerdict
):
    scan = report(status=status, status_reason="UnsupportedImageError: not supported")

    decision = decide(scan, f"image: {{unknown: {handling}}}\n")

    assert (decision.verdict, decision.outcome) == (Verdict.UNKNOWN, outcome)
    (rule,) = decision.rules
    assert (rule.rule_id, rule.verdict) == ("no-usable-scan", rule_verdict)


def test_unknown_handled_as_pass_fires_no_rule_but_says_so():
    scan = report(status=ScanStatus.FAILED, status_reason="UnsupportedImageError")

    decision = decide(scan, "image: {unknown: pass}\n")

    assert (decision.verdict, decision.outcome, decision.rules) == (
        Verdict.UNKNOWN,
        Verdict.PASS,
        (),
    )
    assert decision.summary == (
        "UNKNOWN (handled as PASS): no usable scan: the scan failed (UnsupportedImageError), "
        "so the image could not be judged."
    )


def test_unsupported_image_message_says_what_happened():
    scan = report(status=ScanStatus.UNSUPPORTED, status_reason="UNSUPPORTED_IMAGE")

    decision = decide(scan, "image: {unknown: fail}\n")

    assert decision.rules[0].message == (
        "No usable scan: the scanner does not support this image (UNSUPPORTED_IMAGE), so the "
        "image could not be judged; the policy handles this as FAIL."
    )


def test_pending_scan_is_unknown():
    decision = decide(report(status=ScanStatus.PENDING), "rules: []\n")

    assert decision.verdict is Verdict.UNKNOWN
    assert decision.summary == (
        "UNKNOWN (handled as WARN): no usable scan: the scan has not finished, so the image "
        "could not be judged."
    )


def test_failing_finding_in_a_partial_report_is_a_fail_not_unknown():
    scan = report(vuln("CVE-1", "CRITICAL"), status=ScanStatus.FAILED)

    decision = decide(scan, "rules: [{id: c, verdict: fail, severity: CRITICAL}]\n")

    assert (decision.verdict, decision.outcome) == (Verdict.FAIL, Verdict.FAIL)
    assert [o.rule_id for o in decision.rules] == ["c", "no-usable-scan"]


def test_warning_finding_in_a_partial_report_is_never_handled_as_pass():
    scan = report(vuln("CVE-1", "HIGH"), status=ScanStatus.FAILED)

    decision = decide(scan, "rules: [{id: h, verdict: warn}]\nimage: {unknown: pass}\n")

    assert (decision.verdict, decision.outcome) == (Verdict.UNKNOWN, Verdict.WARN)
