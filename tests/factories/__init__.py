"""factory-boy factories that keep relations consistent (dealer users carry a dealer, HQ users none)."""

import factory
from django.contrib.auth import get_user_model

from dms.accounts.models import DEALER_ROLES, Role

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.HQ_STAFF
    dealer_id = factory.LazyAttribute(lambda u: 1 if u.role in DEALER_ROLES else None)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
