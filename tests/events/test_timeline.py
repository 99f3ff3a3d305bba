import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from dms import events
from dms.accounts.services import user_update

pytestmark = pytest.mark.django_db


def test_changes_are_shown_with_field_labels_and_choice_names(hq_admin, sales_rep):
    user_update(actor=hq_admin, user=sales_rep, role="hq_staff", phone="021-1234")
    request = RequestFactory().get("/")
    request.user = hq_admin
    with translation.override("zh-hans"):
        html = Template("{% load timeline %}{% timeline target %}").render(
            Context({"request": request, "target": sales_rep})
        )
    assert "角色" in html and "业务员 → 总部员工" in html
    assert "电话" in html and "— → 021-1234" in html


def test_a_reason_code_the_sentence_names_is_not_repeated_but_a_written_reason_is(hq_admin, sales_rep):
    events.record(actor=None, verb="leads.lead_unassigned", target=sales_rep, data={"reason": "no_candidate"})
    events.record(actor=hq_admin, verb="accounts.user_deactivated", target=sales_rep, data={"reason": "离职"})
    request = RequestFactory().get("/")
    request.user = hq_admin
    with translation.override("en"):
        html = Template("{% load timeline %}{% timeline target %}").render(
            Context({"request": request, "target": sales_rep})
        )
    assert "found no dealer: No active dealer authorised" in html
    assert "no_candidate" not in html
    assert "Reason: 离职" in html
