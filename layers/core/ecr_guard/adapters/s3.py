"""Amazon S3: Trivy reports uploaded by CI, read by pointer with a size limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ecr_guard.adapters.clients import ClientFactory, error_code, error_message
from ecr_guard.errors import AwsError, ReportError
from ecr_guard.guard.ports import StoredReport

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

_MISSING_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "404"})


class ReportStore:
    """Reads report objects from the reports bucket."""

    def __init__(self, clients: ClientFactory, *, region: str):
        self._clients = clients
        self._region = region

    def read(
        self, bucket: str, key: str, *, version_id: str | None, max_bytes: int
    ) -> StoredReport:
        """The object's bytes and metadata; ReportError when missing or larger than max_bytes.

        The size is checked on ContentLength before the body is read, so an oversized report
        never reaches memory.
        """
        uri = f"s3://{bucket}/{key}"
        client = self._clients.s3(self._region)
        try:
            if version_id:
                response = client.get_object(Bucket=bucket, Key=key, VersionId=version_id)
            else:
                response = client.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error_code(error) in _MISSING_CODES:
                raise ReportError(uri, "the report object does not exist") from error
            raise AwsError(f"{uri}: GetObject: {error_message(error)}") from error
        except BotoCoreError as error:
            raise AwsError(f"{uri}: GetObject: {error}") from error
        return _stored(bucket, key, response, max_bytes)


def _stored(
    bucket: str, key: str, response: GetObjectOutputTypeDef, max_bytes: int
) -> StoredReport:
    uri = f"s3://{bucket}/{key}"
    body = response["Body"]
    try:
        size = response.get("ContentLength", 0)
        if size > max_bytes:
            raise ReportError(
                uri, f"the report is {size} bytes, more than the limit of {max_bytes} bytes"
            )
        # Read one byte past the limit, in case ContentLength was absent or wrong.
        data = body.read(max_bytes + 1)
    except (BotoCoreError, OSError) as error:
        raise AwsError(f"{uri}: reading the report failed: {error}") from error
    finally:
        body.close()
    if len(data) > max_bytes:
        raise ReportError(uri, f"the report is more than the limit of {max_bytes} bytes")
    return StoredReport(
        bucket=bucket,
        key=key,
        data=data,
        metadata=dict(response.get("Metadata", {})),
        version_id=response.get("VersionId"),
        etag=str(response.get("ETag", "")).strip('"') or None,
    )
