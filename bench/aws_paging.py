"""DescribeImageScanFindings paged as Amazon ECR pages it, which moto does not do.

moto answers every finding in one response. ECR answers `maxResults` findings a page (1 to
1,000; 100 when the parameter is absent) with a `nextToken` when more remain, and caps enhanced
findings at 100 a page whatever `maxResults` says (boto/boto3#3449). Counting API calls per
event means counting pages, so the benchmark answers as ECR does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.responses import ActionResult
from moto.ecr.responses import ECRResponse

DEFAULT_PAGE = 100
LARGEST_PAGE = 1_000
ENHANCED_PAGE = 100

_unpaged = ECRResponse.describe_image_scan_findings


def _paged(self: ECRResponse) -> ActionResult:
    answer: dict[str, Any] = dict(_unpaged(self).result)  # type: ignore[call-overload]
    scan = dict(answer.get("imageScanFindings") or {})
    enhanced = bool(scan.get("enhancedFindings"))
    key = "enhancedFindings" if enhanced else "findings"
    asked = int(self._get_param("maxResults") or DEFAULT_PAGE)
    page_size = min(asked, ENHANCED_PAGE) if enhanced else min(asked, LARGEST_PAGE)
    start = int(self._get_param("nextToken") or 0)
    everything = scan.get(key) or []
    scan[key] = everything[start : start + page_size]
    answer["imageScanFindings"] = scan
    if start + page_size < len(everything):
        answer["nextToken"] = str(start + page_size)
    return ActionResult(answer)


@contextmanager
def paged_like_ecr() -> Iterator[None]:
    """Within the block, moto's DescribeImageScanFindings pages its answer like ECR."""
    ECRResponse.describe_image_scan_findings = _paged  # type: ignore[method-assign]
    try:
        yield
    finally:
        ECRResponse.describe_image_scan_findings = _unpaged  # type: ignore[method-assign]
