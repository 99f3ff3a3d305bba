"""The public enquiry page: a visitor's enquiry becomes a lead routed to the dealer serving them."""

import pytest
from django.urls import reverse

from dealers.validators import PHONE_MESSAGE
from leads import services
from leads.models import Assignment, Lead, LeadTouch
from tests.factories import region
from tests.factories.orders import ProductLineFactory, authorize
from tests.platform.field_errors import field_errors, field_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(dealer_one):
    made = ProductLineFactory(code="ac", name="空调", name_en="Air conditioning")
    authorize(dealer_one, made)
    dealer_one.served_regions.set([region("330100")])
    return made


def enquiry(line, **overrides):
    return {
        "contact_name": "王先生",
        "phone": "138 0013 8000",
        "email": "",
        "company": "杭州某某科技有限公司",
        "region": region("330100").pk,
        "address": "西湖区文三路 1 号",
        "product_line": line.pk,
        "message": "想了解商用空调",
        "consent": "on",
        "website": "",
        **overrides,
    }


def test_an_enquiry_becomes_a_lead_for_the_dealer_serving_the_region(client, line, dealer_one):
    page = client.get(reverse("enquiry:form"))
    assert page.status_code == 200
    assert line.name in page.content.decode()

    response = client.post(reverse("enquiry:form"), enquiry(line))

    assert response.status_code == 302
    assert response["Location"] == reverse("enquiry:thanks")
    lead = Lead.objects.get()
    assert (lead.source, lead.phone, lead.consent) == ("web", "13800138000", True)
    assert lead.consent_at is not None and lead.consent_purpose
    services.leads_assign()
    assert lead.assignments.get(status=Assignment.Status.OFFERED).dealer == dealer_one


def test_a_known_customer_gets_the_same_thanks_and_no_second_lead(client, line):
    first = client.post(reverse("enquiry:form"), enquiry(line), follow=True)
    again = client.post(reverse("enquiry:form"), enquiry(line, message="再问一次"), follow=True)
    assert again.redirect_chain == first.redirect_chain == [(reverse("enquiry:thanks"), 302)]
    assert Lead.objects.count() == 1
    assert LeadTouch.objects.get().message == "再问一次"


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_is_stored(client, line):
    response = client.post(reverse("enquiry:form"), enquiry(line, website="http://spam.example"))
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_more_enquiries_than_allowed_from_one_address_are_refused(client, line, settings):
    settings.DMS_ENQUIRY_RATE_PER_HOUR = 2
    for n in range(2):
        assert (
            client.post(reverse("enquiry:form"), enquiry(line, phone=f"1390000000{n}", company=f"公司{n}")).status_code
            == 302
        )
    refused = client.post(
        reverse("enquiry:form"), enquiry(line, phone="13900000009", company="公司9"), HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert refused.status_code == 429
    assert Lead.objects.count() == 2


def test_a_bad_phone_number_is_explained_on_the_page(client, line):
    response = client.post(reverse("enquiry:form"), enquiry(line, phone="12345"))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not Lead.objects.exists()


def test_without_consent_the_enquiry_is_not_sent(client, line):
    data = enquiry(line)
    del data["consent"]
    response = client.post(reverse("enquiry:form"), data)
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not Lead.objects.exists()


def test_the_page_speaks_english_too(client, line):
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("enquiry:form"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Product enquiry" in page.content.decode()


def test_a_bad_phone_comes_with_the_other_errors_at_once(client, line):
    response = client.post(reverse("enquiry:form"), enquiry(line, phone="12345", contact_name="", consent=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone", "contact_name", "consent"}
    assert field_errors(page, "id_phone") == [str(PHONE_MESSAGE)]
    assert field_value(page, "id_phone") == "12345" and field_value(page, "id_company") == "杭州某某科技有限公司"
    assert not Lead.objects.exists()
