"""Regions, dealers and their contacts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealers.validators import validate_phone, validate_uscc
from dms.validators import validate_code


def in_reader_language(chinese: str, english: str) -> str:
    """Chinese, or the English text in the English interface when there is one."""
    from django.utils.translation import get_language

    return english if english and (get_language() or "").startswith("en") else chinese


class Region(models.Model):
    """A node of the administrative tree (country → province → city → district), GB/T 2260 coded."""

    class Level(models.TextChoices):
        COUNTRY = "country", _("Country")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")

    code = models.CharField(_("code"), max_length=12, unique=True, validators=[validate_code])
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Codes from the root down, "CN/330000/330100/": a subtree is one indexed prefix match.
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    assigned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="regions", verbose_name=_("assigned staff")
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                name="region_root_is_country",
                condition=Q(parent__isnull=True, level="country") | Q(parent__isnull=False) & ~Q(level="country"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        return in_reader_language(self.name, self.name_en)

    @property
    def choice_label(self) -> str:
        """How a region is offered for choosing: with its province below province level, in the reader's
        language (the parent must be selected with the region)."""
        if self.parent and self.level not in (self.Level.PROVINCE, self.Level.COUNTRY):
            return f"{self.parent.local_name} · {self.local_name}"
        return self.local_name


class Dealer(models.Model):
    """A company that buys from the brand and resells in its territory."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", pgettext_lazy("dealer status", "Prospect")
        ONBOARDING = "onboarding", pgettext_lazy("dealer status", "Onboarding")
        ACTIVE = "active", pgettext_lazy("dealer status", "Active")
        PROBATION = "probation", pgettext_lazy("dealer status", "Probation")
        SUSPENDED = "suspended", pgettext_lazy("dealer status", "Suspended")
        TERMINATED = "terminated", pgettext_lazy("dealer status", "Terminated")

    class Tier(models.TextChoices):
        A = "A", _("A · Strategic")
        B = "B", _("B · Key")
        C = "C", _("C · Standard")
        D = "D", _("D · Developing")

    code = models.CharField(_("dealer code"), max_length=20, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROSPECT)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, default=Tier.C)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="home_dealers", verbose_name=_("home region")
    )
    served_regions = models.ManyToManyField(
        Region, blank=True, related_name="served_by", verbose_name=_("served regions")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_dealers",
        verbose_name=_("owner"),
        help_text=_("The channel manager or sales rep responsible for this dealer."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    lead_capacity = models.PositiveSmallIntegerField(_("capacity for open leads"), default=20)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "tier"], name="dealer_status_tier_idx"),
            models.Index(fields=["name"], name="dealer_name_idx"),
            models.Index(fields=["tier"], name="dealer_tier_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="dealer_coordinates_in_range",
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def dealer_id(self) -> int:
        """A dealer concerns itself: events about it are scoped to it."""
        return self.pk


class DealerContact(models.Model):
    """A person at the dealer the brand talks to."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("dealer"))
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dealer"], condition=Q(is_primary=True), name="dealer_one_primary_contact")
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.dealer.name}"


class DocumentType(models.Model):
    """A kind of qualification document (licence, authorisation letter…); which are mandatory is configurable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    is_mandatory = models.BooleanField(_("mandatory"), default=False)
    requires_expiry = models.BooleanField(_("has an expiry date"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name, self.name_en)


def document_upload_path(document, filename: str) -> str:
    # The stored name never reuses the uploaded one: it is only shown, never trusted.
    import uuid

    return f"dealer-documents/{document.dealer_id}/{uuid.uuid4().hex}"


class QualificationDocument(models.Model):
    """One uploaded proof that a dealer may trade (资质), verified or rejected by HQ."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="documents", verbose_name=_("dealer"))
    doc_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="documents", verbose_name=_("document type")
    )
    file = models.FileField(_("file"), upload_to=document_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(pgettext_lazy("file", "content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    # Expiry reminders already sent (days before expiry: 30, 7, 0), so each goes out once.
    expiry_notices = models.JSONField(_("expiry reminders sent"), default=list, blank=True)

    class Meta:
        verbose_name = _("qualification document")
        verbose_name_plural = _("qualification documents")
        ordering = ["doc_type__position", "-uploaded_at"]
        indexes = [
            models.Index(fields=["status", "expires_on"], name="document_status_expiry_idx"),
            # The review queue: documents of one status, the oldest first.
            models.Index(fields=["status", "uploaded_at", "id"], name="document_status_uploaded_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "doc_type", "sha256"],
                condition=~Q(status="rejected"),
                name="document_same_file_once",
            ),
            models.CheckConstraint(
                name="document_expires_after_issue",
                condition=Q(issued_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gte=models.F("issued_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} · {self.dealer.name}"


class SelectionCriterion(models.Model):
    """One line of the selection scorecard (准入评估), with its weight in percent."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(name="criterion_weight_1_100", condition=Q(weight__gte=1, weight__lte=100))
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name, self.name_en)


class DealerApplication(models.Model):
    """A company's request to become a dealer (准入申请), reviewed with the selection scorecard."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        NEEDS_INFO = "needs_info", _("Needs information")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        PUBLIC = "public", _("Public form")
        API = "api", _("API")
        HQ = "hq", _("Entered by head office")

    class RevenueBand(models.TextChoices):
        UNDER_5M = "lt5m", _("Under ¥5 million")
        FROM_5M = "5m-20m", _("¥5–20 million")
        FROM_20M = "20m-100m", _("¥20–100 million")
        OVER_100M = "gt100m", _("Over ¥100 million")

    OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.NEEDS_INFO)

    company_name = models.CharField(_("company"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, db_index=True, validators=[validate_uscc])
    registered_capital = models.DecimalField(_("registered capital (¥10,000)"), max_digits=14, decimal_places=2)
    founded_year = models.PositiveSmallIntegerField(_("founded in"))
    regions_wanted = models.ManyToManyField(Region, related_name="applications", verbose_name=_("regions wanted"))
    product_lines_wanted = models.CharField(_("product lines wanted"), max_length=300)
    warehouse_area = models.PositiveIntegerField(_("warehouse area (m²)"), default=0)
    sales_team_size = models.PositiveIntegerField(_("sales team size"), default=0)
    years_in_industry = models.PositiveSmallIntegerField(_("years in the industry"), default=0)
    current_brands = models.CharField(_("brands carried now"), max_length=300, blank=True)
    channels = models.CharField(_("sales channels"), max_length=300, blank=True)
    annual_revenue_band = models.CharField(_("annual revenue"), max_length=10, choices=RevenueBand.choices)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32, validators=[validate_phone])
    contact_email = models.EmailField(_("contact email"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PUBLIC)
    info_request = models.TextField(_("information requested"), blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    dealer = models.OneToOneField(
        Dealer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("dealer created"),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("dealer application")
        verbose_name_plural = _("dealer applications")
        indexes = [
            models.Index(fields=["company_name"], name="application_company_idx"),
            models.Index(fields=["status"], name="application_status_idx"),
            models.Index(fields=["submitted_at"], name="application_submitted_idx"),
        ]
        ordering = ["-submitted_at"]
        constraints = [
            # At most one open application per company: the database backs the duplicate check.
            models.UniqueConstraint(
                fields=["uscc"],
                condition=Q(status__in=["submitted", "under_review", "needs_info"]),
                name="application_one_open_per_uscc",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.company_name}"

    @property
    def number(self) -> str:
        return f"AP{self.pk:06d}" if self.pk else ""


class ApplicationScore(models.Model):
    """One reviewer's score (1–5) for one criterion of one application."""

    application = models.ForeignKey(
        DealerApplication, on_delete=models.CASCADE, related_name="scores", verbose_name=_("application")
    )
    criterion = models.ForeignKey(
        SelectionCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reviewer")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    scored_at = models.DateTimeField(_("scored"), auto_now=True)

    class Meta:
        verbose_name = _("application score")
        verbose_name_plural = _("application scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion", "reviewer"], name="score_once_per_reviewer"),
            models.CheckConstraint(name="score_1_to_5", condition=Q(score__gte=1, score__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} · {self.criterion} · {self.score}"
