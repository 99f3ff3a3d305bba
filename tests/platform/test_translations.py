"""The project's catalogue never changes the words of Django's admin; words with two meanings in the
project carry a context; the sign-in log of django-axes and the API schema's enums speak Chinese."""

import gettext
import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from leads.models import Lead
from orders.models import StockMovement

ROOT = Path(__file__).resolve().parents[2]
DJANGO_LOCALE = Path(django.__file__).parent
# Catalogues whose words the project's own must not override: the admin, Django's core and content types.
DJANGO_CATALOGUES = ("contrib/admin/locale", "conf/locale", "contrib/contenttypes/locale")


def catalogue(path: Path) -> dict:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


@pytest.mark.parametrize("name", DJANGO_CATALOGUES)
def test_the_project_catalogue_does_not_change_djangos_words(name):
    project = catalogue(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo")
    django_words = catalogue(DJANGO_LOCALE / name / "zh_Hans" / "LC_MESSAGES" / "django.mo")
    changed = {
        key: (value, project[key]) for key, value in django_words.items() if key and project.get(key, value) != value
    }
    assert not changed, f"give the project's msgid a context (pgettext): {changed}"


@pytest.mark.parametrize(
    ("word", "django_says"),
    [
        ("Change", "修改"),
        ("Add", "增加"),
        ("Delete", "删除"),
        ("History", "历史"),
        ("Save", "保存"),
        ("Filter", "过滤器"),
    ],
)
def test_admin_words_are_djangos_own(word, django_says):
    with translation.override("zh-hans"):
        assert _(word) == django_says


@pytest.mark.django_db
def test_the_admin_change_links_read_djangos_word(admin_user):
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(admin_user)
    index = page.get("/admin/").content.decode()
    assert "修改" in index and "变动数量" not in index
    assert "登录记录" in index and "登录尝试" in index and "登录日志" in index and "登录失败记录" in index


def test_one_english_word_two_meanings():
    with translation.override("zh-hans"):
        assert str(Lead.Source.IMPORT.label) == "批量导入"
        assert str(StockMovement.Kind.IMPORT.label) == "盘点导入"
        assert pgettext("stock movement", "Change") == "变动数量"
        assert pgettext("place an order", "Order") == "下单"
        assert pgettext("sales order", "Order") == "订单"
    with translation.override("en"):
        assert str(Lead.Source.IMPORT.label) == str(StockMovement.Kind.IMPORT.label) == "import"


def test_the_sign_in_log_models_are_named_in_chinese():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    with translation.override("zh-hans"):
        names = [str(model._meta.verbose_name_plural) for model in (AccessAttempt, AccessLog, AccessFailureLog)]
        fields = [str(AccessAttempt._meta.get_field(name).verbose_name) for name in ("ip_address", "attempt_time")]
    assert names == ["登录尝试", "登录日志", "登录失败记录"]
    assert fields == ["IP 地址", "尝试时间"]


def test_the_vendor_catalogue_comes_after_the_projects():
    assert settings.LOCALE_PATHS[0] == ROOT / "locale"
    assert (ROOT / "locale" / "vendor" / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists()


@pytest.mark.django_db
def test_the_api_schema_describes_every_enum_value_in_chinese(hq_admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(hq_admin)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    enums = schema["components"]["schemas"]
    described = enums["NewDealerStatusEnum"]["description"]
    assert "* `prospect` - 潜在" in described and "* `active` - 合作中" in described
    untranslated = [
        line
        for name, component in enums.items()
        if name.endswith("Enum")
        for line in component.get("description", "").splitlines()
        if (match := re.match(r"\* `([^`]*)` - (.*)", line)) and match.group(1) == match.group(2)
    ]
    assert not untranslated, untranslated
