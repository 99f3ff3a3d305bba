"""Lengths of time read without ambiguity ("11 个月 3 周", never "11 月" that reads as November), and a
date written one way per language on every page."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dms.durations import duration, since, until
from leads import services
from leads.models import Lead
from tests.factories import region
from tests.factories.orders import ProductLineFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
LENGTHS = [
    (datetime.timedelta(days=351), "11 个月 3 周", "11 months, 3 weeks"),
    (datetime.timedelta(days=2, hours=4, minutes=10), "2 天 4 小时", "2 days, 4 hours"),
    (datetime.timedelta(days=1), "1 天", "1 day"),
    (datetime.timedelta(days=400), "1 年 1 个月", "1 year, 1 month"),
    (datetime.timedelta(hours=1, minutes=1), "1 小时 1 分钟", "1 hour, 1 minute"),
    (datetime.timedelta(seconds=20), "0 分钟", "0 minutes"),
    (datetime.timedelta(days=-3), "0 分钟", "0 minutes"),
]


@pytest.mark.parametrize(("delta", "chinese", "english"), LENGTHS)
def test_durations_read_the_same_in_both_languages(delta, chinese, english):
    with translation.override("zh-hans"):
        assert duration(delta) == chinese
        assert not re.search(r"\d\s*月", duration(delta)), "a bare 月 after a number reads as a month of the year"
    with translation.override("en"):
        assert duration(delta) == english


def test_since_and_until_measure_from_now_or_a_given_moment():
    now = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    with translation.override("zh-hans"):
        assert since(now - datetime.timedelta(days=351), now=now) == "11 个月 3 周"
        assert until(now + datetime.timedelta(hours=5, minutes=30), now=now) == "5 小时 30 分钟"
        assert until(now - datetime.timedelta(hours=1), now=now) == "0 分钟"
        assert since(datetime.date(2026, 11, 19), now=now) == "2 周"


def test_the_template_filters():
    now = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    template = Template("{% load durations %}{{ past|since:now }} | {{ future|until:now }} | {{ length|duration }}")
    context = Context(
        {
            "now": now,
            "past": now - datetime.timedelta(days=351),
            "future": now + datetime.timedelta(days=2, hours=4),
            "length": datetime.timedelta(minutes=90),
        }
    )
    with translation.override("zh-hans"):
        assert template.render(context) == "11 个月 3 周 | 2 天 4 小时 | 1 小时 30 分钟"
    with translation.override("en"):
        assert template.render(context) == "11 months, 3 weeks | 2 days, 4 hours | 1 hour, 30 minutes"


@pytest.fixture
def stray_lead(db):
    """A lead from 宁波 that nobody may take, received at 09:07 in Shanghai between 351 and 353 days ago."""
    line = ProductLineFactory(code="ac", name="空调", name_en="Air conditioning")
    received = datetime.datetime.now(SHANGHAI) - datetime.timedelta(days=352)
    received = received.replace(hour=9, minute=7, second=0, microsecond=0)
    with time_machine.travel(received, tick=False):
        lead, _created = services.lead_create(
            actor=None,
            source="web",
            region=region("330200"),
            product_line=line,
            phone="13800009999",
            contact_name="客户",
        )
        services.leads_assign()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.UNASSIGNED
    return lead


def signed_in(user, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_unassigned_queue_says_how_long_a_lead_has_waited_in_words_that_cannot_be_a_month_name(
    stray_lead, hq_admin
):
    page = signed_in(hq_admin, "zh-hans").get(reverse("leads:unassigned")).content.decode()
    assert "已等待 11 个月 3 周" in page
    assert not re.search(r"已等待 \d+ 月", page)
    english = signed_in(hq_admin, "en").get(reverse("leads:unassigned")).content.decode()
    assert "waiting for 11 months, 3 weeks" in english


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_moment_is_written_the_same_way_on_the_lead_page_and_in_the_audit_log(stray_lead, hq_admin, language):
    received = stray_lead.created_at.astimezone(SHANGHAI)
    written = received.strftime("%Y-%m-%d %H:%M")
    other_ways = [f"{received.year}年{received.month}月{received.day}日", received.strftime("%m/%d/%Y")]
    client = signed_in(hq_admin, language)
    lead_page = client.get(reverse("leads:detail", args=[stray_lead.pk])).content.decode()
    audit_log = client.get(reverse("hq:audit")).content.decode()
    for page in (lead_page, audit_log):
        assert written in page
        assert not [way for way in other_ways if way in page]


def test_templates_write_dates_by_the_language_formats_and_durations_by_dms_durations():
    """A literal format ("Y-m-d", "m-d H:i") would drift from the other pages; timesince reads "11 月"."""
    allowed = {
        "SHORT_DATE_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "YEAR_MONTH_FORMAT",
        "c",
        "U",
    }
    templates = Path(__file__).resolve().parents[2] / "templates"
    found = []
    for path in templates.rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        formats = re.findall(r"""\|date:["']([^"']*)["']""", text)
        found += [f"{path.name}: {fmt}" for fmt in formats if fmt not in allowed]
        found += [f"{path.name}: {name}" for name in re.findall(r"\|(timesince|timeuntil)\b", text)]
    assert not found, found
