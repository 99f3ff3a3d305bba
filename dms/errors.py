"""Business-rule errors. Services raise them; the API and the HTML views turn them into messages."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A broken business rule, with a stable ``code`` for machines and a translatable message for people."""

    code = "domain_error"
    message = _("The request breaks a business rule.")
    status_code = 409

    def __init__(self, message=None, *, code=None, data=None, field=None):
        self.message = message if message is not None else self.message
        self.code = code or self.code
        self.data = data or {}
        self.field = field
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class InvalidTransition(DomainError):
    """A workflow was asked to move from one status to a status its transition table does not allow."""

    code = "invalid_transition"
    message = _("This change of status is not allowed.")

    def __init__(self, *, current, target, message=None):
        super().__init__(
            message
            or _("Cannot change status from %(current)s to %(target)s.") % {"current": current, "target": target},
            data={"current": str(current), "target": str(target)},
        )


class RuleViolation(DomainError):
    """Input that is well formed but not acceptable under the business rules."""

    code = "rule_violation"
    status_code = 422


class PermissionDeniedError(DomainError):
    """The user may see the object but not perform this operation on it."""

    code = "permission_denied"
    message = _("You do not have permission to do this.")
    status_code = 403


class ReasonRequired(RuleViolation):
    """A change kept on record with its reason (a rejection, a recall, an override) was asked for without one."""

    code = "reason_required"
    message = _("Give a reason.")

    def __init__(self, message=None, *, field="reason"):
        super().__init__(message, field=field)
