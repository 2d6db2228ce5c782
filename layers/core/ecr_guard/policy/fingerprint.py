"""The fingerprint of a policy: which policy a decision was made with, whatever its layout."""

from __future__ import annotations

import hashlib
import json

from ecr_guard.policy.model import Policy


def policy_fingerprint(policy: Policy) -> str:
    """`sha256:<hex>` of the policy's canonical JSON (sorted keys, no spaces).

    Comments, key order, quoting and case-insensitive spellings do not change it; any change
    of meaning does, including waivers imported from `waiver_files`.
    """
    document = policy.model_dump(mode="json")
    if document.get("notifications") is None:
        # Policies written before notification routes existed keep their fingerprint.
        document.pop("notifications", None)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
