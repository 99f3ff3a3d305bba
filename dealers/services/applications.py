"""Onboarding (准入): applications from the public form, the API or HQ, review with the selection
scorecard, and the decision that creates the dealer."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers import verbs
from dealers.models import Dealer, DealerApplication
from dealers.services.dealers import clean_uscc, dealer_create, require_hq
from dealers.validators import normalize_phone
from dms import events
from dms.accounts.models import User
from dms.errors import InvalidTransition, ReasonRequired, RuleViolation
from dms.scoping import actor_or_none

A = DealerApplication.Status

APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    A.SUBMITTED: frozenset({A.UNDER_REVIEW}),
    A.UNDER_REVIEW: frozenset({A.APPROVED, A.REJECTED, A.NEEDS_INFO}),
    A.NEEDS_INFO: frozenset({A.SUBMITTED}),
    A.APPROVED: frozenset(),
    A.REJECTED: frozenset(),
}

APPLICATION_FIELDS = (
    "company_name",
    "legal_name",
    "registered_capital",
    "founded_year",
    "product_lines_wanted",
    "warehouse_area",
    "sales_team_size",
    "years_in_industry",
    "current_brands",
    "channels",
    "annual_revenue_band",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class ApplicationOpen(RuleViolation):
    code = "application_open"
    message = _("An application for this company is already being handled.")


class AlreadyDealer(RuleViolation):
    code = "already_a_dealer"
    message = _("This company is already one of our dealers.")


class ScorecardIncomplete(RuleViolation):
    code = "scorecard_incomplete"
    message = _("Score every criterion before deciding.")


class BelowThreshold(RuleViolation):
    code = "below_threshold"
    message = _("The score is below the approval threshold: only an HQ administrator may approve, with a reason.")


def application_token(application) -> str:
    """The applicant's secret link, derived (keyed hash) from the application and the site secret:
    nothing is stored, the link stays the same for the life of the application, and it cannot be
    guessed from the application number."""
    from django.utils.crypto import salted_hmac

    value = f"{application.pk}:{application.uscc}:{application.submitted_at.isoformat()}"
    return salted_hmac("dms.dealer-application", value).hexdigest()[:32]


def application_access_url(application, token: str) -> str:
    path = reverse("apply:status", args=[application.pk, token])
    return f"{settings.DMS_SITE_URL.rstrip('/')}{path}"


def application_by_token(*, pk: int, token: str):
    from django.utils.crypto import constant_time_compare

    application = DealerApplication.objects.filter(pk=pk).first()
    if application is None or not token or not constant_time_compare(application_token(application), token):
        return None
    return application


def _clean_application_fields(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k in APPLICATION_FIELDS}
    if "contact_phone" in fields:
        try:
            fields["contact_phone"] = normalize_phone(fields["contact_phone"])
        except ValidationError as exc:
            raise RuleViolation(" ".join(exc.messages), code="phone_invalid", field="contact_phone") from exc
    return fields


def _check_not_duplicate(uscc: str, *, exclude_pk=None) -> None:
    if Dealer.objects.filter(uscc=uscc).exists():
        raise AlreadyDealer(field="uscc")
    open_applications = DealerApplication.objects.filter(uscc=uscc, status__in=DealerApplication.OPEN_STATUSES)
    if exclude_pk:
        open_applications = open_applications.exclude(pk=exclude_pk)
    if open_applications.exists():
        raise ApplicationOpen(field="uscc")


def application_submit(*, actor: User | None = None, source: str, uscc: str, regions_wanted, **fields) -> tuple:
    """Record an application from the public form, the API or HQ; returns it with the applicant's
    secret link. A company with an open application or an existing dealership is refused."""
    if source == DealerApplication.Source.HQ:
        require_hq(actor)
    uscc = clean_uscc(uscc)
    regions_wanted = list(regions_wanted)
    if not regions_wanted:
        raise RuleViolation(_("Choose at least one region."), code="regions_required", field="regions_wanted")
    fields = _clean_application_fields(fields)
    _check_not_duplicate(uscc)
    try:
        with transaction.atomic():
            application = DealerApplication(uscc=uscc, source=source, **fields)
            application.save()
            token = application_token(application)
            application.regions_wanted.set(regions_wanted)
            events.record(
                actor=actor_or_none(actor),
                verb=verbs.APPLICATION_SUBMITTED.code,
                target=application,
                data={"source": source},
                dealer_id=None,
            )
            transaction.on_commit(lambda: _send_application_receipt(application.pk, token))
    except IntegrityError as exc:
        # Two submissions for one company at the same moment: the partial unique index decides.
        raise ApplicationOpen(field="uscc") from exc
    return application, token


def _send_application_receipt(application_pk: int, token: str) -> None:
    from dealers.tasks import application_receipt_task

    application_receipt_task.delay(application_pk, token)


def _check_move(application: DealerApplication, status: str) -> None:
    if status not in APPLICATION_TRANSITIONS[application.status]:
        raise InvalidTransition(current=application.get_status_display(), target=DealerApplication.Status(status).label)


def application_move(application: DealerApplication, *, actor: User | None, status: str, data=None, notify=()):
    """The one place an application's status changes: the move must be in APPLICATION_TRANSITIONS."""
    _check_move(application, status)
    previous = application.status
    application.status = status
    events.record(
        actor=actor,
        verb=verbs.APPLICATION_STATUS.code,
        target=application,
        data={"from": previous, "to": status, **(data or {})},
        # Reviews, scores and reasons are head office's own: never in the dealer's history.
        dealer_id=None,
        notify=notify,
    )


def _locked_application(application):
    return DealerApplication.objects.select_for_update().get(pk=application.pk)


def application_start_review(*, actor: User, application):
    require_hq(actor)
    with transaction.atomic():
        locked = _locked_application(application)
        if locked.status == A.UNDER_REVIEW:
            return locked
        application_move(locked, actor=actor, status=A.UNDER_REVIEW)
        locked.reviewer = actor
        locked.save(update_fields=["status", "reviewer"])
    return locked


def application_score(*, actor: User, application, scores: list[dict]):
    """Record the actor's scores: ``[{"criterion": code, "score": 1..5, "note": ""}]``."""
    from dealers.models import ApplicationScore, SelectionCriterion

    require_hq(actor)
    criteria = {c.code: c for c in SelectionCriterion.objects.filter(is_active=True)}
    with transaction.atomic():
        locked = _locked_application(application)
        if locked.status != A.UNDER_REVIEW:
            raise RuleViolation(_("Start the review before scoring."), code="not_under_review")
        for item in scores:
            criterion = criteria.get(item.get("criterion"))
            if criterion is None:
                raise RuleViolation(_("Unknown criterion."), code="unknown_criterion", field="scores")
            value = item.get("score")
            if not isinstance(value, int) or not 1 <= value <= 5:
                raise RuleViolation(_("A score is a whole number from 1 to 5."), code="invalid_score", field="scores")
            ApplicationScore.objects.update_or_create(
                application=locked,
                criterion=criterion,
                reviewer=actor,
                defaults={"score": value, "note": (item.get("note") or "")[:500]},
            )
        card = application_scorecard(locked)
        events.record(
            actor=actor,
            verb=verbs.APPLICATION_SCORED.code,
            target=locked,
            data={"total": str(card.total) if card.total is not None else None},
            dealer_id=None,
        )
    return card


def application_scorecard(application):
    from dealers import scorecard
    from dealers.models import SelectionCriterion

    return scorecard.compute(
        SelectionCriterion.objects.filter(is_active=True), list(application.scores.select_related("reviewer"))
    )


def application_request_info(*, actor: User, application, message: str) -> tuple:
    """Send the application back to the applicant with a question; returns it and a fresh link."""
    require_hq(actor)
    if not (message or "").strip():
        raise RuleViolation(_("Say what information is needed."), code="message_required", field="message")
    with transaction.atomic():
        locked = _locked_application(application)
        application_move(locked, actor=actor, status=A.NEEDS_INFO, data={"message": message.strip()})
        locked.info_request = message.strip()
        token = application_token(locked)
        locked.save(update_fields=["status", "info_request"])
        transaction.on_commit(lambda: _send_application_receipt(locked.pk, token))
    return locked, token


def application_resubmit(*, application, uscc=None, regions_wanted=None, **fields):
    """The applicant answers a request for information through their link and submits again."""
    fields = _clean_application_fields(fields)
    with transaction.atomic():
        locked = _locked_application(application)
        if locked.status != A.NEEDS_INFO:
            raise RuleViolation(_("This application is not waiting for information."), code="not_needs_info")
        if uscc is not None:
            uscc = clean_uscc(uscc)
            _check_not_duplicate(uscc, exclude_pk=locked.pk)
            locked.uscc = uscc
        for key, value in fields.items():
            setattr(locked, key, value)
        application_move(
            locked, actor=None, status=A.SUBMITTED, notify=[locked.reviewer_id] if locked.reviewer_id else ()
        )
        locked.save()
        if regions_wanted is not None:
            locked.regions_wanted.set(list(regions_wanted))
    return locked


def application_reject(*, actor: User, application, reason: str):
    require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    with transaction.atomic():
        locked = _locked_application(application)
        application_move(locked, actor=actor, status=A.REJECTED, data={"reason": reason.strip()})
        locked.decision_reason = reason.strip()
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_at"])
    return locked


def application_approve(*, actor: User, application, owner=None, reason: str = "", username: str = "") -> tuple:
    """Approve: create the dealer (onboarding, owned by the reviewer unless another owner is chosen)
    and its administrator, who is invited to set a password. Returns (application, dealer, user,
    invitation link). A score below the threshold needs an HQ administrator and a reason. Two
    reviewers approving at once create one dealer: the application row is locked."""
    from dms.accounts.services import dealer_user_invite

    require_hq(actor)
    with transaction.atomic():
        locked = _locked_application(application)
        # Checked before the scorecard so that a decided application reports the illegal move.
        _check_move(locked, A.APPROVED)
        card = application_scorecard(locked)
        if not card.complete:
            raise ScorecardIncomplete()
        if card.below_threshold and (not actor.is_hq_admin or not (reason or "").strip()):
            raise BelowThreshold(field="reason")
        _check_not_duplicate(locked.uscc, exclude_pk=locked.pk)
        regions = list(locked.regions_wanted.all())
        dealer = dealer_create(
            actor=actor,
            name=locked.company_name,
            legal_name=locked.legal_name,
            uscc=locked.uscc,
            region=regions[0],
            status=Dealer.Status.ONBOARDING,
            served_regions=regions,
            owner=owner or locked.reviewer or actor,
            contacts=[
                {
                    "name": locked.contact_name,
                    "phone": locked.contact_phone,
                    "email": locked.contact_email,
                    "title": "",
                    "is_primary": True,
                }
            ],
        )
        user, link = dealer_user_invite(
            actor=actor,
            dealer_id=dealer.pk,
            role="dealer_admin",
            username=username or dealer.code.lower(),
            email=locked.contact_email,
            first_name=locked.contact_name,
            phone=locked.contact_phone,
        )
        locked.dealer = dealer
        application_move(
            locked,
            actor=actor,
            status=A.APPROVED,
            data={"total": str(card.total), "reason": (reason or "").strip(), "dealer": dealer.code},
        )
        locked.decision_reason = (reason or "").strip()
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "dealer", "decision_reason", "decided_at"])
    return locked, dealer, user, link
