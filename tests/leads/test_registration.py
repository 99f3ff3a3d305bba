"""Deal registration (报备): the clash check, protection against other dealers, routing to the
protecting dealer, and the end of protection."""

import datetime

import pytest
from django.utils import timezone

from dms.errors import RuleViolation
from leads import services
from leads.models import DealRegistration, Lead
from tests.factories import region
from tests.factories.leads import company_phone
from tests.factories.orders import ProductLineFactory, authorize

pytestmark = pytest.mark.django_db
R = DealRegistration.Status


@pytest.fixture
def line(dealer_one, dealer_two):
    made = ProductLineFactory(code="ac")
    for dealer in (dealer_one, dealer_two):
        authorize(dealer, made)
        dealer.served_regions.set([region("330100")])
    return made


def register(user, line, company="杭州美居装饰有限公司", **kwargs):
    return services.registration_submit(
        actor=user,
        product_line=line,
        customer_company=company,
        customer_phone=kwargs.pop("customer_phone", "" if kwargs.get("customer_uscc") else company_phone(company)),
        expected_value="50000",
        expected_close_on=timezone.localdate() + datetime.timedelta(days=30),
        **kwargs,
    )


def test_head_office_sees_the_clash_with_an_open_lead_and_another_registration(line, dealer_admin, other_dealer_admin):
    lead, _created = services.lead_create(
        actor=None,
        source="web",
        contact_name="王",
        phone="13800138000",
        company="杭州美居装饰",
        region=region("330106"),
        product_line=line,
    )
    first = register(other_dealer_admin, line)
    second = register(dealer_admin, line, company="杭州 美居装饰 有限公司")
    kinds = sorted((c["kind"], c["id"]) for c in second.clashes)
    assert kinds == [("lead", lead.pk), ("registration", first.pk)]


def test_an_approved_registration_protects_the_customer_from_other_dealers(
    line, dealer_admin, other_dealer_admin, hq_admin
):
    services.registration_approve(actor=hq_admin, registration=register(dealer_admin, line))
    with pytest.raises(RuleViolation) as exc:
        register(other_dealer_admin, line, company="杭州美居装饰")
    assert exc.value.code == "customer_protected"
    register(dealer_admin, line)  # the protected dealer may register more of its own


def test_only_one_dealer_can_be_protected_for_a_customer(line, dealer_admin, other_dealer_admin, hq_admin):
    mine, theirs = register(dealer_admin, line), register(other_dealer_admin, line)
    services.registration_approve(actor=hq_admin, registration=mine)
    with pytest.raises(RuleViolation):
        services.registration_approve(actor=hq_admin, registration=theirs)


def test_a_new_lead_from_a_protected_customer_goes_to_the_protecting_dealer(
    line, dealer_two, other_dealer_admin, hq_admin
):
    dealer_two.tier = "D"
    dealer_two.save()
    services.registration_approve(actor=hq_admin, registration=register(other_dealer_admin, line))
    lead, _created = services.lead_create(
        actor=None,
        source="web",
        contact_name="王",
        email="wang@meiju.example",
        company="杭州美居装饰有限公司",
        region=region("330106"),
        product_line=line,
    )
    services.leads_assign()
    assignment = lead.assignments.get()
    assert assignment.dealer == dealer_two
    assert assignment.decision["candidates"][0]["protected_by"]


def test_protection_ends_on_its_date(line, dealer_admin, other_dealer_admin, hq_admin, settings):
    settings.DMS_DEAL_PROTECTION_DAYS = 10
    registration = services.registration_approve(actor=hq_admin, registration=register(dealer_admin, line))
    assert services.registrations_expire(today=timezone.localdate() + datetime.timedelta(days=10)) == 0
    assert services.registrations_expire(today=timezone.localdate() + datetime.timedelta(days=11)) == 1
    registration.refresh_from_db()
    assert registration.status == R.EXPIRED
    with pytest.raises(RuleViolation):
        services.registration_reject(actor=hq_admin, registration=register(other_dealer_admin, line), reason=" ")
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        ({"customer_phone": "", "customer_uscc": ""}, "customer_id_required"),
        ({"customer_uscc": "91330100"}, "invalid_uscc"),
    ],
)
def test_the_customer_is_identified_by_a_valid_credit_code_or_a_phone(line, dealer_admin, identity, code):
    with pytest.raises(RuleViolation) as refused:
        register(dealer_admin, line, **identity)
    assert refused.value.code == code
    assert not DealRegistration.objects.exists()
