"""Every transition table of the leads app, enumerated: each allowed move happens, every other one is
refused with InvalidTransition; the bulk updates filter on the statuses the table lets reach the target."""

import pytest

from dms.errors import InvalidTransition
from leads import services
from leads.models import Assignment, DealRegistration, Lead, LeadImport

WORKFLOWS = [
    (Lead, services.LEAD_TRANSITIONS, services.lead_move),
    (Assignment, services.ASSIGNMENT_TRANSITIONS, services.assignment_move),
    (DealRegistration, services.REGISTRATION_TRANSITIONS, services.registration_move),
    (LeadImport, services.IMPORT_TRANSITIONS, services.import_move),
]


def _pairs(allowed: bool):
    for model, table, move in WORKFLOWS:
        for current in model.Status.values:
            for target in model.Status.values:
                if (target in table[current]) == allowed:
                    yield pytest.param(model, move, current, target, id=f"{model.__name__}:{current}->{target}")


@pytest.mark.parametrize(("model", "table"), [(model, table) for model, table, _move in WORKFLOWS])
def test_every_status_has_a_row(model, table):
    assert set(table) == set(model.Status.values)
    assert all(set(targets) <= set(model.Status.values) for targets in table.values())


@pytest.mark.parametrize(("model", "move", "current", "target"), list(_pairs(allowed=True)))
def test_an_allowed_move_happens(model, move, current, target):
    obj = model(status=current)
    move(obj, target)
    assert obj.status == target


@pytest.mark.parametrize(("model", "move", "current", "target"), list(_pairs(allowed=False)))
def test_any_other_move_is_refused(model, move, current, target):
    obj = model(status=current)
    with pytest.raises(InvalidTransition) as refused:
        move(obj, target)
    assert obj.status == current
    assert refused.value.data == {
        "current": str(model.Status(current).label),
        "target": str(model.Status(target).label),
    }


@pytest.mark.parametrize(
    ("sources", "table"),
    [
        (services.lead_sources, services.LEAD_TRANSITIONS),
        (services.assignment_sources, services.ASSIGNMENT_TRANSITIONS),
        (services.registration_sources, services.REGISTRATION_TRANSITIONS),
    ],
)
def test_a_bulk_update_moves_only_what_the_table_allows(sources, table):
    for target in {target for targets in table.values() for target in targets}:
        assert sources(target) == {current for current, targets in table.items() if target in targets}


def test_the_bulk_paths_read_the_tables():
    L, A, R = Lead.Status, Assignment.Status, DealRegistration.Status
    assert services.lead_sources(L.ASSIGNED) >= {L.NEW, L.UNASSIGNED}
    assert services.lead_sources(L.UNASSIGNED) == {L.NEW}
    assert services.lead_sources(L.NEW) == {L.ASSIGNED}
    assert services.assignment_sources(A.EXPIRED) == {A.OFFERED}
    assert services.registration_sources(R.EXPIRED) == {R.APPROVED}
