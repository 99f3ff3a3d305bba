import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dealers import services
from dealers.documents import MAX_DOCUMENT_BYTES
from dealers.models import Dealer, QualificationDocument
from dealers.services import documents as document_services
from dms.errors import PermissionDeniedError, ReasonRequired, RuleViolation
from dms.events.models import Event, Notification
from tests.factories import DealerFactory, document_type, pdf_bytes, png_bytes
from tests.platform.field_errors import field_errors, field_value

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


def upload(actor, dealer, code="business_licence", content=None, name="licence.pdf", expires_on=None):
    return services.document_upload(
        actor=actor,
        dealer=dealer,
        doc_type=document_type(code),
        file=SimpleUploadedFile(name, pdf_bytes(f"{code}-{dealer.pk}") if content is None else content),
        number="91330100-001",
        issued_on=datetime.date(2024, 1, 1),
        expires_on=expires_on or datetime.date(2030, 1, 1),
    )


def test_dealer_uploads_a_pdf_and_its_fingerprint_is_kept(dealer_admin):
    document = upload(dealer_admin, dealer_admin.dealer)
    assert document.status == "pending" and document.content_type == "application/pdf"
    assert len(document.sha256) == 64 and document.file.name.startswith(f"dealer-documents/{dealer_admin.dealer_id}/")
    assert "licence.pdf" not in document.file.name


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("licence.pdf", b"MZ\x90\x00 this is a windows program", "file_type_not_allowed"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"not really an image", "file_type_not_allowed"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_files_are_judged_by_content_not_by_name(dealer_admin, name, content, code):
    with pytest.raises(RuleViolation) as exc:
        upload(dealer_admin, dealer_admin.dealer, content=content, name=name)
    assert exc.value.code == code
    assert not QualificationDocument.objects.exists()


def test_a_real_png_named_pdf_is_stored_as_png(dealer_admin):
    document = upload(dealer_admin, dealer_admin.dealer, content=png_bytes(), name="scan.pdf")
    assert document.content_type == "image/png"


def test_more_than_ten_megabytes_is_refused(dealer_admin):
    with pytest.raises(RuleViolation) as exc:
        upload(dealer_admin, dealer_admin.dealer, content=pdf_bytes() + b"0" * MAX_DOCUMENT_BYTES)
    assert exc.value.code == "file_too_large"


def test_the_same_file_twice_is_refused_and_another_dealers_copy_is_flagged(dealer_admin, other_dealer_admin):
    content = pdf_bytes("shared")
    upload(dealer_admin, dealer_admin.dealer, content=content)
    with pytest.raises(services.DuplicateFile):
        upload(dealer_admin, dealer_admin.dealer, content=content)
    upload(other_dealer_admin, other_dealer_admin.dealer, content=content)
    event = Event.objects.get(verb="dealers.document_duplicate")
    assert event.data["same_file_at_dealers"] == [dealer_admin.dealer.code]
    # Head office sees the hint; neither dealer learns about the other.
    from dms.events.selectors import event_list

    assert not event_list(user=other_dealer_admin).filter(verb="dealers.document_duplicate").exists()
    assert not event_list(user=dealer_admin).filter(data__has_key="same_file_at_dealers").exists()


def test_dealer_users_upload_only_for_their_own_dealer(dealer_admin, other_dealer_admin):
    with pytest.raises(PermissionDeniedError):
        upload(dealer_admin, other_dealer_admin.dealer)


def test_verifying_the_last_mandatory_document_activates_an_onboarding_dealer(hq_admin, dealer_admin):
    dealer = dealer_admin.dealer
    Dealer.objects.filter(pk=dealer.pk).update(status="onboarding")
    documents = [upload(dealer_admin, dealer, code) for code in ("business_licence", "authorisation_letter")]
    for document in documents:
        services.document_verify(actor=hq_admin, document=document)
    dealer.refresh_from_db()
    assert dealer.status == "onboarding"
    services.document_verify(actor=hq_admin, document=upload(dealer_admin, dealer, "dealer_contract"))
    dealer.refresh_from_db()
    assert dealer.status == "active" and dealer.joined_on is not None


def test_rejection_needs_a_reason_and_tells_the_dealer(hq_admin, dealer_admin, django_capture_on_commit_callbacks):
    document = upload(dealer_admin, dealer_admin.dealer)
    with pytest.raises(ReasonRequired):
        services.document_reject(actor=hq_admin, document=document, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_reject(actor=hq_admin, document=document, reason="图片模糊")
    assert Notification.objects.filter(recipient=dealer_admin, event__verb="dealers.document_rejected").exists()
    with pytest.raises(services.DocumentNotPending):
        services.document_verify(actor=hq_admin, document=document)


def test_expiry_reminders_go_out_once_per_threshold(hq_admin, dealer_admin):
    document = upload(dealer_admin, dealer_admin.dealer, expires_on=TODAY + datetime.timedelta(days=25))
    services.document_verify(actor=hq_admin, document=document)
    assert services.documents_check_expiry(today=TODAY)["reminded"] == 1
    assert services.documents_check_expiry(today=TODAY)["reminded"] == 0
    assert services.documents_check_expiry(today=TODAY + datetime.timedelta(days=19))["reminded"] == 1
    assert services.documents_check_expiry(today=TODAY + datetime.timedelta(days=25))["reminded"] == 1
    document.refresh_from_db()
    assert document.expiry_notices == [30, 7, 0]
    assert Event.objects.filter(verb="dealers.document_expiring").count() == 3


def test_an_expired_mandatory_document_puts_an_active_dealer_on_probation(hq_admin, dealer_admin):
    dealer = dealer_admin.dealer
    document = upload(dealer_admin, dealer, expires_on=TODAY - datetime.timedelta(days=1))
    services.document_verify(actor=hq_admin, document=document)
    result = services.documents_check_expiry(today=TODAY)
    dealer.refresh_from_db()
    assert result["probation"] == 1 and dealer.status == "probation"
    event = Event.objects.get(verb="dealers.status_changed", dealer_id=dealer.pk)
    assert "营业执照" in event.data["reason"] and event.actor is None
    assert services.documents_check_expiry(today=TODAY)["probation"] == 0


def test_files_are_served_only_inside_scope(client_as, dealer_admin, other_dealer_admin, hq_admin, client):
    document = upload(dealer_admin, dealer_admin.dealer)
    url = reverse("documents:file", args=[document.pk])
    response = client_as(dealer_admin).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_as(hq_admin).get(url).status_code == 200
    assert client_as(other_dealer_admin).get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_portal_upload_and_hq_review_pages(client_as, dealer_admin, hq_admin):
    portal = client_as(dealer_admin)
    page = portal.get(reverse("portal:documents"))
    assert page.status_code == 200 and "营业执照" in page.content.decode()
    response = portal.post(
        reverse("portal:documents"),
        {
            "doc_type": document_type("business_licence").pk,
            "file": SimpleUploadedFile("licence.png", png_bytes()),
            "expires_on": "2030-01-01",
        },
    )
    assert response.status_code == 302
    document = QualificationDocument.objects.get()
    hq = client_as(hq_admin)
    hq.post(reverse("dealers:document_verify", args=[dealer_admin.dealer_id, document.pk]))
    document.refresh_from_db()
    assert document.status == "verified"


def test_portal_upload_errors_show_on_the_form(client_as, dealer_admin):
    response = client_as(dealer_admin).post(
        reverse("portal:documents"),
        {"doc_type": document_type("business_licence").pk, "file": SimpleUploadedFile("x.pdf", b"not a pdf")},
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_api_upload_verify_and_scope(api_as, dealer_admin, hq_admin, other_dealer_admin):
    client = api_as(dealer_admin)
    response = client.post(
        "/api/v1/documents/",
        {
            "dealer": dealer_admin.dealer_id,
            "doc_type": "business_licence",
            "file": SimpleUploadedFile("licence.pdf", pdf_bytes("api")),
            "expires_on": "2030-01-01",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    document_id = response.json()["id"]
    assert api_as(other_dealer_admin).get(f"/api/v1/documents/{document_id}/").status_code == 404
    assert client.post(f"/api/v1/documents/{document_id}/verify/").status_code == 403
    verified = api_as(hq_admin).post(f"/api/v1/documents/{document_id}/verify/")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    again = api_as(hq_admin).post(f"/api/v1/documents/{document_id}/verify/")
    assert again.status_code == 422 and again.json()["code"] == "document_not_pending"


def test_expiry_task_runs_the_sweep(hq_admin, dealer_admin):
    from dealers.tasks import documents_check_expiry_task

    document = upload(dealer_admin, dealer_admin.dealer, expires_on=timezone.localdate())
    services.document_verify(actor=hq_admin, document=document)
    assert documents_check_expiry_task.delay().get()["reminded"] == 1


def test_a_decompression_bomb_is_refused(dealer_admin, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)
    with pytest.raises(RuleViolation) as exc:
        upload(dealer_admin, dealer_admin.dealer, content=png_bytes(size=(20, 20)), name="bomb.png")
    assert exc.value.code == "file_type_not_allowed"
    assert not QualificationDocument.objects.exists()


def test_a_failed_upload_leaves_no_file(dealer_admin, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("event log unavailable")

    monkeypatch.setattr(document_services, "_record_upload", broken)
    with pytest.raises(RuntimeError):
        upload(dealer_admin, dealer_admin.dealer)
    folder = settings.MEDIA_ROOT / "dealer-documents" / str(dealer_admin.dealer_id)
    assert not folder.exists() or not any(folder.iterdir())


def test_admin_action_verifies_through_the_service(client, hq_admin, dealer_admin):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.com", "x-long-password-1", role="hq_admin")
    document = upload(dealer_admin, dealer_admin.dealer)
    client.force_login(root)
    response = client.post(
        reverse("admin:dealers_qualificationdocument_changelist"),
        {"action": "verify", "_selected_action": [document.pk]},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "verified" and document.reviewed_by == root
    assert Event.objects.filter(verb="dealers.document_verified").exists()


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for current in QualificationDocument.Status.values for target in QualificationDocument.Status],
)
def test_a_document_is_reviewed_once_as_its_table_says(current, target):
    document = QualificationDocument(status=current)
    if target in document_services.DOCUMENT_TRANSITIONS[current]:
        document_services.document_move(document, target)
        assert document.status == target
    else:
        with pytest.raises(services.DocumentNotPending):
            document_services.document_move(document, target)
        assert document.status == current


@pytest.mark.parametrize("tab", ["", "documents"])
def test_an_upload_refused_by_head_office_shows_beside_its_field_with_the_number_kept(client_as, hq_admin, tab):
    dealer = DealerFactory()
    response = client_as(hq_admin).post(
        reverse("dealers:document_upload", args=[dealer.pk]),
        {
            "doc_type": document_type("business_licence").pk,
            "file": SimpleUploadedFile("licence.pdf", pdf_bytes("upl")),
            "number": "91330100-777",
            "issued_on": "2024-01-01",
            "expires_on": "2023-01-01",
            "tab": tab,
        },
    )
    page = response.content.decode()
    assert response.status_code == 422 and not list(response.context["messages"])
    assert field_errors(page, "id_expires_on") == ["到期日期早于签发日期。"]
    assert field_value(page, "id_number") == "91330100-777"
    assert '<details class="mt-3" open>' in page
    assert not QualificationDocument.objects.filter(dealer=dealer).exists()


def test_rejecting_a_document_without_a_reason_names_the_document(client_as, hq_admin, dealer_admin):
    document = upload(dealer_admin, dealer_admin.dealer)
    response = client_as(hq_admin).post(
        reverse("dealers:document_reject", args=[dealer_admin.dealer_id, document.pk]), {"reason": " "}, follow=True
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("营业执照 91330100-001") and message.endswith("该字段是必填项。")
    document.refresh_from_db()
    assert document.status == "pending"
