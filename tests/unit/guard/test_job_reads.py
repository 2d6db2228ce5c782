"""One DescribeImages answer serves a whole job, until the job writes to that image."""

from __future__ import annotations

from collections import Counter

from ecr_guard.guard.job_reads import JobScopedEcr
from ecr_guard.guard.ports import ImageDetails, Manifest, PutOutcome, StorageClass
from ecr_guard.guard.state import ImageKey

IMAGE = ImageKey(
    account="123456789012", region="us-east-1", repository="team/app", digest="sha256:" + "a" * 64
)
OTHER = IMAGE.with_digest("sha256:" + "b" * 64)
MANIFEST = Manifest(
    digest=IMAGE.digest, body="{}", media_type="application/vnd.oci.image.manifest.v1+json"
)


class CountingEcr:
    """Answers DescribeImages with the tags it holds now, and counts the calls."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.tags = ["1.2.3"]

    def describe_image(self, image: ImageKey) -> ImageDetails:
        self.calls["describe_image"] += 1
        return ImageDetails(digest=image.digest, tags=tuple(self.tags), size_bytes=2048)

    def put_tag(self, image: ImageKey, manifest: Manifest, tag: str) -> PutOutcome:
        self.tags.append(tag)
        return PutOutcome.TAGGED

    def remove_tags(self, image: ImageKey, tags) -> tuple[str, ...]:
        self.tags = [tag for tag in self.tags if tag not in tags]
        return tuple(tags)

    def set_storage_class(self, image: ImageKey, target: StorageClass) -> str | None:
        return target.value


def test_an_image_is_described_once_per_job():
    ecr = CountingEcr()
    scoped = JobScopedEcr(ecr)  # type: ignore[arg-type]

    first = scoped.describe_image(IMAGE)
    second = scoped.describe_image(IMAGE)
    scoped.describe_image(OTHER)

    assert first == second
    assert ecr.calls["describe_image"] == 2  # IMAGE once, OTHER once


def test_a_write_to_the_image_forgets_what_was_read_of_it():
    ecr = CountingEcr()
    scoped = JobScopedEcr(ecr)  # type: ignore[arg-type]
    scoped.describe_image(IMAGE)

    scoped.put_tag(IMAGE, MANIFEST, "quarantine")
    after_put = scoped.describe_image(IMAGE)
    scoped.remove_tags(IMAGE, ["1.2.3"])
    after_remove = scoped.describe_image(IMAGE)

    assert after_put.tags == ("1.2.3", "quarantine")
    assert after_remove.tags == ("quarantine",)
    assert ecr.calls["describe_image"] == 3


def test_a_new_job_reads_again():
    ecr = CountingEcr()
    scoped = JobScopedEcr(ecr)  # type: ignore[arg-type]
    scoped.describe_image(IMAGE)
    ecr.tags = ["2.0"]

    scoped.start_job()

    assert scoped.describe_image(IMAGE).tags == ("2.0",)
    assert ecr.calls["describe_image"] == 2
