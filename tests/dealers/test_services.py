import pytest

from dealers import services
from dealers.models import Dealer, Region
from dms.errors import InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.events.models import Event, Notification
from tests.factories import DealerFactory, UserFactory, make_uscc, region

pytestmark = pytest.mark.django_db


def create(actor, **overrides):
    fields = {
        "name": "宁波永盛",
        "legal_name": "宁波永盛商贸有限公司",
        "uscc": make_uscc(777),
        "region": region("330200"),
        "contacts": [{"name": "王芳", "phone": "+86 138-0013-8000", "title": "总经理"}],
    }
    return services.dealer_create(actor=actor, **{**fields, **overrides})


def test_a_new_dealer_is_numbered_and_recorded(hq_admin):
    dealer = create(hq_admin)
    assert dealer.code == f"D{dealer.pk:05d}"
    assert dealer.status == Dealer.Status.PROSPECT
    contact = dealer.contacts.get()
    assert contact.phone == "13800138000" and contact.is_primary
    assert Event.objects.filter(verb="dealers.dealer_created", dealer_id=dealer.pk).exists()


def test_uscc_is_normalised_checked_and_unique(hq_admin):
    with pytest.raises(RuleViolation) as exc:
        create(hq_admin, uscc=make_uscc(1)[:-1] + ("0" if make_uscc(1)[-1] != "0" else "1"))
    assert exc.value.code == "uscc_check"
    create(hq_admin, uscc=make_uscc(5).lower())
    with pytest.raises(services.UsccTaken):
        create(hq_admin, uscc=make_uscc(5), name="另一家")
    assert Dealer.objects.count() == 1


def test_a_bad_contact_phone_writes_nothing(hq_admin):
    with pytest.raises(RuleViolation) as exc:
        create(hq_admin, contacts=[{"name": "王芳", "phone": "12345"}])
    assert exc.value.code == "phone_invalid"
    assert not Dealer.objects.exists()


def test_a_rep_owns_what_they_add_and_cannot_add_outside_their_reach(hq_admin, sales_rep):
    dealer = create(sales_rep)
    assert dealer.owner == sales_rep
    with pytest.raises(services.InvalidOwner):
        create(sales_rep, uscc=make_uscc(8), owner=UserFactory(role="dealer_admin"))


def test_status_follows_the_transition_table_with_a_reason(hq_admin, dealer_admin, django_capture_on_commit_callbacks):
    dealer = dealer_admin.dealer
    with pytest.raises(ReasonRequired):
        services.dealer_change_status(actor=hq_admin, dealer=dealer, status="probation", reason=" ")
    with pytest.raises(InvalidTransition):
        services.dealer_change_status(actor=hq_admin, dealer=dealer, status="onboarding", reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.dealer_change_status(actor=hq_admin, dealer=dealer, status="probation", reason="目标未完成")
        services.dealer_change_status(actor=hq_admin, dealer=dealer, status="probation", reason="again")
    event = Event.objects.get(verb="dealers.status_changed")
    assert event.data["from"] == "active" and event.data["reason"] == "目标未完成"
    assert Notification.objects.filter(recipient=dealer_admin, event=event).exists()
    from django.utils import translation

    with translation.override("en"):
        assert "from Active to Probation" in event.sentence


def test_terminated_is_final(hq_admin):
    dealer = DealerFactory(status=Dealer.Status.TERMINATED)
    for status in Dealer.Status.values:
        if status != Dealer.Status.TERMINATED:
            with pytest.raises(InvalidTransition):
                services.dealer_change_status(actor=hq_admin, dealer=dealer, status=status, reason="x")


def test_every_status_move_in_the_table_works(hq_admin):
    for source, targets in services.STATUS_TRANSITIONS.items():
        for target in targets:
            dealer = DealerFactory(status=source)
            assert (
                services.dealer_change_status(actor=hq_admin, dealer=dealer, status=target, reason="r").status == target
            )


@pytest.mark.parametrize(
    ("source", "target"),
    [(source, target) for source in Dealer.Status.values for target in Dealer.Status.values if source != target],
)
def test_the_status_table_decides_every_move(hq_admin, source, target):
    dealer = DealerFactory(status=source)
    if target in services.STATUS_TRANSITIONS[source]:
        assert services.dealer_change_status(actor=hq_admin, dealer=dealer, status=target, reason="r").status == target
    else:
        with pytest.raises(InvalidTransition):
            services.dealer_change_status(actor=hq_admin, dealer=dealer, status=target, reason="r")
        dealer.refresh_from_db()
        assert dealer.status == source


def test_tier_change_needs_a_reason_and_notifies(hq_admin, dealer_admin):
    dealer = dealer_admin.dealer
    services.dealer_change_tier(actor=hq_admin, dealer=dealer, tier="A", reason="年度评估优秀")
    dealer.refresh_from_db()
    assert dealer.tier == "A"


def test_dealer_users_change_nothing(dealer_admin):
    with pytest.raises(PermissionDeniedError):
        services.dealer_change_tier(actor=dealer_admin, dealer=dealer_admin.dealer, tier="A", reason="me")
    with pytest.raises(PermissionDeniedError):
        services.dealer_update(actor=dealer_admin, dealer=dealer_admin.dealer, payment_terms_days=90)


def test_staff_cannot_edit_or_move_a_dealer_out_of_their_territory(hq_admin):
    rep = UserFactory(role="sales_rep")
    from dms.accounts.services import user_update

    user_update(actor=hq_admin, user=rep, regions=[Region.objects.get(code="330100")])
    mine = DealerFactory(region=region("330100"))
    theirs = DealerFactory(region=region("440100"))
    with pytest.raises(services.OutOfTerritory):
        services.dealer_update(actor=rep, dealer=theirs, name="x")
    with pytest.raises(services.OutOfTerritory):
        services.dealer_update(actor=rep, dealer=mine, region=region("440100"))
    mine.refresh_from_db()
    assert mine.region.code == "330100"


def test_update_records_what_changed(hq_admin, dealer_admin):
    dealer = services.dealer_update(
        actor=hq_admin, dealer=dealer_admin.dealer, payment_terms_days=45, served_regions=[region("330200")]
    )
    event = Event.objects.get(verb="dealers.dealer_updated")
    assert event.data["changes"]["payment_terms_days"] == [30, 45]
    assert event.data["changes"]["served_regions"] == ["", "330200"]
    assert list(dealer.served_regions.values_list("code", flat=True)) == ["330200"]


def test_contacts_keep_one_primary(hq_admin, dealer_admin):
    dealer = dealer_admin.dealer
    first = services.contact_add(actor=hq_admin, dealer=dealer, name="甲", phone="13800000001")
    second = services.contact_add(actor=hq_admin, dealer=dealer, name="乙", phone="0571-88888888", is_primary=True)
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    services.contact_remove(actor=hq_admin, contact=second)
    first.refresh_from_db()
    assert first.is_primary
