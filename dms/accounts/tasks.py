"""Background jobs of the accounts app."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def user_invitation_send_task(user_id: int) -> bool:
    from dms.accounts.models import User
    from dms.accounts.services import user_send_invitation

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return False
    user_send_invitation(user=user)
    return True
