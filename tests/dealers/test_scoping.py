"""The territory rule every app reuses: admins all, staff and reps their regions' subtrees or what
they own, dealer users their own dealer only."""

import pytest

from dealers.models import Region
from dealers.selectors import dealer_list
from dms.accounts.services import user_update
from tests.factories import DealerFactory, UserFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def map_of_dealers(db):
    return {
        "hangzhou": DealerFactory(region=region("330100")),
        "xihu": DealerFactory(region=region("330106")),
        "ningbo": DealerFactory(region=region("330200")),
        "guangzhou": DealerFactory(region=region("440100")),
    }


def visible(user):
    return set(dealer_list(user=user).values_list("pk", flat=True))


def pks(dealers, *names):
    return {dealers[n].pk for n in names}


def test_hq_admin_sees_every_dealer(map_of_dealers, hq_admin):
    assert visible(hq_admin) == pks(map_of_dealers, "hangzhou", "xihu", "ningbo", "guangzhou")


def test_a_province_covers_its_cities_and_districts(map_of_dealers, hq_admin):
    staff = UserFactory(role="hq_staff")
    user_update(actor=hq_admin, user=staff, regions=[Region.objects.get(code="330000")])
    assert visible(staff) == pks(map_of_dealers, "hangzhou", "xihu", "ningbo")


def test_a_city_covers_its_districts_only(map_of_dealers, hq_admin):
    rep = UserFactory(role="sales_rep")
    user_update(actor=hq_admin, user=rep, regions=[Region.objects.get(code="330100")])
    assert visible(rep) == pks(map_of_dealers, "hangzhou", "xihu")


def test_owned_dealers_are_visible_outside_the_territory(map_of_dealers, hq_admin):
    rep = UserFactory(role="sales_rep")
    user_update(actor=hq_admin, user=rep, regions=[Region.objects.get(code="330100")])
    map_of_dealers["guangzhou"].owner = rep
    map_of_dealers["guangzhou"].save()
    assert visible(rep) == pks(map_of_dealers, "hangzhou", "xihu", "guangzhou")


def test_without_regions_the_per_user_flag_decides(map_of_dealers):
    everything = UserFactory(role="hq_staff", sees_all_without_regions=True)
    nothing = UserFactory(role="sales_rep", sees_all_without_regions=False)
    assert visible(everything) == pks(map_of_dealers, "hangzhou", "xihu", "ningbo", "guangzhou")
    assert visible(nothing) == set()


def test_dealer_users_see_only_their_own_dealer(map_of_dealers):
    staff = UserFactory(role="dealer_staff", dealer=map_of_dealers["ningbo"])
    assert visible(staff) == pks(map_of_dealers, "ningbo")


def test_deactivated_users_see_nothing(map_of_dealers, hq_admin):
    hq_admin.is_active = False
    assert visible(hq_admin) == set()
