"""Background jobs of the dealers app."""

from celery import shared_task


@shared_task(acks_late=True)
def documents_check_expiry_task() -> dict:
    from dealers.services import documents_check_expiry

    return documents_check_expiry()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def application_receipt_task(application_id: int, token: str) -> bool:
    """Email the applicant the link to follow (and, when asked, complete) their application."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from dealers.models import DealerApplication
    from dealers.services import application_access_url

    application = DealerApplication.objects.filter(pk=application_id).first()
    if application is None:
        return False
    context = {
        "application": application,
        "url": application_access_url(application, token),
        "site_url": settings.DMS_SITE_URL,
    }
    subject = render_to_string("dealers/email/application_subject.txt", context).strip()
    body = render_to_string("dealers/email/application_body.txt", context)
    send_mail(subject, body, None, [application.contact_email])
    return True
