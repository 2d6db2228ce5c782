"""From a typed event to the guard's work: which image, which findings, or why not.

ECR and Inspector events name their image; their findings are read in full from
DescribeImageScanFindings (never from the event's counts). A Trivy report is read from the
reports bucket by pointer, size-limited, and bound to an image by its key or metadata; a report
that cannot be bound or parsed is rejected, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecr_guard.errors import ReportError
from ecr_guard.events import (
    EcrImageScanEvent,
    EvaluateIndexRequest,
    GuardEvent,
    Inspector2FindingEvent,
    Inspector2ScanEvent,
    S3ObjectCreatedEvent,
    TrivyReportUploadedEvent,
    scan_marker,
)
from ecr_guard.findings.ecr import report_from_scan_findings_pages
from ecr_guard.findings.model import ScanReport
from ecr_guard.guard.binding import REPORT_PREFIX, BindingError, bind_report
from ecr_guard.guard.jobs import ImageJob, JobKind
from ecr_guard.guard.ports import EcrPort, ReportStorePort, StoredReport
from ecr_guard.guard.state import ImageKey


@dataclass(frozen=True)
class Rejected:
    """A report the guard will not evaluate, with the reason (WARNING "report rejected")."""

    bucket: str
    key: str
    reason: str


class Intake:
    """Turns events into jobs; reads S3 reports (binding needs the object's metadata)."""

    def __init__(self, *, ecr: EcrPort, reports: ReportStorePort, reports_bucket: str):
        self._ecr = ecr
        self._reports = reports
        self._bucket = reports_bucket

    def job_for(self, event: GuardEvent) -> ImageJob | Rejected:
        if isinstance(event, S3ObjectCreatedEvent):
            return self._s3_job(event)
        if isinstance(event, TrivyReportUploadedEvent):
            return self._trivy_job(event)
        if isinstance(event, EvaluateIndexRequest):
            return ImageJob(
                key=_image_key(
                    event.account,
                    event.region,
                    event.detail.repository_name,
                    event.detail.index_digest,
                ),
                kind=JobKind.INDEX,
                marker=scan_marker(event),
                event_id=event.id,
                event_tags=event.detail.image_tags,
            )
        if isinstance(event, EcrImageScanEvent | Inspector2ScanEvent | Inspector2FindingEvent):
            return self._ecr_job(event)
        raise TypeError(f"no job for {type(event).__name__}")

    def _ecr_job(
        self, event: EcrImageScanEvent | Inspector2ScanEvent | Inspector2FindingEvent
    ) -> ImageJob:
        ref = event.image_ref()
        image = ImageKey(
            account=ref.account or event.account,
            region=ref.region or event.region,
            repository=ref.repository,
            digest=ref.digest or "",
        )
        origin = f"ecr:DescribeImageScanFindings {image.repository}@{image.digest}"

        def read() -> ScanReport:
            return report_from_scan_findings_pages(
                self._ecr.scan_findings_pages(image), origin=origin
            )

        return ImageJob(
            key=image,
            kind=JobKind.ECR_SCAN,
            marker=scan_marker(event),
            event_id=event.id,
            event_tags=ref.tags,
            origin=origin,
            read=read,
        )

    def _trivy_job(self, event: TrivyReportUploadedEvent) -> ImageJob | Rejected:
        if event.bucket != self._bucket:
            return Rejected(event.bucket, event.key, "not the reports bucket")
        stored = self._read(event.bucket, event.key, event.version_id)
        if isinstance(stored, Rejected):
            return stored
        image = _image_key(
            event.account, event.region, event.detail.repository_name, event.detail.image_digest
        )
        return self._report_job(
            image, stored, scan_marker(event), event.id, event.detail.image_tags
        )

    def _s3_job(self, event: S3ObjectCreatedEvent) -> ImageJob | Rejected:
        if event.bucket != self._bucket:
            return Rejected(event.bucket, event.key, "not the reports bucket")
        stored = self._read(event.bucket, event.key, event.version_id)
        if isinstance(stored, Rejected):
            return stored
        try:
            binding = bind_report(event.key, stored.metadata)
        except BindingError as error:
            return Rejected(event.bucket, event.key, str(error))
        image = _image_key(event.account, event.region, binding.repository, binding.digest)
        return self._report_job(image, stored, scan_marker(event), event.id, ())

    def _read(self, bucket: str, key: str, version_id: str | None) -> StoredReport | Rejected:
        if not key.startswith(REPORT_PREFIX):
            # The function may read only `trivy/*` in the reports bucket: anything else would be
            # refused by IAM, so it is rejected without a call.
            return Rejected(bucket, key, f"reports are read only under {REPORT_PREFIX}")
        # Report parsing is imported with the first report: a guard fed only ECR and Inspector
        # events never pays for it at cold start.
        from ecr_guard.findings.load import MAX_REPORT_BYTES  # noqa: PLC0415

        try:
            return self._reports.read(
                bucket, key, version_id=version_id, max_bytes=MAX_REPORT_BYTES
            )
        except ReportError as error:
            return Rejected(bucket, key, error.message)

    def _report_job(
        self,
        image: ImageKey,
        stored: StoredReport,
        marker: str,
        event_id: str,
        tags: tuple[str, ...],
    ) -> ImageJob | Rejected:
        from ecr_guard.findings.load import parse_report  # noqa: PLC0415 - see _read

        try:
            report = parse_report(stored.data, origin=stored.uri)
        except ReportError as error:
            return Rejected(stored.bucket, stored.key, error.message)
        named = report.image.digest
        if named and named != image.digest:
            return Rejected(
                stored.bucket, stored.key, f"the report names digest {named}, not {image.digest}"
            )
        return ImageJob(
            key=image,
            kind=JobKind.TRIVY,
            marker=marker,
            event_id=event_id,
            event_tags=tags,
            origin=stored.uri,
            read=lambda: report,
        )


def _image_key(account: str, region: str, repository: str, digest: str) -> ImageKey:
    return ImageKey(account=account, region=region, repository=repository, digest=digest)
