"""The routing setup services: assignment rules and lead sources need ``manage_lead_routing`` (the
``lead_desk`` group; HQ administrators hold it), their rules hold, and each change is an event. Also
where a lead is, from a code or names."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from dealers.regions import region_resolve
from dms.errors import PermissionDeniedError, RuleViolation
from dms.events.models import Event
from leads import selectors, services
from leads.models import AssignmentRule, LeadSource
from tests.factories import region
from tests.factories.orders import ProductLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def lead_desk(hq_staff):
    """An HQ staff member in the lead desk group."""
    hq_staff.groups.add(Group.objects.get(name="lead_desk"))
    return type(hq_staff).objects.get(pk=hq_staff.pk)


def refused(expected, service, /, **kwargs):
    with pytest.raises(RuleViolation) as exc:
        service(**kwargs)
    assert exc.value.code == expected, exc.value.message
    return exc.value


class TestPermission:
    def test_the_lead_desk_group_holds_the_permission(self, lead_desk, hq_staff, sales_rep, dealer_admin, hq_admin):
        assert selectors.can_manage_routing(lead_desk)
        assert selectors.can_manage_routing(hq_admin)
        assert not selectors.can_manage_routing(type(hq_staff).objects.create(username="other", role="hq_staff"))
        assert not selectors.can_manage_routing(sales_rep)
        assert not selectors.can_manage_routing(dealer_admin)

    def test_a_dealer_with_the_permission_still_may_not(self, dealer_admin):
        dealer_admin.groups.add(Group.objects.get(name="lead_desk"))
        assert not selectors.can_manage_routing(type(dealer_admin).objects.get(pk=dealer_admin.pk))

    @pytest.mark.parametrize(
        "call",
        [
            lambda user: services.rule_create(actor=user, name="x"),
            lambda user: services.lead_source_create(actor=user, name="x", code="x"),
        ],
    )
    def test_staff_without_it_are_refused(self, hq_staff, call):
        with pytest.raises(PermissionDeniedError):
            call(hq_staff)
        assert not AssignmentRule.objects.exists() and not LeadSource.objects.exists()


class TestRules:
    def test_a_rule_is_created_and_recorded(self, lead_desk):
        line = ProductLineFactory(code="ac")
        rule = services.rule_create(
            actor=lead_desk, name=" 浙江空调 ", region=region("330000"), product_line=line, accept_minutes=30
        )
        assert (rule.name, rule.region.code, rule.accept_minutes, rule.is_active) == ("浙江空调", "330000", 30, True)
        event = Event.objects.get(verb="leads.rule_created")
        assert (event.actor, event.dealer_id, event.data["region"], event.data["product_line"]) == (
            lead_desk,
            None,
            "330000",
            "ac",
        )

    def test_the_default_time_to_accept_comes_from_the_settings(self, hq_admin, settings):
        settings.DMS_LEAD_ACCEPT_MINUTES = 90
        assert services.rule_create(actor=hq_admin, name="默认").accept_minutes == 90

    @pytest.mark.parametrize(
        ("changes", "code", "field"),
        [
            ({"accept_minutes": 4}, "accept_minutes_out_of_range", "accept_minutes"),
            ({"accept_minutes": 30 * 24 * 60 + 1}, "accept_minutes_out_of_range", "accept_minutes"),
            ({"weight_load": 101}, "weight_out_of_range", "weight_load"),
            (
                {"weight_tier": 0, "weight_distance": 0, "weight_load": 0, "weight_fairness": 0},
                "weights_all_zero",
                "weight_tier",
            ),
            ({"name": "  "}, "name_required", "name"),
            ({"strategy": "random"}, "invalid_strategy", "strategy"),
            ({"priority": 40000}, "invalid_priority", "priority"),
        ],
    )
    def test_out_of_range_values_are_refused(self, hq_admin, changes, code, field):
        error = refused(code, services.rule_create, actor=hq_admin, **{"name": "规则", **changes})
        assert error.field == field
        assert not AssignmentRule.objects.exists()

    def test_the_limits_themselves_are_accepted(self, hq_admin):
        quick = services.rule_create(actor=hq_admin, name="快", accept_minutes=5, weight_tier=100, priority=1)
        slow = services.rule_create(actor=hq_admin, name="慢", accept_minutes=30 * 24 * 60, priority=2)
        assert (quick.accept_minutes, slow.accept_minutes) == (5, 43200)

    def test_round_robin_and_manual_rules_need_no_weights(self, hq_admin):
        zero = {"weight_tier": 0, "weight_distance": 0, "weight_load": 0, "weight_fairness": 0}
        services.rule_create(actor=hq_admin, name="轮流", strategy="round_robin", priority=1, **zero)
        services.rule_create(actor=hq_admin, name="人工", strategy="manual", priority=2, **zero)
        assert AssignmentRule.objects.count() == 2

    def test_the_country_is_not_a_region_for_a_rule(self, hq_admin):
        error = refused("region_is_country", services.rule_create, actor=hq_admin, name="全国", region=region("CN"))
        assert error.message == "Leave the region empty for a rule that applies everywhere."

    def test_two_active_rules_may_not_share_scope_and_priority(self, hq_admin):
        first = services.rule_create(actor=hq_admin, name="浙江 A", region=region("330000"))
        refused("rule_scope_taken", services.rule_create, actor=hq_admin, name="浙江 B", region=region("330000"))
        services.rule_create(actor=hq_admin, name="浙江 B", region=region("330000"), priority=50)
        services.rule_deactivate(actor=hq_admin, rule=first)
        services.rule_create(actor=hq_admin, name="浙江 C", region=region("330000"))
        assert AssignmentRule.objects.filter(is_active=True).count() == 2

    def test_an_update_records_what_changed(self, lead_desk):
        rule = services.rule_create(actor=lead_desk, name="杭州", region=region("330100"))
        updated = services.rule_update(actor=lead_desk, rule=rule, accept_minutes=60, region=region("330100"))
        assert AssignmentRule.objects.get(pk=rule.pk).accept_minutes == updated.accept_minutes == 60
        event = Event.objects.get(verb="leads.rule_updated")
        assert event.data == {"changes": {"accept_minutes": [1440, 60]}}
        services.rule_update(actor=lead_desk, rule=rule, accept_minutes=60)
        assert Event.objects.filter(verb="leads.rule_updated").count() == 1

    def test_an_update_is_checked_like_a_new_rule(self, hq_admin):
        rule = services.rule_create(actor=hq_admin, name="杭州", region=region("330100"))
        refused("accept_minutes_out_of_range", services.rule_update, actor=hq_admin, rule=rule, accept_minutes=1)
        assert AssignmentRule.objects.get(pk=rule.pk).accept_minutes == 1440

    def test_deactivating_twice_records_once(self, hq_admin):
        rule = services.rule_create(actor=hq_admin, name="杭州")
        services.rule_deactivate(actor=hq_admin, rule=rule)
        services.rule_deactivate(actor=hq_admin, rule=rule)
        assert not AssignmentRule.objects.get(pk=rule.pk).is_active
        assert Event.objects.filter(verb="leads.rule_deactivated").count() == 1

    def test_a_rule_s_deadline_is_used_for_new_offers(self, hq_admin, dealer_one):
        from tests.factories.leads import hangzhou_line

        line = hangzhou_line(dealer_one)
        services.rule_create(actor=hq_admin, name="杭州快速", region=region("330100"), accept_minutes=15)
        lead, _created = services.lead_create(
            actor=None, source="web", contact_name="王", phone="13800138000", region=region("330106"), product_line=line
        )
        services.leads_assign()
        assignment = lead.assignments.get()
        assert round((assignment.deadline - assignment.assigned_at).total_seconds() / 60) == 15


class TestSources:
    def test_a_source_key_works_until_it_is_replaced(self, lead_desk):
        source, key = services.lead_source_create(actor=lead_desk, name="官网", code="Brand-Shop")
        assert source.code == "brand-shop" and key not in source.key_hash
        assert services.lead_source_authenticate(key) == source
        _source, new_key = services.lead_source_rotate(actor=lead_desk, source=source)
        assert services.lead_source_authenticate(key) is None
        assert services.lead_source_authenticate(new_key) == source
        assert Event.objects.filter(verb="leads.source_key_rotated", actor=lead_desk).exists()

    def test_a_deactivated_source_is_refused_and_cannot_get_a_key(self, hq_admin):
        source, key = services.lead_source_create(actor=hq_admin, name="展会", code="expo")
        services.lead_source_deactivate(actor=hq_admin, source=source)
        assert services.lead_source_authenticate(key) is None
        refused("source_inactive", services.lead_source_rotate, actor=hq_admin, source=source)
        services.lead_source_deactivate(actor=hq_admin, source=source)
        assert Event.objects.filter(verb="leads.source_deactivated").count() == 1

    @pytest.mark.parametrize(
        ("name", "code", "expected"),
        [("", "web", "name_required"), ("官网", "官网", "source_code_invalid"), ("官网", "a b", "source_code_invalid")],
    )
    def test_names_and_codes_are_checked(self, hq_admin, name, code, expected):
        refused(expected, services.lead_source_create, actor=hq_admin, name=name, code=code)

    def test_a_code_is_taken_once(self, hq_admin):
        services.lead_source_create(actor=hq_admin, name="官网", code="web")
        refused("source_code_taken", services.lead_source_create, actor=hq_admin, name="另一个", code="WEB")


class TestRegions:
    @pytest.mark.parametrize(
        ("given", "code"),
        [
            ({"code": "330106"}, "330106"),
            ({"province": "浙江省"}, "330000"),
            ({"province": "浙江"}, "330000"),
            ({"province": "Zhejiang", "city": "Hangzhou"}, "330100"),
            ({"city": "杭州"}, "330100"),
            ({"district": "西湖区"}, "330106"),
            ({"province": "浙江省", "city": "杭州市", "district": "西湖区"}, "330106"),
            ({"province": "吉林"}, "220000"),
            ({"city": "吉林"}, "220200"),
            ({"province": "上海", "district": "浦东新区"}, "310115"),
            # A code wins over names.
            ({"code": "440100", "province": "浙江"}, "440100"),
        ],
    )
    def test_the_most_specific_region(self, given, code):
        assert region_resolve(**given).code == code

    @pytest.mark.parametrize(
        ("given", "code", "field"),
        [
            ({"code": "CN"}, "region_unknown", "region"),
            ({"code": "330199"}, "region_unknown", "region"),
            ({"city": "花果山"}, "region_unknown", "city"),
            ({"city": "Taizhou"}, "region_ambiguous", "city"),
            ({"province": "江苏", "city": "Taizhou", "district": "西湖区"}, "region_mismatch", "district"),
            ({"province": "广东", "city": "杭州"}, "region_mismatch", "city"),
            ({}, "region_required", "region"),
        ],
    )
    def test_unknown_ambiguous_and_contradicting_names(self, given, code, field):
        error = refused(code, region_resolve, **given)
        assert error.field == field

    def test_an_ambiguous_name_lists_the_candidates(self):
        error = refused("region_ambiguous", region_resolve, city="Taizhou")
        assert "321200" in error.message and "331000" in error.message
