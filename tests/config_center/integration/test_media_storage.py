"""Case files (影像) on S3-compatible storage when MEDIA_S3_BUCKET is set: stored under the prefix, private,
never overwritten, and downloaded through the console's permission-checked view. The bucket is moto's
in-process S3; the storage settings are the ones ``media_storage`` builds from those variables."""

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from config_center.settings.base import media_storage
from routing.models import CaseFile
from routing.services import case_scan
from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, publish_demo, staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUCKET = "case-files"
ENVIRONMENT = {
    "MEDIA_S3_BUCKET": BUCKET,
    "MEDIA_S3_REGION": "us-east-1",
    "MEDIA_S3_ACCESS_KEY_ID": "test-key",
    "MEDIA_S3_SECRET_ACCESS_KEY": "test-secret",
    "MEDIA_S3_PREFIX": "console-media",
}


def test_without_a_bucket_case_files_stay_under_media_root():
    assert media_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.fixture
def s3(settings):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "default": media_storage(ENVIRONMENT)}
        yield client


def test_a_scanned_file_goes_to_the_bucket_privately_and_comes_back_through_the_console(
    client, s3, reference_data, superuser
):
    publish_demo(superuser)
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, uploads=[SimpleUploadedFile("申请表.pdf", PDF)])

    stored = CaseFile.objects.get()
    key = f"console-media/{stored.file.name}"
    assert stored.file.name.startswith("cases/") and case.receipt_no in stored.file.name
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: private

    url = reverse("admin:routing_case_file", args=[case.receipt_no, stored.pk])
    first = staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    client.force_login(first)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY))
    assert client.get(url).status_code == 404  # the bucket changes nothing about who may read


def test_the_same_name_twice_never_replaces_a_stored_file(s3):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    first = default_storage.save("cases/2024/01/same.pdf", ContentFile(b"%PDF-first"))
    second = default_storage.save("cases/2024/01/same.pdf", ContentFile(b"%PDF-second"))
    assert first != second
    assert default_storage.open(first).read() == b"%PDF-first"


def test_a_file_missing_from_the_bucket_is_a_404_not_a_500(client, s3, reference_data, superuser):
    publish_demo(superuser)
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, uploads=[SimpleUploadedFile("申请表.pdf", PDF)])
    stored = CaseFile.objects.get()
    s3.delete_object(Bucket=BUCKET, Key=f"console-media/{stored.file.name}")
    client.force_login(clerk)
    assert (
        client.get(reverse("admin:routing_case_file", args=[case.receipt_no, stored.pk])).status_code == 404
    )
