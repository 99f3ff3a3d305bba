"""Head office's lead desk as its users see it: the list with filters and exports, the unassigned queue,
the lead page with its routing decision and timeline, manual entry and assignment, the funnel and deal
registrations; who is refused, and what each page costs in queries."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dms.accounts.models import Role
from leads import services
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead, LeadTouch
from leads.views import hq as hq_views
from tests.factories import DealerFactory, UserFactory, region
from tests.factories.leads import company_phone
from tests.factories.orders import ProductLineFactory, authorize
from tests.leads.test_reports import tell_story
from tests.platform.field_errors import field_errors, field_value
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db
A, L, R = Assignment.Status, Lead.Status, DealRegistration.Status


@pytest.fixture
def en_client():
    """A browser that asks for English, signed in as ``user``."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def line(dealer_one, dealer_two):
    """Air conditioning: dealer 1 sells it around 杭州, dealer 2 around 广州."""
    made = ProductLineFactory(code="ac", name="空调", name_en="Air conditioning")
    authorize(dealer_one, made)
    authorize(dealer_two, made)
    dealer_one.served_regions.set([region("330100")])
    dealer_two.served_regions.set([region("440100")])
    return made


@pytest.fixture
def canton_staff(db):
    """A head-office user who covers 广东 only."""
    user = UserFactory(username="canton", role=Role.HQ_STAFF)
    user.regions.set([region("440000")])
    return user


def take(line, where="330106", n=1, source="web", **kwargs):
    values = {"phone": f"1380000{n:04d}", "contact_name": f"客户{n}", **kwargs}
    lead, _created = services.lead_create(actor=None, source=source, region=region(where), product_line=line, **values)
    return lead


def routed(line, where="330106", n=1, **kwargs):
    lead = take(line, where, n, **kwargs)
    services.leads_assign()
    lead.refresh_from_db()
    return lead


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def holder_code(lead) -> str | None:
    found = lead.assignments.filter(status__in=Assignment.OPEN).select_related("dealer").first()
    return found.dealer.code if found else None


# Who may come in ---------------------------------------------------------------------------------

PAGES = ["leads:list", "leads:unassigned", "leads:create", "leads:funnel", "leads:registrations"]


@pytest.mark.parametrize("name", PAGES)
def test_head_office_opens_every_page_and_dealers_are_refused(client_as, hq_staff, dealer_admin, name):
    assert client_as(hq_staff).get(reverse(name)).status_code == 200
    assert client_as(dealer_admin).get(reverse(name)).status_code == 403


def test_dealers_cannot_open_a_lead_or_act_on_it(client_as, line, dealer_admin):
    lead = routed(line)
    client = client_as(dealer_admin)
    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 403
    assert client.post(reverse("leads:assign", args=[lead.pk]), {"dealer": dealer_admin.dealer_id}).status_code == 403


# The list -------------------------------------------------------------------------------------------


def test_the_list_shows_what_the_desk_needs(en_client, hq_staff, line, dealer_one):
    lead = routed(line, company="杭州美居装饰", source="hotline")
    page = en_client(hq_staff).get(reverse("leads:list")).content.decode()
    deadline = timezone.localtime(lead.assignments.get().deadline)
    assert lead.number in page and "客户1" in page and "杭州美居装饰" in page
    assert "Xihu District" in page and "Air conditioning" in page and "hotline" in page
    assert 'data-status="assigned"' in page and dealer_one.name in page
    assert deadline.strftime("%m-%d %H:%M") in page
    assert ">Either<" in page  # the SLA filter's empty choice


def test_list_filters(client_as, hq_staff, line, dealer_one, dealer_two, dealer_admin):
    hangzhou = routed(line, "330106", 1, company="西湖茶社", source="hotline")
    canton = routed(line, "440100", 2, source="exhibition")
    stray = routed(ProductLineFactory(code="boiler"), "330106", 3)
    client = client_as(hq_staff)

    def listed(**params):
        return {lead.pk for lead in client.get(reverse("leads:list"), params).context["leads"]}

    everyone = {hangzhou.pk, canton.pk, stray.pk}
    assert listed() == everyone
    assert listed(status="unassigned") == {stray.pk}
    assert listed(source=["hotline", "exhibition"]) == {hangzhou.pk, canton.pk}
    assert listed(region="440000") == {canton.pk}
    assert listed(product_line="boiler") == {stray.pk}
    assert listed(dealer=dealer_two.pk) == {canton.pk}
    assert listed(q="西湖茶") == {hangzhou.pk}
    assert listed(q="138 0000 0002") == {canton.pk}
    assert listed(q=stray.number) == {stray.pk}
    today = timezone.localdate()
    assert listed(created_from=today.isoformat(), created_to=today.isoformat()) == everyone
    assert listed(created_to=(today - datetime.timedelta(days=1)).isoformat()) == set()
    assert listed(sla_breached="true") == set()
    services.assignments_recall_expired(now=timezone.now() + datetime.timedelta(days=3))
    assert listed(sla_breached="true") == {hangzhou.pk, canton.pk}
    assert listed(sla_breached="false") == {stray.pk}


def test_a_bad_filter_shows_the_whole_list_instead_of_failing(client_as, hq_staff, line):
    routed(line)
    response = client_as(hq_staff).get(reverse("leads:list"), {"dealer": "abc", "created_from": "nope"})
    assert response.status_code == 200 and len(response.context["leads"]) == 1


def test_the_exports_carry_the_filtered_leads_with_contacts(en_client, hq_staff, line, dealer_two):
    hangzhou = routed(line, "330106", 1)
    canton = routed(line, "440100", 2, email="li@example.cn", company="=cmd|' /C calc'!A0")
    client = en_client(hq_staff)
    response = client.get(reverse("leads:list"), {"region": "440000", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Lead number", "Created", "Contact name", "Phone"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Lead number"], row["Phone"], row["Email"]) == (canton.number, "13800000002", "li@example.cn")
    assert row["Company"].startswith("'=")
    assert (row["Region code"], row["Status"], row["Dealer code"]) == ("440100", "assigned", dealer_two.code)
    response = client.get(reverse("leads:list"), {"status": "assigned", "export": "xlsx"})
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[0] for row in values[1:]] == [canton.number, hangzhou.number]


def test_a_regional_user_sees_only_their_region(client_as, canton_staff, line):
    hangzhou = routed(line, "330106", 1)
    canton = routed(line, "440100", 2)
    client = client_as(canton_staff)
    assert [lead.pk for lead in client.get(reverse("leads:list")).context["leads"]] == [canton.pk]
    assert client.get(reverse("leads:detail", args=[hangzhou.pk])).status_code == 404
    assert client.get(reverse("leads:detail", args=[canton.pk])).status_code == 200
    response = client.get(reverse("leads:list"), {"export": "csv"})
    assert hangzhou.number not in response.content.decode("utf-8-sig")


# The unassigned queue -------------------------------------------------------------------------------


@pytest.fixture
def waiting(line, dealer_one, dealer_two):
    """A lead from 宁波, where nobody serves: unassigned, though both dealers may sell air conditioning there."""
    lead = routed(line, "330200", 9)
    assert lead.status == L.UNASSIGNED
    return lead


def test_the_queue_shows_the_reason_the_age_and_the_dealers_to_choose(en_client, hq_staff, waiting, dealer_one):
    outsider = DealerFactory(code="NOAUTH")
    page = en_client(hq_staff).get(reverse("leads:unassigned")).content.decode()
    assert waiting.number in page
    assert "No active dealer authorised for this product line serves this region" in page
    assert "waiting for 0" in page
    assert f"{dealer_one.code} {dealer_one.name} · 0/20" in page
    assert outsider.code not in page


def test_assigning_from_the_queue_gives_the_lead_and_comes_back(client_as, hq_staff, waiting, dealer_one):
    queue = reverse("leads:unassigned")
    response = client_as(hq_staff).post(
        reverse("leads:assign", args=[waiting.pk]), {"dealer": dealer_one.pk, "next": queue}, follow=True
    )
    assert response.redirect_chain[-1][0] == queue
    assert any(waiting.number in m and dealer_one.name in m for m in messages_of(response))
    waiting.refresh_from_db()
    assert (waiting.status, holder_code(waiting)) == (L.ASSIGNED, dealer_one.code)
    assert waiting.assignments.get().assigned_by == hq_staff
    assert f'data-lead="{waiting.pk}"' not in response.content.decode()


def test_a_full_dealer_needs_a_reason(en_client, hq_staff, waiting, dealer_one):
    dealer_one.lead_capacity = 1
    dealer_one.save()
    routed(waiting.product_line, "330106", 1)
    client = en_client(hq_staff)
    url = reverse("leads:assign", args=[waiting.pk])
    response = client.post(url, {"dealer": dealer_one.pk})
    page = response.content.decode()
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(page, "id_override_reason") == [
        "The dealer is at its capacity of open leads: give a reason to assign it anyway."
    ]
    assert field_value(page, "id_dealer") == str(dealer_one.pk)
    assert holder_code(waiting) is None
    response = client.post(url, {"dealer": dealer_one.pk, "override_reason": "客户指定"}, follow=True)
    assert holder_code(waiting) == dealer_one.code
    assert waiting.assignments.get().override_reason == "客户指定"


def test_refusals_come_back_as_messages(en_client, hq_staff, canton_staff, waiting, dealer_one):
    unauthorised = DealerFactory(code="NOAUTH")
    client = en_client(hq_staff)
    url = reverse("leads:assign", args=[waiting.pk])
    response = client.post(url, {"dealer": unauthorised.pk}, follow=True)
    assert messages_of(response) == ["The dealer is not authorised for this product line where the lead is."]
    response = client.post(url, {"dealer": ""})
    assert response.status_code == 422 and field_errors(response.content.decode(), "id_dealer") == ["Choose a dealer."]
    response = client.post(url, {"dealer": "", "next": reverse("leads:unassigned")}, follow=True)
    assert messages_of(response) == [f"{waiting.number}: Choose a dealer."]
    # A user who covers 广东 sees neither the 宁波 lead nor dealer 1.
    assert en_client(canton_staff).post(url, {"dealer": dealer_one.pk}).status_code == 404
    assert holder_code(waiting) is None


def test_the_queue_offers_no_form_when_no_dealer_may_take_the_lead(client_as, hq_staff, dealer_one):
    lead = routed(ProductLineFactory(code="boiler"), "330106", 1)
    response = client_as(hq_staff).get(reverse("leads:unassigned"))
    assert 'data-testid="no-dealer"' in response.content.decode()
    assert response.context["items"][0]["lead"] == lead and response.context["items"][0]["dealers"] == []


def test_the_queue_offers_each_lead_the_dealers_authorised_where_it_is(
    client_as, hq_staff, canton_staff, dealer_one, dealer_two, monkeypatch
):
    boiler = ProductLineFactory(code="boiler")
    ningbo, canton = routed(boiler, "330200", 1), routed(boiler, "440100", 2)
    authorize(dealer_one, boiler, regions=[region("330000")])
    authorize(dealer_two, boiler, regions=[region("440000")])
    authorize(DealerFactory(code="D00007"), boiler)
    authorize(
        DealerFactory(code="D00008"),
        boiler,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    authorize(DealerFactory(code="D00009", status="suspended"), boiler)

    def offered(user):
        items = client_as(user).get(reverse("leads:unassigned")).context["items"]
        return {item["lead"].pk: item["dealers"] and [dealer.code for dealer in item["dealers"]] for item in items}

    assert offered(hq_staff) == {ningbo.pk: ["D00001", "D00007"], canton.pk: ["D00002", "D00007"]}
    assert offered(canton_staff) == {canton.pk: ["D00002"]}
    # Past the list's size in 宁波 only: 广州 keeps its list.
    authorize(DealerFactory(code="D00010"), boiler, regions=[region("330200")])
    monkeypatch.setattr(hq_views, "MAX_DEALERS_LISTED", 2)
    assert offered(hq_staff) == {ningbo.pk: None, canton.pk: ["D00002", "D00007"]}


def test_a_lead_with_more_authorised_dealers_than_a_list_holds_finds_them_by_typing(
    en_client, hq_staff, waiting, dealer_one, monkeypatch
):
    monkeypatch.setattr(hq_views, "MAX_DEALERS_LISTED", 1)
    response = en_client(hq_staff).get(reverse("leads:unassigned"))
    page = response.content.decode()
    # Two dealers are authorised, more than the list holds: none is loaded, the field finds them by typing.
    assert response.context["items"][0]["dealers"] is None
    assert 'data-testid="assign-form"' in page and 'data-picker="remote"' in page
    assert f"{dealer_one.code} {dealer_one.name} · 0/20" not in page
    en_client(hq_staff).post(
        reverse("leads:assign", args=[waiting.pk]), {"dealer": dealer_one.pk, "next": reverse("leads:unassigned")}
    )
    assert holder_code(waiting) == dealer_one.code


# The lead page --------------------------------------------------------------------------------------


def test_the_lead_page_explains_the_routing_decision(en_client, hq_staff, line, dealer_one):
    rival = DealerFactory(code="D00009", name="杭州九号", tier="D", region=region("330100"))
    rival.served_regions.set([region("330100")])
    authorize(rival, line)
    lead = routed(line, consent=True, consent_purpose="同意经销商联系我")
    response = en_client(hq_staff).get(reverse("leads:detail", args=[lead.pk]))
    page = response.content.decode()
    decision = response.context["decisions"][0]
    assert [(row["code"], row["winner"]) for row in decision["candidates"]] == [
        (dealer_one.code, True),
        ("D00009", False),
    ]
    winner = lead.assignments.get().decision["candidates"][0]
    assert decision["candidates"][0]["points"] == [
        winner["points"][k] for k in ("tier", "distance", "load", "fairness")
    ]
    assert f"Highest score: {winner['score']} points" in page and "ahead of D00009" in page
    assert "Free capacity" in page and "Time since last lead" in page and "Default" in page
    assert decision["level"].code == "330100"  # the candidates were found among the dealers serving 杭州
    assert "同意经销商联系我" in page
    assert dealer_one.name in page and 'data-testid="current-assignment"' in page


def test_round_robin_and_protection_are_explained(
    en_client, hq_staff, line, dealer_one, dealer_two, other_dealer_admin
):
    rival = DealerFactory(code="D00009", region=region("330100"))
    rival.served_regions.set([region("330100")])
    authorize(rival, line)
    AssignmentRule.objects.create(name="杭州轮流", region=region("330100"), strategy="round_robin")
    client = en_client(hq_staff)
    turn = routed(line, n=1)
    page = client.get(reverse("leads:detail", args=[turn.pk])).content.decode()
    assert "Round robin: it had waited longest for a lead (last one: never)." in page and "杭州轮流" in page
    registration = register(other_dealer_admin, line, company="西湖茶社")
    services.registration_approve(actor=hq_staff, registration=registration)
    protected = routed(line, n=2, company="西湖茶社")
    assert holder_code(protected) == dealer_two.code
    page = client.get(reverse("leads:detail", args=[protected.pk])).content.decode()
    assert f"protected for this dealer by deal registration R{registration.pk:06d}" in page
    assert reverse("leads:registration_detail", args=[registration.pk]) in page


def test_the_timeline_tells_the_whole_story(en_client, hq_staff, dealer_admin, other_dealer_admin):
    story = tell_story(dealer_admin, other_dealer_admin)
    client = en_client(hq_staff)
    won = story.leads[1]
    take(won.product_line, "330106", 1, source="exhibition", message="又来问了", phone="13900000001")
    page = client.get(reverse("leads:detail", args=[won.pk])).content.decode()
    for text in (
        "Received (website)",
        "The customer asked again (exhibition)",
        "又来问了",
        "Offered to",
        "Accepted by",
        "Call by",
        "约了上门",
        "Won: ¥1,000.00",
    ):
        assert text in page, text
    page = client.get(reverse("leads:detail", args=[story.leads[3].pk])).content.decode()
    assert "Declined by" in page and "不做这个区域" in page
    page = client.get(reverse("leads:detail", args=[story.leads[4].pk])).content.decode()
    assert "Not accepted in time" in page
    page = client.get(reverse("leads:detail", args=[story.leads[6].pk])).content.decode()
    assert "was reminded to follow up" in page and "Escalated to the owner" in page


def test_reassigning_from_the_lead_page_withdraws_the_offer(en_client, hq_staff, line, dealer_one, dealer_two):
    lead = routed(line)
    client = en_client(hq_staff)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Reassign by hand" in page and f"{dealer_two.code} {dealer_two.name}" in page
    response = client.post(reverse("leads:assign", args=[lead.pk]), {"dealer": dealer_two.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("leads:detail", args=[lead.pk])
    assert [(a.dealer_id, a.status) for a in lead.assignments.order_by("pk")] == [
        (dealer_one.pk, A.WITHDRAWN),
        (dealer_two.pk, A.OFFERED),
    ]
    page = response.content.decode()
    assert "Assigned by hand by" in page and "Taken back from" in page


def test_a_closed_lead_offers_no_assignment(en_client, hq_staff, dealer_admin, other_dealer_admin):
    story = tell_story(dealer_admin, other_dealer_admin)
    client = en_client(hq_staff)
    response = client.get(reverse("leads:detail", args=[story.leads[1].pk]))
    assert "assign_form" not in response.context
    response = client.post(
        reverse("leads:assign", args=[story.leads[1].pk]), {"dealer": story.guangzhou.pk}, follow=True
    )
    assert messages_of(response) == ["This lead is closed."]
    assert story.leads[1].assignments.count() == 1


# Manual entry ---------------------------------------------------------------------------------------


def entry(line, **overrides):
    return {
        "source": "hotline",
        "contact_name": "孙先生",
        "phone": "138-0013-8000",
        "region": region("330106").pk,
        "product_line": line.pk,
        "consent": "on",
        "consent_purpose": "同意电话回访",
        **overrides,
    }


def test_a_lead_taken_by_phone_opens_its_page(en_client, hq_staff, line):
    response = en_client(hq_staff).post(reverse("leads:create"), entry(line), follow=True)
    lead = Lead.objects.get()
    assert response.redirect_chain[-1][0] == reverse("leads:detail", args=[lead.pk])
    assert (lead.source, lead.phone, lead.region.code, lead.created_by) == (
        "hotline",
        "13800138000",
        "330106",
        hq_staff,
    )
    assert lead.consent and lead.consent_purpose == "同意电话回访"
    assert any(lead.number in m for m in messages_of(response))


def test_a_region_code_wins_over_the_list(client_as, hq_staff, line):
    client_as(hq_staff).post(reverse("leads:create"), entry(line, region="", region_code="440100"))
    assert Lead.objects.get().region.code == "440100"


def test_a_known_customer_is_added_to_their_lead(en_client, hq_staff, line):
    first = take(line, phone="13800138000")
    response = en_client(hq_staff).post(reverse("leads:create"), entry(line, source="referral"), follow=True)
    assert Lead.objects.count() == 1
    assert response.redirect_chain[-1][0] == reverse("leads:detail", args=[first.pk])
    assert any(f"added to lead {first.number}" in m for m in messages_of(response))
    assert LeadTouch.objects.get().source == "referral"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12345", "email": ""}, "phone", "mainland China mobile number"),
        ({"phone": "", "email": ""}, "phone", "phone number or an email"),
        ({"region": "", "region_code": "999999"}, "region_code", "No region has the code 999999."),
        ({"region": ""}, "region", "Choose the customer's region"),
        ({"source": "web"}, "source", "valid choice"),
        ({"latitude": "30.2"}, "longitude", "both coordinates"),
    ],
)
def test_bad_entries_are_explained_on_the_form(en_client, hq_staff, line, overrides, field, message):
    response = en_client(hq_staff).post(reverse("leads:create"), entry(line, **overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Lead.objects.exists()


def test_a_bad_phone_comes_with_the_other_errors_of_the_entry_at_once(en_client, hq_staff, line):
    response = en_client(hq_staff).post(
        reverse("leads:create"), entry(line, phone="12345", contact_name="", region="", latitude="30.2")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone", "contact_name", "region", "longitude"}
    assert "mainland China mobile number" in response.context["form"].errors["phone"][0]
    assert not Lead.objects.exists()


def test_a_lead_entered_outside_ones_territory_goes_back_to_the_list(client_as, canton_staff, line):
    response = client_as(canton_staff).post(reverse("leads:create"), entry(line))
    assert response.status_code == 302 and response["Location"] == reverse("leads:list")
    assert Lead.objects.get().created_by == canton_staff


# The funnel -----------------------------------------------------------------------------------------


def test_the_funnel_page_shows_the_figures(en_client, hq_staff, dealer_admin, other_dealer_admin):
    story = tell_story(dealer_admin, other_dealer_admin)
    response = en_client(hq_staff).get(reverse("leads:funnel"))
    page = response.content.decode()
    assert response.context["report"].totals.received == 6
    assert 'data-testid="received">6<' in page and 'data-testid="won">1<' in page
    assert 'data-testid="accept-rate">60.0%<' in page and 'data-testid="conversion">16.7%<' in page
    assert 'data-testid="accept-median">4.0 h<' in page and 'data-testid="breached">2<' in page
    assert "Zhejiang" in page and story.guangzhou.name in page and "funnel-data" in page
    response = en_client(hq_staff).get(reverse("leads:funnel"), {"dealer": story.guangzhou.pk, "source": "web"})
    assert response.context["report"].totals.received == 1


def test_the_funnel_is_kept_a_minute_per_scope_and_filters(en_client, hq_staff, dealer_admin, other_dealer_admin):
    story = tell_story(dealer_admin, other_dealer_admin)
    client = en_client(hq_staff)
    assert client.get(reverse("leads:funnel")).context["report"].totals.received == 6
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("leads:funnel"))
    assert again.context["report"].totals.received == 6
    assert not [q for q in queries.captured_queries if "leads_lead" in q["sql"] and "COUNT(" in q["sql"]]
    assert "Counts and charts refresh every minute." in again.content.decode()
    filtered = client.get(reverse("leads:funnel"), {"dealer": story.guangzhou.pk, "source": "web"})
    assert filtered.context["report"].totals.received == 1


def test_the_funnel_refuses_a_backwards_period(en_client, hq_staff):
    response = en_client(hq_staff).get(reverse("leads:funnel"), {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert "The start of the period must not be after its end." in response.content.decode()


def test_the_funnel_exports_its_breakdowns(en_client, hq_staff, dealer_admin, other_dealer_admin):
    story = tell_story(dealer_admin, other_dealer_admin)
    response = en_client(hq_staff).get(reverse("leads:funnel"), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "By province", "By dealer", "By source", "By month"]
    summary = dict(list(book["Summary"].values)[1:])
    assert (summary["Received"], summary["Won"], summary["Offers expired"]) == (6, 1, 1)
    assert float(summary["Median time to accept (hours)"]) == 4.0
    dealers = list(book["By dealer"].values)
    assert dealers[1][:5] == (story.hangzhou.code, story.hangzhou.name, 3, 3, 1)
    assert len(list(book["By month"].values)) == 13


# Deal registrations ---------------------------------------------------------------------------------


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


def test_registrations_are_listed_and_filtered(client_as, hq_staff, line, dealer_admin, other_dealer_admin):
    mine = register(dealer_admin, line)
    theirs = register(other_dealer_admin, line, company="广州白云酒店")
    services.registration_reject(actor=hq_staff, registration=theirs, reason="资料不全")
    client = client_as(hq_staff)

    def listed(**params):
        return [r.pk for r in client.get(reverse("leads:registrations"), params).context["registrations"]]

    assert set(listed()) == {mine.pk, theirs.pk}
    assert listed(status="submitted") == [mine.pk]
    assert listed(dealer=other_dealer_admin.dealer_id) == [theirs.pk]
    assert listed(q="白云") == [theirs.pk]


def test_the_registration_page_links_its_clashes(en_client, hq_staff, line, dealer_admin, other_dealer_admin):
    lead = take(line, company="杭州美居装饰")
    earlier = register(other_dealer_admin, line)
    clashing = register(dealer_admin, line, company="杭州 美居装饰 有限公司")
    page = en_client(hq_staff).get(reverse("leads:registration_detail", args=[clashing.pk])).content.decode()
    assert reverse("leads:detail", args=[lead.pk]) in page
    assert reverse("leads:registration_detail", args=[earlier.pk]) in page
    assert other_dealer_admin.dealer.name in page


def test_approving_protects_the_customer_for_the_days_given(en_client, hq_staff, line, dealer_admin):
    registration = register(dealer_admin, line)
    response = en_client(hq_staff).post(
        reverse("leads:registration_approve", args=[registration.pk]), {"days": "30"}, follow=True
    )
    registration.refresh_from_db()
    assert registration.status == R.APPROVED
    assert registration.protected_until == timezone.localdate() + datetime.timedelta(days=30)
    assert any("is protected for" in m for m in messages_of(response))
    response = en_client(hq_staff).post(reverse("leads:registration_approve", args=[registration.pk]), {}, follow=True)
    assert any("Cannot change status" in m for m in messages_of(response))


def test_rejecting_needs_a_reason(en_client, hq_staff, line, dealer_admin):
    registration = register(dealer_admin, line)
    client = en_client(hq_staff)
    url = reverse("leads:registration_reject", args=[registration.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(response.content.decode(), "reject-reason") == ["Give a reason."]
    registration.refresh_from_db()
    assert registration.status == R.SUBMITTED
    client.post(url, {"reason": "客户已有经销商跟进"})
    registration.refresh_from_db()
    assert (registration.status, registration.decision_reason) == (R.REJECTED, "客户已有经销商跟进")


def test_a_regional_user_cannot_decide_another_regions_registration(client_as, canton_staff, line, dealer_admin):
    registration = register(dealer_admin, line)
    client = client_as(canton_staff)
    assert client.get(reverse("leads:registration_detail", args=[registration.pk])).status_code == 404
    assert client.post(reverse("leads:registration_approve", args=[registration.pk])).status_code == 404


# Query budgets --------------------------------------------------------------------------------------


@pytest.fixture
def add_leads(line):
    made = []

    def add(n):
        for _ in range(n):
            made.append(take(line, "330106" if len(made) % 2 else "330200", len(made) + 1))
        services.leads_assign()

    return add


@pytest.mark.parametrize("name", ["leads:list", "leads:unassigned", "leads:funnel"])
def test_lead_pages_cost_the_same_queries_with_more_leads(client_as, hq_staff, add_leads, name):
    assert_flat_query_count(client_as(hq_staff), reverse(name), add_leads)


def test_the_export_costs_the_same_queries_with_more_leads(client_as, hq_staff, add_leads):
    assert_flat_query_count(client_as(hq_staff), reverse("leads:list") + "?export=xlsx", add_leads)


def test_the_lead_page_costs_the_same_queries_with_a_longer_story(client_as, hq_staff, line, dealer_one, dealer_two):
    lead = routed(line)
    client = client_as(hq_staff)

    def add(n):
        for i in range(n):
            LeadTouch.objects.create(lead=lead, source="hotline", message=f"第{i}次")
            services.lead_assign_manually(
                actor=hq_staff, lead=lead, dealer=dealer_two if i % 2 else dealer_one, override_reason="测试"
            )

    assert_flat_query_count(client, reverse("leads:detail", args=[lead.pk]), add)


def test_the_registration_list_costs_the_same_queries_with_more_registrations(client_as, hq_staff, line, dealer_admin):
    def add(n):
        for _ in range(n):
            register(dealer_admin, line, company=f"客户{DealRegistration.objects.count()}")

    assert_flat_query_count(client_as(hq_staff), reverse("leads:registrations"), add)
