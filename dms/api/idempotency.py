"""``Idempotency-Key`` for POSTs that create business objects.

The first request with a key claims it (committed at once, so a concurrent duplicate sees the
claim and gets 409); the view then runs, and its response is stored in the same transaction as
the business write. A replay with the same body returns the stored status and body; the same
key with another body is refused with 422. Keys live ``IDEMPOTENCY_KEY_TTL`` (24 h).
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from dms.api.models import IdempotencyKey
from dms.errors import DomainError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A claim still without a response after this long belongs to a request whose process died (web
# requests time out well before), so a retry may take the key over.
ABANDONED_AFTER = timedelta(minutes=5)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[ -~]+$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description=_("A unique key per operation; a retry with the same key and body returns the first response."),
)


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    message = _("The Idempotency-Key header must be 1 to 255 printable ASCII characters.")
    status_code = 400


class IdempotencyKeyMismatch(DomainError):
    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was already used with a different request body.")
    status_code = 422


class IdempotencyKeyInProgress(DomainError):
    code = "idempotency_request_in_progress"
    message = _("A request with this Idempotency-Key is still being processed; retry shortly.")
    status_code = 409


def _request_hash(request) -> str:
    data = request.data
    if hasattr(data, "lists"):
        data = dict(data.lists())
    payload = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _claim(*, user, endpoint: str, key: str, request_hash: str):
    """Claim the key, or return the existing record when someone already holds it. One statement, committed at
    once, claims a new key or takes over one that expired, or whose claim a dead request abandoned with the
    same body (``ABANDONED_AFTER``); otherwise it leaves the record as it is, and the record is read."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    table = IdempotencyKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, endpoint, key, request_hash, created_at) "  # noqa: S608 - our names
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id, endpoint, key) DO UPDATE SET "
            "request_hash = EXCLUDED.request_hash, created_at = EXCLUDED.created_at, "
            "response_status = NULL, response_body = NULL "
            f"WHERE {table}.created_at < %s OR ({table}.response_status IS NULL "
            f"AND {table}.created_at < %s AND {table}.request_hash = EXCLUDED.request_hash) RETURNING id",
            [
                user.pk,
                endpoint,
                key,
                request_hash,
                adapt(now),
                adapt(now - settings.IDEMPOTENCY_KEY_TTL),
                adapt(now - ABANDONED_AFTER),
            ],
        )
        claimed = cursor.fetchone()
    if claimed:
        record = IdempotencyKey(user=user, endpoint=endpoint, key=key, request_hash=request_hash, created_at=now)
        record.pk = claimed[0]
        return record, True
    existing = IdempotencyKey.objects.filter(user=user, endpoint=endpoint, key=key).first()
    if existing is None:
        # Its holder failed and let it go between the two statements.
        raise IdempotencyKeyInProgress()
    return existing, False


def idempotent(view_method):
    """Decorate a DRF view method (``create`` or an ``@action``) to honour ``Idempotency-Key``."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        if not (0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
            raise IdempotencyKeyInvalid()
        request_hash = _request_hash(request)
        endpoint = f"{request.method} {request.path}"[:255]
        record, created = _claim(user=request.user, endpoint=endpoint, key=key, request_hash=request_hash)
        if not created:
            if record.request_hash != request_hash:
                raise IdempotencyKeyMismatch()
            if record.response_status is None:
                raise IdempotencyKeyInProgress()
            return Response(
                record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"}
            )
        try:
            with transaction.atomic():
                response = view_method(self, request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                else:
                    body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                    IdempotencyKey.objects.filter(pk=record.pk).update(
                        response_status=response.status_code, response_body=body
                    )
        except BaseException:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 400:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
        return response

    return wrapper


def idempotency_keys_purge() -> int:
    cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    deleted, _detail = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
