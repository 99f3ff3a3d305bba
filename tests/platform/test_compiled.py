"""Compiled reads (``dms.compiled``): compiled once, run with each call's values, answering what the queryset would."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Value
from django.db.models.functions import Concat

from dealers.models import Dealer
from dms.compiled import CompiledQuery, CompiledRead
from tests.factories import DealerFactory, region

pytestmark = pytest.mark.django_db


def dealers_in(*, region_code: str, ids: list[int]):
    return (
        Dealer.objects.filter(region__code=region_code, pk__in=ids)
        .select_related("region")
        .annotate(label=Concat(F("code"), Value(" "), F("region__code")))
        .order_by("code")
    )


def test_a_compiled_query_answers_the_instances_the_queryset_would():
    hangzhou = [DealerFactory(code=f"H{n}", region=region("330100")) for n in range(3)]
    canton = DealerFactory(code="G1", region=region("440100"))
    read = CompiledQuery(dealers_in)
    ids = [dealer.pk for dealer in (*hangzhou, canton)]
    found = read(region_code="330100", ids=ids)
    assert found == list(dealers_in(region_code="330100", ids=ids))
    assert [dealer.label for dealer in found] == ["H0 330100", "H1 330100", "H2 330100"]
    assert Dealer.region.is_cached(found[0]) and found[0].region.code == "330100"
    # Three and four ids share one compilation; other values reuse it.
    assert [dealer.code for dealer in read(region_code="440100", ids=ids[1:])] == ["G1"]
    assert len(read.compiled) == 1


def test_an_argument_that_does_not_reach_the_sql_is_refused():
    read = CompiledRead(lambda *, code, ignored: Dealer.objects.filter(code=code).values_list("pk"))
    with pytest.raises(ImproperlyConfigured, match="ignored"):
        read(code="D00001", ignored=1)
