import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dealers.models import Dealer
from dealers.validators import PHONE_MESSAGE
from tests.factories import DealerFactory, make_uscc, region
from tests.platform.field_errors import field_errors, field_value
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db


def test_list_filters_by_status_tier_region_and_search(client_as, hq_admin):
    hz = DealerFactory(name="杭州恒达", region=region("330106"), tier="A")
    DealerFactory(name="广州永盛", region=region("440100"), status=Dealer.Status.PROBATION)
    client = client_as(hq_admin)
    assert list(client.get(reverse("dealers:list"), {"region": "330000"}).context["dealers"]) == [hz]
    assert list(client.get(reverse("dealers:list"), {"tier": "A"}).context["dealers"]) == [hz]
    assert [d.name for d in client.get(reverse("dealers:list"), {"status": "probation"}).context["dealers"]] == [
        "广州永盛"
    ]
    assert list(client.get(reverse("dealers:list"), {"q": hz.uscc.lower()}).context["dealers"]) == [hz]


def test_exports_carry_the_filtered_list(client_as, hq_admin):
    DealerFactory(name="杭州恒达", region=region("330100"))
    DealerFactory(name="广州永盛", region=region("440100"))
    client = client_as(hq_admin)
    response = client.get(reverse("dealers:list"), {"region": "440000", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "广州永盛" and rows[1][6] == "广东省"
    response = client.get(reverse("dealers:list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3


def test_rep_sees_only_their_territory_and_others_are_not_found(client_as, hq_admin, sales_rep):
    from dms.accounts.services import user_update

    user_update(actor=hq_admin, user=sales_rep, regions=[region("330100")])
    mine = DealerFactory(region=region("330100"))
    theirs = DealerFactory(region=region("440100"))
    client = client_as(sales_rep)
    assert list(client.get(reverse("dealers:list")).context["dealers"]) == [mine]
    assert client.get(reverse("dealers:detail", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("dealers:change_tier", args=[theirs.pk]), {"tier": "A", "reason": "x"}).status_code == 404
    )


def test_create_from_the_console(client_as, hq_admin):
    response = client_as(hq_admin).post(
        reverse("dealers:create"),
        {
            "name": "苏州嘉禾",
            "legal_name": "苏州嘉禾实业有限公司",
            "uscc": make_uscc(42),
            "region": region("320500").pk,
            "tier": "B",
            "status": "prospect",
            "payment_terms_days": 30,
            "lead_capacity": 20,
        },
    )
    dealer = Dealer.objects.get(name="苏州嘉禾")
    assert response.status_code == 302 and response["Location"] == reverse("dealers:detail", args=[dealer.pk])


def test_a_bad_uscc_is_shown_next_to_the_field(client_as, hq_admin):
    response = client_as(hq_admin).post(
        reverse("dealers:create"),
        {
            "name": "x",
            "legal_name": "x",
            "uscc": "91330100ABC",
            "region": region("320500").pk,
            "tier": "B",
            "status": "prospect",
            "payment_terms_days": 30,
            "lead_capacity": 20,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["uscc"]
    assert not Dealer.objects.exists()


def test_status_change_from_the_detail_page(client_as, hq_admin, dealer_admin):
    client = client_as(hq_admin)
    dealer = dealer_admin.dealer
    client.post(reverse("dealers:change_status", args=[dealer.pk]), {"status": "suspended", "reason": "窜货"})
    dealer.refresh_from_db()
    assert dealer.status == "suspended"
    page = client.get(reverse("dealers:detail", args=[dealer.pk])).content.decode()
    assert "窜货" in page


def test_an_illegal_move_is_a_message_not_an_error(client_as, hq_admin, dealer_admin):
    dealer = dealer_admin.dealer
    response = client_as(hq_admin).post(
        reverse("dealers:change_status", args=[dealer.pk]), {"status": "prospect", "reason": "x"}, follow=True
    )
    assert response.status_code == 200
    dealer.refresh_from_db()
    assert dealer.status == "active"


@pytest.mark.parametrize("url", ["/hq/dealers/", "/api/v1/dealers/"])
def test_dealer_list_query_count_is_flat(client_as, hq_admin, url):
    def add(n):
        for _ in range(n):
            DealerFactory()

    count = assert_flat_query_count(client_as(hq_admin), url, add)
    assert count <= 12


def test_a_contact_with_a_bad_phone_and_no_name_shows_both_errors_beside_their_fields(client_as, hq_admin):
    dealer = DealerFactory()
    response = client_as(hq_admin).post(
        reverse("dealers:contact_add", args=[dealer.pk]), {"name": "", "title": "采购经理", "phone": "12345"}
    )
    page = response.content.decode()
    assert response.status_code == 422 and not list(response.context["messages"])
    assert field_errors(page, "contact-name") == ["该字段是必填项。"]
    assert field_errors(page, "contact-phone") == [str(PHONE_MESSAGE)]
    assert (field_value(page, "contact-title"), field_value(page, "contact-phone")) == ("采购经理", "12345")
    assert "<details open>" in page
    assert not dealer.contacts.exists()


def test_a_status_change_without_a_reason_keeps_the_choice_and_says_so_beside_the_reason(client_as, hq_admin):
    dealer = DealerFactory(status="active")
    response = client_as(hq_admin).post(reverse("dealers:change_status", args=[dealer.pk]), {"status": "suspended"})
    page = response.content.decode()
    assert response.status_code == 422
    assert field_errors(page, "status-reason") == ["该字段是必填项。"]
    assert field_value(page, "status-status") == "suspended"
    assert 'class="collapse mb-3 show" id="status-change"' in page
    dealer.refresh_from_db()
    assert dealer.status == "active"


def test_a_bad_uscc_comes_with_the_other_errors_of_the_dealer_form(client_as, hq_admin):
    response = client_as(hq_admin).post(
        reverse("dealers:create"),
        {"name": "", "legal_name": "苏州嘉禾实业有限公司", "uscc": "91330100ABC", "region": region("320500").pk},
    )
    errors = response.context["form"].errors
    assert response.status_code == 200 and {"name", "uscc", "tier", "payment_terms_days"} <= set(errors)
    assert field_value(response.content.decode(), "id_uscc") == "91330100ABC"
