import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dealers import services
from dealers.models import Dealer, DealerApplication
from dealers.services import applications
from dealers.validators import PHONE_MESSAGE
from dms.accounts.models import User
from dms.errors import InvalidTransition, RuleViolation
from dms.events.models import Event
from tests.factories import DealerFactory, application_data, criteria, make_uscc
from tests.platform.field_errors import field_errors, field_value

pytestmark = pytest.mark.django_db


def submit(n=1, **overrides):
    application, token = services.application_submit(source="public", **application_data(n, **overrides))
    return application, token


def score_all(actor, application, value):
    return services.application_score(
        actor=actor, application=application, scores=[{"criterion": c.code, "score": value} for c in criteria()]
    )


def reviewed(actor, n=1, value=4):
    application, _token = submit(n)
    services.application_start_review(actor=actor, application=application)
    score_all(actor, application, value)
    return application


def test_submission_sends_the_applicant_a_private_link(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application, token = submit()
    assert application.status == "submitted" and application.number.startswith("AP")
    assert services.application_access_url(application, token) in mail.outbox[0].body
    assert services.application_by_token(pk=application.pk, token=token) == application
    assert services.application_by_token(pk=application.pk, token="guess") is None


def test_duplicates_are_refused_with_clear_codes():
    submit(1)
    with pytest.raises(services.ApplicationOpen):
        submit(1, company_name="again")
    existing = DealerFactory()
    with pytest.raises(services.AlreadyDealer):
        submit(2, uscc=existing.uscc)


def test_the_weighted_total_follows_the_default_weights(hq_admin):
    application, _token = submit()
    services.application_start_review(actor=hq_admin, application=application)
    values = {
        "capital_strength": 5,
        "market_channels": 4,
        "sales_team": 3,
        "industry_experience": 2,
        "business_credit": 1,
    }
    card = services.application_score(
        actor=hq_admin, application=application, scores=[{"criterion": k, "score": v} for k, v in values.items()]
    )
    # 25*5/5 + 25*4/5 + 20*3/5 + 15*2/5 + 15*1/5 = 25 + 20 + 12 + 6 + 3
    assert str(card.total) == "66.0" and card.recommendation == "consider"


def test_reviewers_are_averaged(hq_admin, hq_staff):
    application = reviewed(hq_admin, value=5)
    card = score_all(hq_staff, application, 3)
    assert str(card.total) == "80.0" and card.reviewers == 2 and card.recommendation == "recommend"


def test_approval_creates_the_dealer_and_invites_its_administrator(hq_staff, django_capture_on_commit_callbacks):
    application = reviewed(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        application, dealer, user, link = services.application_approve(actor=hq_staff, application=application)
    assert application.status == "approved" and application.dealer == dealer
    assert dealer.status == Dealer.Status.ONBOARDING and dealer.owner == hq_staff
    assert dealer.contacts.get().phone == "13912345678"
    assert user.role == "dealer_admin" and user.dealer == dealer and not user.has_usable_password()
    # The email carries a link of its own, made when it is sent: the same address for the same user, with a
    # token that may be a second younger.
    address = link.rsplit("/", 2)[0]
    assert "/accounts/reset/" in link and any(address in m.body for m in mail.outbox)


def test_below_the_threshold_only_an_admin_with_a_reason_may_approve(hq_admin, hq_staff):
    application = reviewed(hq_staff, value=2)
    with pytest.raises(services.BelowThreshold):
        services.application_approve(actor=hq_staff, application=application)
    with pytest.raises(services.BelowThreshold):
        services.application_approve(actor=hq_admin, application=application)
    _app, dealer, _user, _link = services.application_approve(
        actor=hq_admin, application=application, reason="战略区域，先行试点"
    )
    assert dealer.status == "onboarding"


def test_an_incomplete_scorecard_cannot_be_decided(hq_admin):
    application, _token = submit()
    services.application_start_review(actor=hq_admin, application=application)
    services.application_score(
        actor=hq_admin, application=application, scores=[{"criterion": "sales_team", "score": 5}]
    )
    with pytest.raises(services.ScorecardIncomplete):
        services.application_approve(actor=hq_admin, application=application)


def test_needs_info_goes_back_and_forth_through_the_link(hq_admin, client):
    application, _token = submit()
    services.application_start_review(actor=hq_admin, application=application)
    application, token = services.application_request_info(
        actor=hq_admin, application=application, message="请补充仓库照片和面积"
    )
    page = client.get(reverse("apply:status", args=[application.pk, token]))
    assert page.status_code == 200 and "请补充仓库照片和面积" in page.content.decode()
    data = application_data(1, warehouse_area=1500)
    data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
    response = client.post(reverse("apply:status", args=[application.pk, token]), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted" and application.warehouse_area == 1500


def test_the_workflow_refuses_illegal_moves(hq_admin):
    application, _token = submit()
    with pytest.raises(RuleViolation):
        services.application_score(actor=hq_admin, application=application, scores=[])
    services.application_start_review(actor=hq_admin, application=application)
    services.application_reject(actor=hq_admin, application=application, reason="区域已饱和")
    with pytest.raises(InvalidTransition):
        services.application_start_review(actor=hq_admin, application=application)
    submit(1, company_name="reapplies after rejection")


@pytest.mark.parametrize(
    ("source", "target"),
    [(source, target) for source in DealerApplication.Status.values for target in DealerApplication.Status.values],
)
def test_the_application_table_decides_every_move(hq_admin, source, target):
    application, _token = submit()
    DealerApplication.objects.filter(pk=application.pk).update(status=source)
    application.refresh_from_db()
    if target in services.APPLICATION_TRANSITIONS[source]:
        applications.application_move(application, actor=hq_admin, status=target)
        assert application.status == target
        assert Event.objects.filter(verb="dealers.application_status", data__to=target).exists()
    else:
        with pytest.raises(InvalidTransition):
            applications.application_move(application, actor=hq_admin, status=target)
        assert application.status == source


def test_public_form_with_honeypot_and_rate_limit(client, settings):
    settings.DMS_APPLY_RATE_PER_HOUR = 2
    data = application_data(7)
    data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
    bot = client.post(reverse("apply:form"), {**data, "website": "http://spam.example"})
    assert bot.status_code == 200 and not DealerApplication.objects.exists()
    response = client.post(reverse("apply:form"), data)
    assert response.status_code == 302 and DealerApplication.objects.count() == 1
    assert client.get(response["Location"]).status_code == 200
    again = client.post(reverse("apply:form"), {**data, "uscc": make_uscc(12345)})
    assert again.status_code == 429


def test_public_form_shows_rule_errors_next_to_fields(client):
    data = application_data(8, uscc="91330100ABCDEFGH")
    data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
    response = client.post(reverse("apply:form"), data)
    assert response.status_code == 200 and response.context["form"].errors["uscc"]


def test_public_api_and_hq_api_flow(api_client, api_as, hq_admin):
    body = application_data(9)
    body["regions_wanted"] = ["330100"]
    response = api_client.post("/api/v1/public/dealer-applications/", body, format="json")
    assert response.status_code == 201, response.json()
    application = DealerApplication.objects.get()
    duplicate = api_client.post("/api/v1/public/dealer-applications/", body, format="json")
    assert duplicate.status_code == 422 and duplicate.json()["code"] == "application_open"
    client = api_as(hq_admin)
    assert client.post(f"/api/v1/dealer-applications/{application.pk}/start-review/").status_code == 200
    scores = {"scores": [{"criterion": c.code, "score": 5} for c in criteria()]}
    card = client.post(f"/api/v1/dealer-applications/{application.pk}/score/", scores, format="json").json()
    assert card["total"] == "100.0" and card["recommendation"] == "recommend"
    approved = client.post(f"/api/v1/dealer-applications/{application.pk}/approve/", {"username": "newdealer"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["username"] == "newdealer" and User.objects.get(username="newdealer").dealer_id


def test_hq_pages_review_and_approve(client_as, hq_admin):
    application, _token = submit(3)
    client = client_as(hq_admin)
    client.post(reverse("dealers:application_start_review", args=[application.pk]))
    client.post(
        reverse("dealers:application_score", args=[application.pk]), {f"score_{c.code}": "4" for c in criteria()}
    )
    client.post(reverse("dealers:application_approve", args=[application.pk]), {"reason": ""})
    page = client.get(reverse("dealers:application_detail", args=[application.pk])).content.decode()
    application.refresh_from_db()
    assert application.status == "approved"
    assert "/accounts/reset/" in page


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_create_one_dealer():
    from tests.factories import UserFactory

    admins = [UserFactory(username=f"boss{i}", role="hq_admin") for i in range(2)]
    application = reviewed(admins[0], n=21, value=5)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        try:
            barrier.wait(timeout=10)
            services.application_approve(actor=actor, application=application)
            outcomes.append("approved")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approved", "refused"]
    assert Dealer.objects.filter(uscc=application.uscc).count() == 1
    assert User.objects.filter(role="dealer_admin").count() == 1


@pytest.mark.parametrize("url", ["/hq/dealers/applications/", "/api/v1/dealer-applications/"])
def test_application_list_query_count_is_flat(client_as, hq_admin, url):
    from tests.platform.query_budget import assert_flat_query_count

    counter = iter(range(100, 200))

    def add(n):
        for _ in range(n):
            submit(next(counter))

    assert assert_flat_query_count(client_as(hq_admin), url, add) <= 12


def test_the_private_link_survives_a_request_for_information(hq_admin, client):
    application, token = submit(31)
    services.application_start_review(actor=hq_admin, application=application)
    services.application_request_info(actor=hq_admin, application=application, message="请补充资料")
    assert client.get(reverse("apply:status", args=[application.pk, token])).status_code == 200
    assert client.get(reverse("apply:status", args=[application.pk, token[:-1] + "x"])).status_code == 404


def test_reviews_stay_out_of_the_new_dealers_history(hq_admin):
    from dms.events.selectors import event_list

    application = reviewed(hq_admin, n=32, value=2)
    _app, _dealer, user, _link = services.application_approve(actor=hq_admin, application=application, reason="试点")
    assert not event_list(user=user).filter(data__has_key="total").exists()


def test_forged_forwarded_for_headers_do_not_reset_the_rate_limit(client, settings):
    settings.DMS_APPLY_RATE_PER_HOUR = 1
    for n, forged in enumerate(["1.1.1.1", "2.2.2.2"]):
        data = application_data(40 + n)
        data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
        response = client.post(reverse("apply:form"), data, HTTP_X_FORWARDED_FOR=forged)
    assert response.status_code == 429


def test_out_of_range_numbers_are_form_errors_not_crashes(client):
    data = application_data(50, founded_year=99999, warehouse_area=3_000_000_000)
    data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
    response = client.post(reverse("apply:form"), data)
    assert response.status_code == 200
    assert {"founded_year", "warehouse_area"} <= set(response.context["form"].errors)


def test_every_error_of_the_application_comes_at_once_beside_its_own_field(client):
    """A bad phone and USCC are not held back until the other fields are right; capital and year have bounds."""
    data = application_data(
        51, uscc="91330100ABC", contact_phone="12345", registered_capital="-10", founded_year=2099, warehouse_area=-5
    )
    data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
    response = client.post(reverse("apply:form"), data)
    page = response.content.decode()
    assert response.status_code == 200 and not DealerApplication.objects.exists()
    assert set(response.context["form"].errors) == {
        "uscc",
        "contact_phone",
        "registered_capital",
        "founded_year",
        "warehouse_area",
    }
    assert field_errors(page, "id_registered_capital") == ["确保该值大于或等于0。"]
    assert field_errors(page, "id_warehouse_area") == ["确保该值大于或等于0。"]  # once, not twice
    assert field_errors(page, "id_founded_year") == [f"确保该值小于或等于{timezone.localdate().year}。"]
    assert field_errors(page, "id_contact_phone") == [str(PHONE_MESSAGE)]
    assert len(field_errors(page, "id_uscc")) == 1
    assert field_value(page, "id_company_name") == "申请公司51" and field_value(page, "id_contact_phone") == "12345"


def test_the_founding_year_takes_this_year_and_refuses_the_one_before_the_first(client):
    this_year = timezone.localdate().year
    data = application_data(52, founded_year=this_year)
    data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
    assert client.post(reverse("apply:form"), data).status_code == 302
    data = application_data(53, founded_year=1899)
    data["regions_wanted"] = [r.pk for r in data["regions_wanted"]]
    assert set(client.post(reverse("apply:form"), data).context["form"].errors) == {"founded_year"}


def test_a_decision_without_its_reason_says_so_beside_the_field_and_keeps_the_input(client_as, hq_staff):
    application = reviewed(hq_staff, n=54, value=2)
    client = client_as(hq_staff)
    response = client.post(reverse("dealers:application_reject", args=[application.pk]), {"reason": " "})
    page = response.content.decode()
    assert response.status_code == 422 and not list(response.context["messages"])
    assert field_errors(page, "reject-reason") == ["该字段是必填项。"]
    # Below the threshold, approving needs an administrator and a reason: beside the reason, with the note kept.
    response = client.post(reverse("dealers:application_approve", args=[application.pk]), {"reason": "老客户推荐"})
    page = response.content.decode()
    assert response.status_code == 422
    assert field_errors(page, "approve-reason") == [str(applications.BelowThreshold.message)]
    assert field_value(page, "approve-reason") == "老客户推荐"
    application.refresh_from_db()
    assert application.status == "under_review"
