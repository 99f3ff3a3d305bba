"""Lead imports from CSV and Excel, end to end through the worker's task: each row on its own, bad rows
reported with their row number, repeats added to the customer's lead, progress in chunks, safe to run
twice, resumed after a crash."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from dms.errors import PermissionDeniedError, RuleViolation
from dms.events.models import Event
from leads import importing, services, tasks
from leads.models import Lead, LeadImport, LeadTouch
from leads.services import imports
from tests.factories.leads import HEADER, csv_upload, hangzhou_line, xlsx_upload

pytestmark = pytest.mark.django_db
S = LeadImport.Status

ROWS = [
    ["王先生", "13800138000", "", "杭州美居", "浙江省", "杭州市", "西湖区", "ac", "50000"],
    ["李女士", "", "li@example.com", "", "浙江", "杭州", "", "空调", ""],
    ["张三", "12345", "", "", "浙江", "", "", "ac", ""],
    ["赵四", "13900139000", "", "", "火星省", "", "", "ac", ""],
    ["王先生", "138 0013 8000", "", "", "浙江", "", "", "Air conditioning", ""],
]


@pytest.fixture(autouse=True)
def _english():
    """Row errors are stored in the uploader's language; these tests upload in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def line(dealer_one):
    return hangzhou_line(dealer_one)


@pytest.fixture
def start(hq_staff, django_capture_on_commit_callbacks):
    """``start(upload)``: the upload as the page makes it, with the task it queues run at commit."""

    def run(upload, *, actor=hq_staff):
        with django_capture_on_commit_callbacks(execute=True):
            record = services.lead_import_start(actor=actor, uploaded_file=upload)
        record.refresh_from_db()
        return record

    return run


def test_a_csv_file_is_taken_in_row_by_row_with_bad_rows_reported(start, line, hq_staff, dealer_one):
    record = start(csv_upload(ROWS))
    assert record.status == S.DONE
    counts = (record.total_rows, record.processed_rows, record.created_count, record.duplicate_count)
    assert counts == (5, 5, 2, 1)
    assert record.error_count == 2
    assert [(error["row"], error["column"]) for error in record.errors] == [(4, "Phone"), (5, "Province")]
    assert "No region is called “火星省”" in record.errors[1]["message"]
    leads = {lead.contact_name: lead for lead in Lead.objects.all()}
    assert set(leads) == {"王先生", "李女士"}
    wang = leads["王先生"]
    assert (wang.source, wang.created_by, wang.region.code, str(wang.estimated_value)) == (
        "import",
        hq_staff,
        "330106",
        "50000.00",
    )
    assert leads["李女士"].region.code == "330100"
    # The repeat of row 2 is a touch on the first lead, not a second lead; the worker assigned both leads.
    assert (wang.touches, LeadTouch.objects.get().source) == (2, "import")
    assert {lead.status for lead in leads.values()} == {Lead.Status.ASSIGNED}
    assert record.percent == 100 and record.finished_at is not None


def test_an_excel_file_with_numbers_in_cells(start, line):
    record = start(
        xlsx_upload(
            [
                ["钱女士", 13700137000, "", "", "浙江省", "杭州市", "", "ac", 12800.5],
                ["孙先生", 13600136000, "", "", "", "", "", "ac", ""],
            ]
        )
    )
    assert (record.status, record.created_count, record.error_count) == (S.DONE, 1, 1)
    lead = Lead.objects.get()
    assert (lead.phone, str(lead.estimated_value)) == ("13700137000", "12800.50")
    assert record.errors == [
        {"row": 3, "column": "Region code", "message": "Give the region code, or the province, city or district."}
    ]


def test_english_headers_region_codes_and_consent(start, line):
    header = ["Contact name", "Phone", "Region code", "Product line", "Consents to be contacted", "Purpose of contact"]
    record = start(
        csv_upload(
            [["Mr Li", "0571-88886666", "330106", "AC", "yes", "Met at the fair"], ["Ms Wu", "13500135000", "", "ac"]],
            header=header,
        )
    )
    assert (record.created_count, record.error_count) == (1, 1)
    lead = Lead.objects.get()
    assert (lead.phone, lead.region.code, lead.consent, lead.consent_purpose) == (
        "0571-88886666",
        "330106",
        True,
        "Met at the fair",
    )
    assert lead.consent_at is not None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_template_with_its_example_row_imports_cleanly(start, line, language):
    with translation.override(language):
        upload = csv_upload([importing.template_example()], header=importing.template_header())
    record = start(upload)
    assert (record.created_count, record.errors) == (1, [])
    lead = Lead.objects.get()
    assert (lead.region.code, lead.company, lead.product_line) == ("330106", "杭州美居装饰有限公司", line)


def test_progress_moves_chunk_by_chunk(hq_staff, line):
    record = services.lead_import_start(actor=hq_staff, uploaded_file=csv_upload(ROWS))
    assert (record.status, record.processed_rows, record.percent) == (S.QUEUED, 0, 0)
    seen = []
    while not record.is_finished:
        record = services.lead_import_process(import_id=record.pk, chunk_size=2, time_budget=0)
        seen.append((record.status, record.processed_rows, record.percent))
    assert seen == [(S.RUNNING, 2, 40), (S.RUNNING, 4, 80), (S.DONE, 5, 100)]
    assert Lead.objects.count() == 2


def test_one_assignment_task_per_chunk_not_per_lead(hq_staff, line, django_capture_on_commit_callbacks):
    record = services.lead_import_start(actor=hq_staff, uploaded_file=csv_upload(ROWS))
    with django_capture_on_commit_callbacks() as queued:
        services.lead_import_process(import_id=record.pk, chunk_size=100)
    assert [callback for callback in queued if callback == tasks.leads_assign_task.delay] == [
        tasks.leads_assign_task.delay
    ]
    assert Lead.objects.filter(status=Lead.Status.NEW).count() == 2


def test_running_the_task_again_changes_nothing(start, line):
    record = start(csv_upload(ROWS))
    assert tasks.lead_import_task(record.pk) == S.DONE
    again = LeadImport.objects.get(pk=record.pk)
    assert (again.created_count, again.duplicate_count, again.error_count) == (2, 1, 2)
    assert (Lead.objects.count(), LeadTouch.objects.count()) == (2, 1)


def test_a_crashed_import_resumes_after_the_rows_it_committed(hq_staff, line):
    record = services.lead_import_start(actor=hq_staff, uploaded_file=csv_upload(ROWS))
    services.lead_import_process(import_id=record.pk, chunk_size=2, time_budget=0)
    # The worker died here; the redelivered task carries on from the committed rows.
    tasks.lead_import_task(record.pk)
    record.refresh_from_db()
    assert (record.status, record.processed_rows) == (S.DONE, 5)
    # Rows 2 and 3 were not taken in a second time: no extra touch on their leads.
    assert (record.created_count, record.duplicate_count, record.error_count) == (2, 1, 2)
    assert Lead.objects.get(contact_name="王先生").touches == 2


def test_a_stalled_import_is_queued_again_by_the_sweep(hq_staff, line):
    record = services.lead_import_start(actor=hq_staff, uploaded_file=csv_upload(ROWS))
    assert tasks.lead_imports_resume_task() == 0
    LeadImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=11))
    assert tasks.lead_imports_resume_task() == 1
    assert LeadImport.objects.get(pk=record.pk).status == S.DONE


def test_an_unreadable_file_marks_the_import_failed(hq_staff, line):
    record = services.lead_import_start(actor=hq_staff, uploaded_file=csv_upload(ROWS))
    record.file.delete(save=False)
    assert tasks.lead_import_task(record.pk) == S.FAILED
    record.refresh_from_db()
    assert record.failure == "The file can no longer be read."
    assert Event.objects.filter(verb="leads.import_failed", notify=[hq_staff.pk]).exists()
    assert not Lead.objects.exists()


def test_an_unexpected_error_keeps_the_committed_rows_and_fails_the_import(hq_staff, line, monkeypatch):
    record = services.lead_import_start(actor=hq_staff, uploaded_file=csv_upload(ROWS))
    services.lead_import_process(import_id=record.pk, chunk_size=2, time_budget=0)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports, "lead_create", broken)
    with pytest.raises(RuntimeError):
        services.lead_import_process(import_id=record.pk, chunk_size=2)
    record.refresh_from_db()
    assert (record.status, record.processed_rows, record.created_count) == (S.FAILED, 2, 2)
    assert "database went away" in record.failure
    # A failed import is not run again.
    monkeypatch.undo()
    assert tasks.lead_import_task(record.pk) == S.FAILED


def test_the_uploader_is_told_when_it_is_done(start, line, hq_staff):
    record = start(csv_upload(ROWS))
    event = Event.objects.get(verb="leads.import_finished")
    assert (event.target_id, event.notify, event.data) == (
        str(record.pk),
        [hq_staff.pk],
        {"created": 2, "duplicates": 1, "errors": 2},
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.csv", b""), "The file is empty."),
        (csv_upload([["x"]], header=["Who", "Phone"]), "Unknown columns: Who."),
        (csv_upload([["13800138000"]], header=["Phone"]), "Required columns are missing: Contact name, Product line."),
        (SimpleUploadedFile("a.csv", b"x" * (5 * 1024 * 1024 + 1)), "The file is larger than 5 MB."),
        (csv_upload([["王", "13800138000", "ac"]] * 5001, header=["联系人", "电话", "产品线"]), "more than 5000 rows"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_at_upload(hq_staff, line, upload, message):
    with pytest.raises(RuleViolation) as exc:
        services.lead_import_start(actor=hq_staff, uploaded_file=upload)
    assert exc.value.code == "import_file_invalid"
    assert message in str(exc.value.message)
    assert not LeadImport.objects.exists()


def test_dealers_cannot_import(dealer_admin, line):
    with pytest.raises(PermissionDeniedError):
        services.lead_import_start(actor=dealer_admin, uploaded_file=csv_upload(ROWS))


def test_header_titles_of_the_template(line):
    with translation.override("en"):
        english = importing.template_header()
    assert english[:3] == ["Contact name", "Phone", "Email"]
    assert len(importing.template_example()) == len(english) == len(importing.LAYOUT.columns)
    assert set(HEADER) <= {title for _label, _required, titles in importing.column_help() for title in titles}


def test_a_cell_with_a_control_character_is_a_row_error(start, line):
    rows = [["王\x07先生", "13800138000", "", "", "浙江", "杭州", "", "ac", ""], ROWS[1]]
    record = start(csv_upload(rows))
    assert (record.created_count, record.error_count) == (1, 1)
    assert [(error["row"], error["column"]) for error in record.errors] == [(2, "Contact name")]
    assert "U+0007" in record.errors[0]["message"]
