"""Head office's setup pages: lead imports with their progress and row errors, assignment rules and lead
sources (read-only without the lead routing permission), at a fixed number of queries."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dms.events.models import Event
from leads import services
from leads.models import AssignmentRule, Lead, LeadImport, LeadSource
from tests.factories import UserFactory, region
from tests.factories.leads import csv_upload, hangzhou_line
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_as():
    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def line(dealer_one):
    return hangzhou_line(dealer_one)


@pytest.fixture
def lead_desk():
    user = UserFactory(username="leaddesk", role="hq_staff", sees_all_without_regions=True)
    user.groups.add(Group.objects.get(name="lead_desk"))
    return user


def small_file(name="leads.csv"):
    return csv_upload([["王", "13800138000", "ac"]], header=["联系人", "电话", "产品线"], name=name)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class TestImport:
    def test_an_upload_is_queued_and_the_page_follows_it(
        self, client_as, hq_staff, line, django_capture_on_commit_callbacks
    ):
        client = client_as(hq_staff)
        rows = [
            ["王先生", "13800138000", "", "", "浙江", "杭州", "", "ac", ""],
            ["李四", "123", "", "", "浙江", "", "", "ac", ""],
        ]
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post(reverse("leads:import"), {"file": csv_upload(rows)})
        record = LeadImport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("leads:import_detail", args=[record.pk])
        assert (record.status, record.total_rows, record.file_name, record.created_by) == (
            "queued",
            2,
            "leads.csv",
            hq_staff,
        )
        # While the worker has not finished, the progress polls itself.
        waiting = page(client.get(response["Location"]))
        assert 'hx-trigger="every 2s"' in waiting and "Waiting for the worker" in waiting
        for callback in queued:
            callback()
        done = page(client.get(response["Location"]))
        assert 'hx-trigger="every 2s"' not in done
        assert 'data-testid="count-created">1<' in done and 'data-testid="count-errors">1<' in done
        assert "does not stop the others" in done
        partial = page(client.get(response["Location"], HTTP_HX_REQUEST="true"))
        assert partial.startswith('<div id="import-progress"') and "<html" not in partial

    def test_the_row_errors_download_as_csv(self, client_as, hq_staff, line, django_capture_on_commit_callbacks):
        rows = [
            ["", "13800138000", "", "", "浙江", "", "", "ac", ""],
            ["赵", "13900139000", "", "", "浙江", "", "", "tv", ""],
        ]
        with django_capture_on_commit_callbacks(execute=True):
            services.lead_import_start(actor=hq_staff, uploaded_file=csv_upload(rows))
        record = LeadImport.objects.get()
        response = client_as(hq_staff).get(reverse("leads:import_errors", args=[record.pk]))
        assert response["Content-Type"].startswith("text/csv")
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert table == [
            ["Row", "Column", "Problem"],
            ["2", "Contact name", "This column is required."],
            ["3", "Product line", "No active product line has the code or name “tv”."],
        ]

    def test_a_bad_file_is_refused_on_the_page(self, client_as, hq_staff, line):
        response = client_as(hq_staff).post(reverse("leads:import"), {"file": csv_upload([["x"]], header=["Who"])})
        assert "Unknown columns: Who." in page(response)
        assert not LeadImport.objects.exists()

    def test_the_page_says_what_the_columns_and_limits_are(self, client_as, hq_staff):
        text = page(client_as(hq_staff).get(reverse("leads:import")))
        assert "up to 5 MB and 5000 rows" in text
        assert "联系人" in text and "Region code" in text

    @pytest.mark.parametrize("kind", ["csv", "xlsx"])
    def test_the_template_has_the_columns_and_an_example_row(self, client_as, hq_staff, line, kind):
        response = client_as(hq_staff).get(
            reverse("leads:import_template") + ("?format=xlsx" if kind == "xlsx" else "")
        )
        assert response.status_code == 200
        if kind == "csv":
            table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
            table = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        assert table[0][:3] == ["Contact name", "Phone", "Email"]
        assert table[1][:2] == ["王先生", "13800138000"] and "ac" in table[1]

    def test_staff_see_their_own_imports_and_routing_managers_all(self, client_as, hq_staff, lead_desk, line):
        mine = services.lead_import_start(actor=hq_staff, uploaded_file=small_file())
        colleague = UserFactory(username="colleague", role="hq_staff", sees_all_without_regions=True)
        theirs = services.lead_import_start(actor=colleague, uploaded_file=small_file(name="rep.csv"))
        own = page(client_as(hq_staff).get(reverse("leads:imports")))
        assert reverse("leads:import_detail", args=[mine.pk]) in own
        assert reverse("leads:import_detail", args=[theirs.pk]) not in own
        assert client_as(hq_staff).get(reverse("leads:import_detail", args=[theirs.pk])).status_code == 404
        everything = page(client_as(lead_desk).get(reverse("leads:imports")))
        assert "rep.csv" in everything and "leads.csv" in everything

    def test_the_list_costs_the_same_with_more_imports(self, client_as, hq_admin, line):
        def add(n):
            for _ in range(n):
                services.lead_import_start(actor=hq_admin, uploaded_file=small_file())

        assert_flat_query_count(client_as(hq_admin), reverse("leads:imports"), add)


class TestRules:
    def test_staff_without_the_permission_read_the_list_only(self, client_as, hq_staff, hq_admin):
        rule = services.rule_create(actor=hq_admin, name="浙江加权", region=region("330000"), accept_minutes=90)
        text = page(client_as(hq_staff).get(reverse("leads:rules")))
        assert "浙江加权" in text and "Zhejiang" in text and "90 minutes" in text
        assert reverse("leads:rule_edit", args=[rule.pk]) not in text
        assert 'data-testid="read-only"' in text
        assert client_as(hq_staff).get(reverse("leads:rule_create")).status_code == 403
        assert client_as(hq_staff).get(reverse("leads:rule_edit", args=[rule.pk])).status_code == 403

    def test_a_routing_manager_creates_a_rule(self, client_as, lead_desk, line):
        response = client_as(lead_desk).post(
            reverse("leads:rule_create"),
            {
                "name": "杭州快速",
                "region": region("330100").pk,
                "product_line": line.pk,
                "strategy": "weighted",
                "accept_within": "2",
                "accept_unit": "hours",
                "weight_tier": "50",
                "weight_distance": "0",
                "weight_load": "25",
                "weight_fairness": "25",
                "priority": "10",
                "is_active": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()
        rule = AssignmentRule.objects.get()
        assert (rule.name, rule.region.code, rule.accept_minutes, rule.weight_tier) == ("杭州快速", "330100", 120, 50)
        listing = page(client_as(lead_desk).get(reverse("leads:rules")))
        assert "2 hours" in listing and "tier 50 · distance 0 · capacity 25 · waiting 25" in listing

    def test_the_service_s_refusal_shows_next_to_the_field(self, client_as, hq_admin):
        data = {
            "name": "太快",
            "strategy": "weighted",
            "accept_within": "3",
            "accept_unit": "minutes",
            "weight_tier": "30",
            "weight_distance": "30",
            "weight_load": "20",
            "weight_fairness": "20",
            "priority": "100",
        }
        text = page(client_as(hq_admin).post(reverse("leads:rule_create"), data))
        assert "The time to accept is from 5 minutes to 30 days." in text
        assert not AssignmentRule.objects.exists()

    def test_editing_shows_the_rule_and_saves_changes(self, client_as, hq_admin):
        rule = services.rule_create(actor=hq_admin, name="广州", region=region("440100"), accept_minutes=2 * 24 * 60)
        url = reverse("leads:rule_edit", args=[rule.pk])
        text = page(client_as(hq_admin).get(url))
        assert 'name="accept_within" value="2"' in text and '<option value="days" selected>' in text
        data = {
            "name": "广州",
            "region": rule.region_id,
            "strategy": "round_robin",
            "accept_within": "30",
            "accept_unit": "minutes",
            "weight_tier": "30",
            "weight_distance": "30",
            "weight_load": "20",
            "weight_fairness": "20",
            "priority": "100",
            "is_active": "on",
        }
        assert client_as(hq_admin).post(url, data).status_code == 302
        rule.refresh_from_db()
        assert (rule.strategy, rule.accept_minutes) == ("round_robin", 30)
        assert Event.objects.filter(verb="leads.rule_updated").exists()

    def test_deactivating(self, client_as, hq_admin):
        rule = services.rule_create(actor=hq_admin, name="广州")
        response = client_as(hq_admin).post(reverse("leads:rule_deactivate", args=[rule.pk]), follow=True)
        assert "The assignment rule 广州 is deactivated." in page(response)
        assert not AssignmentRule.objects.get(pk=rule.pk).is_active

    def test_the_list_costs_the_same_with_more_rules(self, client_as, hq_admin, line):
        cities = iter(["330100", "330200", "330300", "330400", "330500", "330600", "330700", "330800", "330900"])

        def add(n):
            for index in range(n):
                where = next(cities, None)
                services.rule_create(
                    actor=hq_admin,
                    name=f"规则{AssignmentRule.objects.count()}",
                    region=region(where) if where else None,
                    product_line=line if index % 2 else None,
                    priority=AssignmentRule.objects.count(),
                )

        assert_flat_query_count(client_as(hq_admin), reverse("leads:rules"), add)


class TestSources:
    def test_a_new_source_shows_its_key_once(self, client_as, lead_desk, api_client, line):
        response = client_as(lead_desk).post(reverse("leads:source_create"), {"name": "品牌商城", "code": "brand-shop"})
        text = page(response)
        assert response["Cache-Control"] == "no-store"
        source = LeadSource.objects.get()
        key = text.split('data-testid="source-key"')[0].rsplit('value="', 1)[1].split('"', 1)[0]
        assert services.lead_source_authenticate(key) == source
        listing = page(client_as(lead_desk).get(reverse("leads:sources")))
        assert "品牌商城" in listing and key not in listing
        posted = api_client.post(
            "/api/v1/public/leads/",
            {"contact_name": "王", "phone": "13800138000", "city": "杭州", "product_line": "ac"},
            format="json",
            HTTP_X_LEAD_SOURCE_KEY=key,
        )
        assert posted.status_code == 201
        assert Lead.objects.get().source_site == source

    def test_a_taken_code_is_refused_on_the_form(self, client_as, hq_admin):
        services.lead_source_create(actor=hq_admin, name="官网", code="web")
        text = page(client_as(hq_admin).post(reverse("leads:source_create"), {"name": "又一个", "code": "web"}))
        assert "Another lead source has this code." in text

    def test_rotating_and_deactivating(self, client_as, hq_admin):
        source, old_key = services.lead_source_create(actor=hq_admin, name="官网", code="web")
        text = page(client_as(hq_admin).post(reverse("leads:source_rotate", args=[source.pk])))
        assert "The old key no longer works." in text
        assert services.lead_source_authenticate(old_key) is None
        response = client_as(hq_admin).post(reverse("leads:source_deactivate", args=[source.pk]), follow=True)
        assert "官网 is deactivated: its key no longer works." in page(response)
        again = client_as(hq_admin).post(reverse("leads:source_rotate", args=[source.pk]), follow=True)
        assert "This lead source is deactivated." in page(again)

    def test_staff_without_the_permission_read_the_list_only(self, client_as, hq_staff, hq_admin):
        source, _key = services.lead_source_create(actor=hq_admin, name="官网", code="web")
        text = page(client_as(hq_staff).get(reverse("leads:sources")))
        assert "官网" in text and reverse("leads:source_rotate", args=[source.pk]) not in text
        assert client_as(hq_staff).post(reverse("leads:source_rotate", args=[source.pk])).status_code == 403
        assert client_as(hq_staff).post(reverse("leads:source_deactivate", args=[source.pk])).status_code == 403
        assert LeadSource.objects.get().is_active

    def test_the_list_costs_the_same_with_more_sources(self, client_as, hq_admin):
        def add(n):
            for _ in range(n):
                count = LeadSource.objects.count()
                services.lead_source_create(actor=hq_admin, name=f"站点{count}", code=f"site-{count}")

        assert_flat_query_count(client_as(hq_admin), reverse("leads:sources"), add)
