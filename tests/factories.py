"""Factories for the portal's models (factory-boy)."""

import factory
from django.contrib.auth import get_user_model

from orgs.models import Grant, Org, OrgKind

PASSWORD = "pw-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class OrgFactory(factory.django.DjangoModelFactory):
    """Saves through the tree lock like every other write (Org.save)."""

    class Meta:
        model = Org

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"测试工会{n}")
    kind = OrgKind.BASE
    parent = None


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    user = factory.SubFactory(UserFactory)
    org = factory.SubFactory(OrgFactory)
    role = "staff"
