"""Serializer fields shared by the apps' APIs."""

from rest_framework import serializers

# The largest primary key PostgreSQL's bigint holds: the bound of every id a client may send.
MAX_ID = 2**63 - 1


class ChoiceLabelField(serializers.CharField):
    """The label of a choice's value in the reader's language, as ``get_<field>_display()`` gives it, read from
    the choices once instead of calling the model's method for every row (DRF inspects a method's signature
    each time it calls one)."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))
