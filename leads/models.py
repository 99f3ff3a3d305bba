"""End-customer leads, their assignment to dealers, and the rules that rank the candidates.

A lead has at most one open assignment (offered or accepted) at any time: a partial unique index
holds it, so two assignment sweeps running at once cannot both give the same lead away.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.money import money_field
from dms.validators import validate_code


class LeadSource(models.Model):
    """A website or partner allowed to post leads to the public API with its own key (kept as SHA-256)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True, validators=[validate_code])
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")
        indexes = [
            models.Index(fields=["name"], name="lead_source_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    """An end customer's enquiry, from any channel, on its way to a dealer and to an outcome (won or lost)."""

    class Source(models.TextChoices):
        WEB = "web", _("website")
        HOTLINE = "hotline", _("hotline")
        EXHIBITION = "exhibition", _("exhibition")
        CAMPAIGN = "campaign", _("campaign")
        REFERRAL = "referral", _("referral")
        API = "api", _("API")
        IMPORT = "import", pgettext_lazy("lead source", "import")
        MANUAL = "manual", _("manual entry")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        UNASSIGNED = "unassigned", _("unassigned")
        ACCEPTED = "accepted", _("accepted")
        CONTACTED = "contacted", _("contacted")
        QUALIFIED = "qualified", _("qualified")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    class UnassignedReason(models.TextChoices):
        NO_CANDIDATE = (
            "no_candidate",
            _("No active dealer authorised for this product line serves this region with free capacity."),
        )
        MANUAL_RULE = "manual_rule", _("An assignment rule leaves these leads to head office.")

    contact_name = models.CharField(_("contact name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_key = models.CharField(_("company key"), max_length=200, blank=True, editable=False)
    region = models.ForeignKey("dealers.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    product_line = models.ForeignKey(
        "orders.ProductLine", on_delete=models.PROTECT, related_name="leads", verbose_name=_("product line")
    )
    estimated_value = money_field(_("estimated value"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_site = models.ForeignKey(
        LeadSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name=_("website")
    )
    message = models.TextField(_("message"), blank=True)
    consent = models.BooleanField(_("consents to be contacted"), default=False)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_purpose = models.CharField(_("purpose of contact"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    won_amount = money_field(_("amount won"), null=True, blank=True)
    won_order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    lost_reason = models.CharField(_("why it was lost"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    unassigned_reason = models.CharField(
        _("why it is unassigned"), max_length=20, choices=UnassignedReason.choices, blank=True
    )
    touches = models.PositiveIntegerField(_("times received"), default=1)
    last_touch_at = models.DateTimeField(_("last received"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["company_key", "region"], name="lead_company_region_idx"),
            models.Index(fields=["company"], name="lead_company_idx"),
            models.Index(fields=["source"], name="lead_source_idx"),
        ]

    def __str__(self) -> str:
        # The number only: this is what the event log and notifications keep, and the customer's name
        # must not outlive the dealer's hold on the lead.
        return f"L{self.pk:06d}" if self.pk else str(_("new lead"))

    @property
    def number(self) -> str:
        return f"L{self.pk:06d}" if self.pk else ""


class LeadTouch(models.Model):
    """The same customer asking again within the de-duplication window: recorded on the first lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touch_log", verbose_name=_("lead"))
    source = models.CharField(_("source"), max_length=12, choices=Lead.Source.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("repeat enquiry")
        verbose_name_plural = _("repeat enquiries")

    def __str__(self) -> str:
        return f"{self.lead} · {self.get_source_display()}"


# An offer can be answered within minutes (a hotline lead) or up to a month (a project); weights are points.
MIN_ACCEPT_MINUTES = 5
MAX_ACCEPT_MINUTES = 30 * 24 * 60
MAX_WEIGHT = 100


class AssignmentRule(models.Model):
    """How candidates are ranked for leads in a region subtree and/or product line (the most
    specific matching rule wins; ties go to the lower priority number)."""

    class Strategy(models.TextChoices):
        WEIGHTED = "weighted", _("weighted")
        ROUND_ROBIN = "round_robin", _("round robin")
        MANUAL = "manual", _("manual")

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "dealers.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Applies to leads in this region and everything inside it; empty for everywhere."),
    )
    product_line = models.ForeignKey(
        "orders.ProductLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product line"),
    )
    strategy = models.CharField(_("strategy"), max_length=12, choices=Strategy.choices, default=Strategy.WEIGHTED)
    accept_minutes = models.PositiveIntegerField(_("minutes to accept"), default=24 * 60)
    weight_tier = models.PositiveSmallIntegerField(_("weight of tier"), default=30)
    weight_distance = models.PositiveSmallIntegerField(_("weight of distance"), default=30)
    weight_load = models.PositiveSmallIntegerField(_("weight of current load"), default=20)
    weight_fairness = models.PositiveSmallIntegerField(_("weight of time since last lead"), default=20)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "name"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        indexes = [
            models.Index(fields=["priority"], name="rule_priority_idx"),
            models.Index(fields=["name"], name="rule_name_idx"),
        ]
        permissions = [("manage_lead_routing", _("Can manage assignment rules, lead sources and routing"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(accept_minutes__gte=MIN_ACCEPT_MINUTES, accept_minutes__lte=MAX_ACCEPT_MINUTES),
                name="rule_accept_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    weight_tier__lte=MAX_WEIGHT,
                    weight_distance__lte=MAX_WEIGHT,
                    weight_load__lte=MAX_WEIGHT,
                    weight_fairness__lte=MAX_WEIGHT,
                ),
                name="rule_weights_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One offer of a lead to one dealer, and what became of it."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN = (Status.OFFERED, Status.ACCEPTED)

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("lead"))
    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.PROTECT, related_name="lead_assignments", verbose_name=_("dealer")
    )
    rule = models.ForeignKey(
        AssignmentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OFFERED, db_index=True)
    deadline = models.DateTimeField(_("accept by"), db_index=True)
    decision = models.JSONField(_("why this dealer"), default=dict, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    override_reason = models.CharField(_("override reason"), max_length=500, blank=True)
    response_reason = models.CharField(_("reason"), max_length=500, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True, db_index=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded to follow up"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the owner"), null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status__in=["offered", "accepted"]), name="lead_one_open_assignment"
            )
        ]
        indexes = [
            # Each dealer's open leads (its load against its capacity), read without visiting closed offers.
            models.Index(
                fields=["dealer", "lead"],
                condition=Q(status__in=["offered", "accepted"]),
                name="assignment_open_load_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead} → {self.dealer}"


class FollowUp(models.Model):
    """A dealer's logged contact with the customer of a lead it accepted (跟进)."""

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        VISIT = "visit", _("visit")
        QUOTE = "quote", _("quote")
        NOTE = "note", _("note")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("lead"))
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.lead} · {self.get_kind_display()}"


class DealRegistration(models.Model):
    """A dealer's own opportunity (报备), which head office may protect for the dealer for a period."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        EXPIRED = "expired", _("expired")

    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.PROTECT, related_name="deal_registrations", verbose_name=_("dealer")
    )
    customer_company = models.CharField(_("customer company"), max_length=200)
    customer_key = models.CharField(_("company key"), max_length=200, editable=False, db_index=True)
    customer_uscc = models.CharField(_("customer's unified social credit code"), max_length=18, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=32, blank=True)
    product_line = models.ForeignKey(
        "orders.ProductLine", on_delete=models.PROTECT, related_name="+", verbose_name=_("product line")
    )
    expected_value = money_field(_("expected value"))
    expected_close_on = models.DateField(_("expected close date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    clashes = models.JSONField(_("clashes"), default=list, blank=True)
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    decision_reason = models.CharField(_("decision reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        indexes = [
            models.Index(fields=["customer_company"], name="registration_customer_idx"),
            models.Index(fields=["expected_close_on"], name="registration_close_idx"),
            models.Index(fields=["created_at"], name="registration_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_key"], condition=Q(status="approved"), name="deal_registration_one_protection"
            )
        ]

    def __str__(self) -> str:
        return f"R{self.pk:06d} {self.customer_company}" if self.pk else self.customer_company


def lead_import_path(lead_import, filename: str) -> str:
    # The stored name never reuses the uploaded one: it is only shown, never trusted.
    import uuid

    return f"lead-imports/{uuid.uuid4().hex}"


class LeadImport(models.Model):
    """A CSV or Excel file of leads uploaded by head office and taken in by the worker, row by row."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    FINISHED = (Status.DONE, Status.FAILED)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(_("file"), upload_to=lead_import_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_size = models.PositiveIntegerField(_("size in bytes"))
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("leads created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("repeat enquiries"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"row": spreadsheet row number, "column": column label, "message": ...}], in the uploader's language.
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    failure = models.CharField(_("why it failed"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")), name="lead_import_processed_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"I{self.pk:05d} {self.file_name}" if self.pk else self.file_name

    @property
    def number(self) -> str:
        return f"I{self.pk:05d}" if self.pk else ""

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED
