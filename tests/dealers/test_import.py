"""Bulk import of dealers: reading CSV/XLSX, the dry run's row errors, the all-or-nothing apply, and the page."""

import csv
import io
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import translation
from openpyxl import Workbook

from dealers import importing, services, verbs
from dealers.models import Dealer
from dealers.views.hq import SESSION_PREFIX, DealerImportView
from dms import spreadsheets
from dms.errors import RuleViolation
from dms.events.models import Event
from tests.factories import DealerFactory, make_uscc, region

pytestmark = pytest.mark.django_db

URL = "/hq/dealers/import/"
# The export's column titles as a Chinese user downloads them; contact columns by key.
ZH_HEADER = ["经销商编号", "名称", "法定名称", "统一社会信用代码", "状态", "等级", "省份", "所在区域", "负责人"]
ZH_HEADER += ["账期（天）", "在跟线索容量", "合作日期", "contact_name", "contact_phone"]


def dealer_row(n: int, **overrides) -> dict:
    row = {
        "name": f"导入经销商{n}",
        "legal_name": f"导入经销商{n}有限公司",
        "uscc": make_uscc(5000 + n),
        "region": "330100",
    }
    return {**row, **overrides}


def csv_upload(header, rows, *, encoding="utf-8-sig", name="dealers.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(header, rows, *, name="dealers.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def keyed_upload(rows: list[dict]) -> SimpleUploadedFile:
    header = sorted({key for row in rows for key in row})
    return csv_upload(header, [[row.get(key, "") for key in header] for row in rows])


def plan(actor, rows):
    return importing.plan_import(actor=actor, rows=rows)


def errors_of(report) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in report.errors}


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; pages keep their own language (LocaleMiddleware activates it)."""
    with translation.override("en"):
        yield


def message_levels(response) -> list[str]:
    return [message.level_tag for message in response.context["messages"]]


@pytest.fixture
def import_urls(settings):
    import dms.urls

    settings.ROOT_URLCONF = type(
        "Urls",
        (),
        {
            "urlpatterns": [
                path("hq/dealers/import/", DealerImportView.as_view(), name="dealers_import_test"),
                path("", include(dms.urls.urlpatterns)),
            ]
        },
    )


# --- Reading ------------------------------------------------------------------------------------------------------


def test_columns_are_the_exports_plus_the_contact():
    from dealers.views.hq import EXPORT_COLUMNS

    keys = [key for key, _label in importing.COLUMNS]
    assert keys[: len(EXPORT_COLUMNS)] == [key for key, _label in EXPORT_COLUMNS]
    assert keys[len(EXPORT_COLUMNS) :] == ["contact_name", "contact_phone", "contact_title", "contact_email"]


def test_csv_with_bom_and_chinese_headers_is_read_with_spreadsheet_row_numbers():
    upload = csv_upload(
        ZH_HEADER,
        [["", "甲", "甲公司", make_uscc(1), "合作中", "A · 战略", "浙江省", "杭州市", "", "45", "", "2024-03-01"], []],
    )
    assert importing.read(upload) == [
        {
            "_row": 2,
            "name": "甲",
            "legal_name": "甲公司",
            "uscc": make_uscc(1),
            "status": "合作中",
            "tier": "A · 战略",
            "region": "杭州市",
            "payment_terms_days": "45",
            "joined_on": "2024-03-01",
        }
    ]


def test_gb18030_csv_from_chinese_excel_is_read():
    upload = csv_upload(["名称", "法定名称", "统一社会信用代码", "所在区域"], [["乙", "乙公司", make_uscc(2), "杭州"]])
    upload = SimpleUploadedFile("x.csv", upload.read().decode("utf-8-sig").encode("gb18030"))
    assert importing.read(upload)[0]["name"] == "乙"


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet():
    upload = xlsx_upload(
        ["name", "legal_name", "uscc", "region"], [list(dealer_row(1).values()), [], list(dealer_row(2).values())]
    )
    assert [row["_row"] for row in importing.read(upload)] == [2, 4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        (b"PK\x03\x04not really a zip", "Excel"),
        ("名称,法定名称,统一社会信用代码,所在区域,备注\n".encode(), "备注"),
        ("名称,法定名称,所在区域\n甲,甲公司,杭州\n".encode(), "Unified social credit code"),
        ("名称,法定名称,统一社会信用代码,所在区域\n".encode(), "no dealers"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(content, message):
    with pytest.raises(spreadsheets.ImportFileError) as caught:
        importing.read(SimpleUploadedFile("dealers.xlsx", content))
    assert message in str(caught.value.message)
    assert caught.value.field == "file"


def test_size_and_row_limits(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 2)
    with pytest.raises(spreadsheets.ImportFileError, match="more than 2 rows"):
        importing.read(keyed_upload([dealer_row(n) for n in range(3)]))
    monkeypatch.setattr(spreadsheets, "MAX_BYTES", 100)
    with pytest.raises(spreadsheets.ImportFileError, match="larger than"):
        importing.read(SimpleUploadedFile("big.csv", b"x" * 101))


# --- Planning -----------------------------------------------------------------------------------------------------


def test_dry_run_reports_every_row_error_with_its_row_number_and_writes_nothing(hq_admin, hq_staff):
    DealerFactory(code="TAKEN1")
    rows = [
        dealer_row(1, status="active", tier="B", owner="desk", payment_terms_days="60", joined_on="2024-01-05"),
        dealer_row(2, uscc="91330100MA2XXXXXX0"),
        dealer_row(3, name=""),
        dealer_row(4, region="火星"),
        dealer_row(5, owner="nobody"),
        dealer_row(6, payment_terms_days="thirty", lead_capacity="-1"),
        dealer_row(7, joined_on="2024-13-01"),
        dealer_row(8, status="suspended", tier="Z"),
        dealer_row(9, code="TAKEN1", contact_name="王经理", contact_phone="12345"),
    ]
    for index, row in enumerate(rows):
        row["_row"] = index + 2
    before = (Dealer.objects.count(), Event.objects.count())

    report = plan(hq_admin, rows)

    assert (report.rows_total, report.valid) == (9, 1)
    assert errors_of(report) == {
        (3, "uscc"),
        (4, "name"),
        (5, "region"),
        (6, "owner"),
        (7, "payment_terms_days"),
        (7, "lead_capacity"),
        (8, "joined_on"),
        (9, "status"),
        (9, "tier"),
        (10, "code"),
        (10, "contact_phone"),
    }
    assert (Dealer.objects.count(), Event.objects.count()) == before
    assert report.preview[0]["owner"] == str(hq_staff) and report.preview[0]["joined_on"] == date(2024, 1, 5)


def test_rows_without_a_row_number_count_from_the_first_data_row(hq_admin):
    report = plan(hq_admin, [dealer_row(1), dealer_row(2, region="")])
    assert [(error.row, error.column) for error in report.errors] == [(3, "region")]


def test_duplicate_uscc_inside_the_file_and_against_the_database(hq_admin):
    existing = DealerFactory()
    rows = [dealer_row(1), dealer_row(2, uscc=make_uscc(5001).lower()), dealer_row(3, uscc=existing.uscc)]
    report = plan(hq_admin, rows)
    assert errors_of(report) == {(3, "uscc"), (4, "uscc")}
    messages = [error.message for error in report.errors]
    assert "row 2" in messages[0]
    assert messages[1] == str(services.UsccTaken.message)


@pytest.mark.parametrize("given", ["330100", "杭州市", "杭州", "Hangzhou", " 杭州市 "])
def test_region_by_code_or_name(hq_admin, given):
    report = plan(hq_admin, [dealer_row(1, region=given)])
    assert report.ok
    assert report.planned[0][1]["region"] == region("330100")


def test_a_short_region_name_that_fits_several_regions_asks_for_the_code(hq_admin):
    report = plan(hq_admin, [dealer_row(1, region="吉林"), dealer_row(2, region="吉林市")])
    assert errors_of(report) == {(2, "region")}
    assert "220000" in report.errors[0].message and "220200" in report.errors[0].message


def test_labels_in_either_language_and_excel_serial_dates(hq_admin):
    rows = [
        dealer_row(1, status="Onboarding", tier="a · strategic", joined_on="45292"),
        dealer_row(2, status="准入中", tier="战略", joined_on="2024/1/1"),
    ]
    report = plan(hq_admin, rows)
    assert report.ok
    for _number, values in report.planned:
        assert (values["status"], values["tier"], values["joined_on"]) == ("onboarding", "A", date(2024, 1, 1))


def test_the_dry_run_costs_the_same_queries_for_3_and_30_rows(hq_admin, hq_staff):
    def count(n):
        rows = [dealer_row(i, owner="desk", code=f"N{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            assert plan(hq_admin, rows).valid == n
        return len(captured.captured_queries)

    assert count(3) == count(30)


def test_dealer_users_cannot_plan(dealer_admin):
    from dms.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        plan(dealer_admin, [dealer_row(1)])


# --- Applying -----------------------------------------------------------------------------------------------------


def test_clean_csv_with_bom_and_chinese_headers_imports_every_row(hq_admin, hq_staff):
    hengda = ["", "杭州恒达", "杭州恒达贸易有限公司", make_uscc(11), "合作中", "A · 战略", "浙江省", "杭州市", "desk"]
    jiahe = ["HZ-002", "西湖嘉禾", "西湖嘉禾有限公司", make_uscc(12), "潜在", "C", "", "西湖区", ""]
    yongsheng = ["", "广州永盛", "广州永盛有限公司", make_uscc(13), "", "", "广东省", "广州", ""]
    blank = ["", "", "", "", ""]
    rows = [[*hengda, "45", "30", "2024-03-01", "王经理", "138 1234 5678"], [*jiahe, *blank], [*yongsheng, *blank]]
    upload = csv_upload(ZH_HEADER, rows)
    assert upload.read().startswith(b"\xef\xbb\xbf")
    upload.seek(0)

    report = importing.apply_import(actor=hq_admin, rows=importing.read(upload))

    assert (report.errors, report.created) == ([], 3)
    hengda = Dealer.objects.get(uscc=make_uscc(11))
    assert (hengda.status, hengda.tier, hengda.region.code, hengda.owner) == ("active", "A", "330100", hq_staff)
    assert (hengda.payment_terms_days, hengda.joined_on, hengda.code) == (45, date(2024, 3, 1), f"D{hengda.pk:05d}")
    assert [(c.name, c.phone, c.is_primary) for c in hengda.contacts.all()] == [("王经理", "13812345678", True)]
    jiahe = Dealer.objects.get(code="HZ-002")
    assert (jiahe.status, jiahe.region.code, jiahe.owner, jiahe.lead_capacity) == ("prospect", "330106", None, 20)
    assert Dealer.objects.get(uscc=make_uscc(13)).region.code == "440100"
    assert Event.objects.filter(verb=verbs.DEALER_CREATED.code).count() == 3


def test_xlsx_import_with_date_cells_and_numbers(hq_admin):
    header = ["name", "legal_name", "uscc", "region", "tier", "lead_capacity", "joined_on", "contact_email"]
    upload = xlsx_upload(
        header,
        [
            ["苏州嘉禾", "苏州嘉禾实业有限公司", make_uscc(21), 320500, "B", 35, datetime(2023, 6, 1), ""],
            ["杭州新锐", "杭州新锐有限公司", make_uscc(22), "杭州", "D", 12.0, None, ""],
        ],
    )
    report = importing.apply_import(actor=hq_admin, rows=importing.read(upload))
    assert report.created == 2
    jiahe = Dealer.objects.get(uscc=make_uscc(21))
    assert (jiahe.region.code, jiahe.tier, jiahe.lead_capacity, jiahe.joined_on) == (
        "320500",
        "B",
        35,
        date(2023, 6, 1),
    )
    assert Dealer.objects.get(uscc=make_uscc(22)).lead_capacity == 12


def test_a_file_with_one_bad_row_imports_nothing(hq_admin):
    rows = [dealer_row(1), dealer_row(2), dealer_row(3, uscc="not a code"), dealer_row(4)]
    report = importing.apply_import(actor=hq_admin, rows=rows)
    assert (report.created, errors_of(report)) == (0, {(4, "uscc")})
    assert not Dealer.objects.filter(name__startswith="导入经销商").exists()


def test_a_service_refusal_half_way_rolls_back_every_row(hq_admin, monkeypatch):
    create = services.dealer_create

    def refuse_the_third(**kwargs):
        if kwargs["name"] == "导入经销商3":
            raise RuleViolation("Refused.", code="refused", field="uscc")
        return create(**kwargs)

    monkeypatch.setattr(services, "dealer_create", refuse_the_third)
    events_before = Event.objects.count()
    report = importing.apply_import(actor=hq_admin, rows=[dealer_row(n) for n in range(1, 6)])

    assert (report.created, report.valid) == (0, 4)
    assert [tuple(error) for error in report.errors] == [(4, "uscc", "Refused.")]
    assert not Dealer.objects.filter(name__startswith="导入经销商").exists()
    assert Event.objects.count() == events_before


def test_a_rep_importing_outside_their_territory_gets_the_error_per_row(hq_admin, hq_staff, sales_rep):
    from dms.accounts.services import user_update

    user_update(actor=hq_admin, user=sales_rep, regions=[region("330100")])
    rows = [
        dealer_row(1, region="西湖区", owner="desk"),  # inside the rep's region
        dealer_row(2, region="广州市", owner="desk"),  # outside, owned by someone else
        dealer_row(3, region="广州市"),  # outside, but the rep becomes its owner
        dealer_row(4, region="440100", owner="rep"),
        dealer_row(5, region="苏州", owner="desk"),
    ]
    report = importing.apply_import(actor=sales_rep, rows=rows)
    assert errors_of(report) == {(3, "region"), (6, "region")}
    assert report.errors[0].message == str(services.OutOfTerritory.message)
    assert not Dealer.objects.filter(name__startswith="导入经销商").exists()


def test_the_service_still_guards_the_territory_when_the_plan_misses_it(hq_admin, hq_staff, sales_rep, monkeypatch):
    from dms.accounts.services import user_update

    user_update(actor=hq_admin, user=sales_rep, regions=[region("330100")])
    monkeypatch.setattr(importing, "_territory", lambda actor: None)
    rows = [dealer_row(1, owner="desk"), dealer_row(2, region="广州市", owner="desk"), dealer_row(3)]

    report = importing.apply_import(actor=sales_rep, rows=rows)

    assert [(error.row, error.column) for error in report.errors] == [(3, "region")]
    assert report.created == 0
    assert not Dealer.objects.filter(name__startswith="导入经销商").exists()


# --- The page -----------------------------------------------------------------------------------------------------


def test_upload_report_confirm_creates_the_dealers(import_urls, client_as, hq_admin):
    client = client_as(hq_admin)
    assert client.get(URL).status_code == 200

    response = client.post(URL, {"file": keyed_upload([dealer_row(n) for n in range(1, 4)])})

    assert response.status_code == 200
    report, token = response.context["report"], response.context["token"]
    assert (report.rows_total, report.valid, report.errors, len(report.preview)) == (3, 3, [], 3)
    assert 'data-testid="import-confirm"' in response.content.decode()
    assert not Dealer.objects.filter(name__startswith="导入经销商").exists()
    assert list(client.session[SESSION_PREFIX + token]) == importing.read(
        keyed_upload([dealer_row(n) for n in range(1, 4)])
    )

    response = client.post(URL, {"token": token})

    assert response.status_code == 302 and response["Location"] == "/hq/dealers/"
    assert Dealer.objects.filter(name__startswith="导入经销商").count() == 3
    assert SESSION_PREFIX + token not in client.session
    assert message_levels(client.get(response["Location"])) == ["success"]

    again = client.post(URL, {"token": token}, follow=True)
    assert Dealer.objects.filter(name__startswith="导入经销商").count() == 3
    assert message_levels(again) == ["error"]


def test_a_file_with_row_errors_shows_them_and_offers_no_confirm(import_urls, client_as, hq_admin):
    response = client_as(hq_admin).post(URL, {"file": keyed_upload([dealer_row(1), dealer_row(2, region="火星")])})
    assert response.status_code == 200
    assert response.context["token"] is None
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page and "火星" in page
    assert 'data-testid="import-confirm"' not in page


def test_an_unreadable_file_is_a_form_error_not_a_500(import_urls, client_as, hq_admin):
    response = client_as(hq_admin).post(URL, {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04junk")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_domain_error_while_applying_is_a_message(import_urls, client_as, hq_admin, monkeypatch):
    client = client_as(hq_admin)
    token = client.post(URL, {"file": keyed_upload([dealer_row(1)])}).context["token"]

    def refuse(**kwargs):
        raise RuleViolation("Not today.")

    monkeypatch.setattr(importing, "apply_import", refuse)
    response = client.post(URL, {"token": token}, follow=True)
    assert response.status_code == 200
    assert "Not today." in " ".join(str(m) for m in response.context["messages"])


def test_rows_changed_since_the_dry_run_are_reported_on_confirm(import_urls, client_as, hq_admin):
    client = client_as(hq_admin)
    token = client.post(URL, {"file": keyed_upload([dealer_row(1), dealer_row(2)])}).context["token"]
    DealerFactory(uscc=make_uscc(5002))

    response = client.post(URL, {"token": token})

    assert response.status_code == 200
    assert errors_of(response.context["report"]) == {(3, "uscc")}
    assert not Dealer.objects.filter(name__startswith="导入经销商").exists()


def test_the_template_is_a_csv_with_the_chinese_column_titles(import_urls, client_as, hq_staff):
    response = client_as(hq_staff).get(URL, {"template": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:4] == ["经销商编号", "名称", "法定名称", "统一社会信用代码"]
    assert "省份" not in header and "所在区域" in header
    filled = {"名称": "甲", "法定名称": "甲公司", "统一社会信用代码": make_uscc(1), "所在区域": "杭州"}
    upload = csv_upload(header, [[filled.get(title, "") for title in header]])
    assert importing.read(upload) == [
        {"_row": 2, "name": "甲", "legal_name": "甲公司", "uscc": make_uscc(1), "region": "杭州"}
    ]


def test_dealer_users_are_forbidden_and_anonymous_users_sign_in(import_urls, client_as, dealer_admin):
    client = client_as(dealer_admin)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": keyed_upload([dealer_row(1)])}).status_code == 403
    assert client.get(URL, {"template": "csv"}).status_code == 403
    response = client_as(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
