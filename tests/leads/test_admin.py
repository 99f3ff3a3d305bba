"""Admin of the leads app: rules and sources are edited through the services and only with the lead
routing permission; nothing is deleted; the rest is read-only, and registrations are approved through
the service."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from dms.events.models import Event
from leads import services
from leads.models import AssignmentRule, DealRegistration, Lead, LeadSource
from tests.factories import UserFactory, region
from tests.factories.leads import hangzhou_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client_as(client):
    def make(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def root():
    return UserFactory(username="root", role="hq_admin", is_staff=True, is_superuser=True)


@pytest.fixture
def desk_staff():
    """Head-office staff with admin access and the lead desk group."""
    user = UserFactory(username="deskstaff", role="hq_staff", is_staff=True)
    user.groups.add(Group.objects.get(name="lead_desk"))
    return user


@pytest.fixture
def plain_staff():
    """Head-office staff with admin access who may only look at leads."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="plainstaff", role="hq_staff", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="leads", codename__startswith="view_"))
    return user


RULE = {
    "name": "浙江加权",
    "strategy": "weighted",
    "accept_minutes": "60",
    "weight_tier": "30",
    "weight_distance": "30",
    "weight_load": "20",
    "weight_fairness": "20",
    "priority": "100",
    "is_active": "on",
}


def test_a_rule_added_in_admin_is_saved_by_the_service(admin_client_as, desk_staff):
    response = admin_client_as(desk_staff).post(
        reverse("admin:leads_assignmentrule_add"), {**RULE, "region": region("330000").pk}
    )
    assert response.status_code == 302, response.content.decode()
    rule = AssignmentRule.objects.get()
    assert (rule.name, rule.region.code, rule.accept_minutes) == ("浙江加权", "330000", 60)
    assert Event.objects.filter(verb="leads.rule_created", actor=desk_staff).exists()


def test_the_service_s_rules_show_on_the_admin_form(admin_client_as, root):
    response = admin_client_as(root).post(
        reverse("admin:leads_assignmentrule_add"), {**RULE, "region": region("CN").pk}
    )
    assert response.status_code == 200
    assert not AssignmentRule.objects.exists()
    errors = response.context["adminform"].form.errors
    assert errors["region"] == ["Leave the region empty for a rule that applies everywhere."]


def test_a_rule_out_of_range_is_refused_on_the_form(admin_client_as, root):
    response = admin_client_as(root).post(reverse("admin:leads_assignmentrule_add"), {**RULE, "accept_minutes": "2"})
    assert "The time to accept is from 5 minutes to 30 days." in response.content.decode()
    assert not AssignmentRule.objects.exists()


def test_a_change_records_only_what_changed(admin_client_as, root):
    rule = services.rule_create(actor=root, name="浙江", region=region("330000"))
    data = {**RULE, "name": "浙江", "region": rule.region_id, "accept_minutes": "1440", "priority": "5"}
    response = admin_client_as(root).post(reverse("admin:leads_assignmentrule_change", args=[rule.pk]), data)
    assert response.status_code == 302, response.content.decode()
    assert AssignmentRule.objects.get(pk=rule.pk).priority == 5
    assert Event.objects.get(verb="leads.rule_updated").data == {"changes": {"priority": [100, 5]}}


def test_staff_without_the_permission_only_look(admin_client_as, plain_staff, root):
    rule = services.rule_create(actor=root, name="浙江")
    client = admin_client_as(plain_staff)
    assert client.get(reverse("admin:leads_assignmentrule_changelist")).status_code == 200
    assert client.get(reverse("admin:leads_assignmentrule_add")).status_code == 403
    assert client.post(reverse("admin:leads_assignmentrule_change", args=[rule.pk]), RULE).status_code == 403
    assert client.get(reverse("admin:leads_leadsource_add")).status_code == 403
    assert AssignmentRule.objects.get(pk=rule.pk).name == "浙江"


def test_nothing_is_deleted(admin_client_as, root):
    rule = services.rule_create(actor=root, name="浙江")
    source, _key = services.lead_source_create(actor=root, name="官网", code="web")
    client = admin_client_as(root)
    assert client.get(reverse("admin:leads_assignmentrule_delete", args=[rule.pk])).status_code == 403
    assert client.get(reverse("admin:leads_leadsource_delete", args=[source.pk])).status_code == 403


def test_a_source_added_in_admin_shows_its_key_once(admin_client_as, desk_staff):
    response = admin_client_as(desk_staff).post(
        reverse("admin:leads_leadsource_add"), {"name": "官网", "code": "web"}, follow=True
    )
    source = LeadSource.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    key = next(text.rsplit(": ", 1)[1] for text in shown if "shown only now" in text)
    assert services.lead_source_authenticate(key) == source


def test_admin_actions_deactivate_and_replace_keys(admin_client_as, root):
    source, key = services.lead_source_create(actor=root, name="官网", code="web")
    rule = services.rule_create(actor=root, name="浙江")
    client = admin_client_as(root)
    changelist = reverse("admin:leads_leadsource_changelist")
    client.post(changelist, {"action": "rotate_key", "_selected_action": [source.pk]})
    assert services.lead_source_authenticate(key) is None
    client.post(changelist, {"action": "deactivate", "_selected_action": [source.pk]})
    client.post(
        reverse("admin:leads_assignmentrule_changelist"), {"action": "deactivate", "_selected_action": [rule.pk]}
    )
    assert not LeadSource.objects.get().is_active and not AssignmentRule.objects.get().is_active
    assert Event.objects.filter(verb__in=["leads.source_deactivated", "leads.rule_deactivated"]).count() == 2


@pytest.mark.parametrize("model", ["lead", "assignment", "followup", "dealregistration", "leadimport", "leadtouch"])
def test_the_rest_is_read_only(admin_client_as, root, model):
    client = admin_client_as(root)
    assert client.get(reverse(f"admin:leads_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:leads_{model}_add")).status_code == 403


def test_registrations_are_approved_through_the_service(admin_client_as, root, dealer_admin, dealer_one):
    import datetime

    from django.utils import timezone

    line = hangzhou_line(dealer_one)
    registration = services.registration_submit(
        actor=dealer_admin,
        product_line=line,
        customer_company="杭州美居",
        customer_phone="0571-88886666",
        expected_value="1000",
        expected_close_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    client = admin_client_as(root)
    client.post(
        reverse("admin:leads_dealregistration_changelist"),
        {"action": "approve", "_selected_action": [registration.pk]},
    )
    registration.refresh_from_db()
    assert (registration.status, registration.decided_by) == (DealRegistration.Status.APPROVED, root)
    assert Event.objects.filter(verb="leads.registration_approved").exists()
    assert not Lead.objects.exists()
