"""factory-boy factories that keep relations consistent (dealer users carry a dealer, HQ users none;
a dealer's region is a real city from the seeded tree)."""

import factory
from django.contrib.auth import get_user_model

from dealers.models import Dealer, Region
from dealers.regions import load_regions
from dealers.validators import uscc_check_char
from dms.accounts.models import DEALER_ROLES, Role

PASSWORD = "correct-horse-battery-9"


def make_uscc(n: int) -> str:
    """A valid unified social credit code, different for every n."""
    first17 = f"91330100{n:09d}"
    return first17 + uscc_check_char(first17)


def region(code: str) -> Region:
    """A region of the seeded tree. Transactional tests flush the tables the data migration filled,
    so the tree is loaded again when it is missing."""
    if not Region.objects.exists():
        load_regions(Region)
    return Region.objects.get(code=code)


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试经销商{n}")
    legal_name = factory.LazyAttribute(lambda d: f"{d.name}有限公司")
    uscc = factory.Sequence(make_uscc)
    status = Dealer.Status.ACTIVE
    tier = Dealer.Tier.B
    region = factory.LazyFunction(lambda: region("330100"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.HQ_STAFF
    dealer = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role in DEALER_ROLES), factory.SubFactory(DealerFactory), None
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def pdf_bytes(text: str = "licence") -> bytes:
    """A small but well-formed PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + f"% {text}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes(size=(8, 8), color=(200, 30, 30)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def document_type(code: str):
    """A default document type; transactional tests flush what the data migration created."""
    from dealers.documents import ensure_default_types
    from dealers.models import DocumentType

    if not DocumentType.objects.exists():
        ensure_default_types(DocumentType)
    return DocumentType.objects.get(code=code)


def application_data(n: int = 1, **overrides) -> dict:
    """Everything a company fills in on the application form."""
    data = {
        "company_name": f"申请公司{n}",
        "legal_name": f"申请公司{n}有限公司",
        "uscc": make_uscc(500000 + n),
        "registered_capital": "500.00",
        "founded_year": 2012,
        "regions_wanted": [region("330100")],
        "product_lines_wanted": "厨房电器、小家电",
        "warehouse_area": 800,
        "sales_team_size": 12,
        "years_in_industry": 8,
        "current_brands": "美的",
        "channels": "线下门店、天猫",
        "annual_revenue_band": "20m-100m",
        "contact_name": "赵敏",
        "contact_phone": "13912345678",
        "contact_email": f"apply{n}@example.cn",
    }
    data.update(overrides)
    return data


def criteria():
    from dealers.models import SelectionCriterion
    from dealers.scorecard import ensure_default_criteria

    if not SelectionCriterion.objects.exists():
        ensure_default_criteria(SelectionCriterion)
    return list(SelectionCriterion.objects.all())
