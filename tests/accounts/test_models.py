import pytest
from django.db import IntegrityError

from dms.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_dealer_user_without_dealer_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        User.objects.create(username="lost", role=Role.DEALER_STAFF, dealer_id=None)


def test_hq_user_with_a_dealer_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        User.objects.create(username="mixed", role=Role.HQ_STAFF, dealer_id=7)


def test_superuser_acts_as_hq_admin():
    user = User.objects.create(username="root", role=Role.SALES_REP, is_superuser=True)
    assert user.effective_role == Role.HQ_ADMIN
    assert user.is_hq_admin and user.is_hq and not user.is_dealer_user


def test_roles_split_into_head_office_and_dealer():
    rep = User(role=Role.SALES_REP)
    dealer = User(role=Role.DEALER_ADMIN, dealer_id=3)
    assert rep.is_hq and not rep.is_dealer_user
    assert dealer.is_dealer_user and not dealer.is_hq


def test_chinese_names_read_family_name_first():
    assert User(first_name="立", last_name="王").get_full_name() == "王立"
    assert User(first_name="Li", last_name="Wang").get_full_name() == "Li Wang"
