"""Reads whose SQL the ORM compiles once per process, then runs with each call's values: building a queryset with
joins and subqueries costs the ORM several times what running its SQL does, and the hottest requests (an order
submitted through the API, a token checked on every API call) are made of such reads."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models.query import get_related_populators


class CompiledRead:
    """A read whose SQL the ORM compiles once per process (and per length of its list arguments), then runs with
    each call's values.

    ``build(**arguments)`` returns a ``values_list`` queryset. It is called once with stand-ins (integers,
    strings and dates no real call uses), which are found again among the compiled parameters and replaced by
    each call's values; the rows come back converted as the queryset would return them. ``build`` must pass
    every argument to the database as a parameter, with SQL that does not depend on its value (None would
    change it: pass a value that matches nothing instead), and take nothing else that varies from call to call
    (a value read from elsewhere would be compiled in for good); an argument that does not reach the parameters
    fails at once. A list argument is for ``__in``: it is compiled for its length rounded up to a power of two
    and padded with its last item, so that a list of any length reuses one of a few compiled reads.
    """

    def __init__(self, build):
        self.build = build
        self.compiled: dict[tuple, tuple] = {}

    def __call__(self, **arguments) -> list[tuple]:
        compiler, rows = self._run(arguments)
        return list(compiler.results_iter(results=[rows], tuple_expected=True))

    def _run(self, arguments: dict) -> tuple:
        arguments = {name: _padded(value) if isinstance(value, list) else value for name, value in arguments.items()}
        shape = tuple(len(value) for value in arguments.values() if isinstance(value, list))
        if shape not in self.compiled:
            self.compiled[shape] = self._compile(arguments)
        compiler, sql, slots = self.compiled[shape]
        params = [value if name is None else _as_parameter(_argument(arguments, name), value) for name, value in slots]
        with connections[compiler.using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return compiler, rows

    def _compile(self, arguments: dict) -> tuple:
        stand_ins, names = {}, {}
        for name, value in arguments.items():
            if isinstance(value, list):
                stand_ins[name] = [_stand_in(item, len(names) + i) for i, item in enumerate(value)]
                names.update({(name, i): stand_in for i, stand_in in enumerate(stand_ins[name])})
            else:
                stand_ins[name] = names[(name, None)] = _stand_in(value, len(names))
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = [(_slot(names, param), param) for param in params]
        missing = set(names) - {name for name, _value in slots}
        if missing:
            raise ImproperlyConfigured(f"{self.build.__name__}: {sorted(str(m) for m in missing)} not parameters")
        return compiler, sql, slots


class CompiledQuery(CompiledRead):
    """A ``CompiledRead`` whose ``build`` returns a queryset of model instances rather than ``values_list``: each
    call returns the instances the queryset would, with the objects of its ``select_related`` and its
    annotations (``select_for_update`` included, for a call inside a transaction)."""

    def __call__(self, **arguments) -> list:
        compiler, rows = self._run(arguments)
        return list(_instances(compiler, rows))


def _instances(compiler, rows):
    """Model instances from compiled rows, built as Django's ``ModelIterable`` builds them."""
    db, select, klass_info = compiler.using, compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, db)
    annotations = compiler.annotation_col_map.items()
    for row in compiler.results_iter(results=[rows]):
        instance = model.from_db(db, attnames, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        yield instance


def _padded(values: list) -> list:
    """``values`` up to the next power of two in length, repeating its last item."""
    if not values:
        raise ImproperlyConfigured("A compiled read takes no empty list: nothing could match it.")
    return values + values[-1:] * ((1 << (len(values) - 1).bit_length()) - len(values))


def _stand_in(value, n: int):
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**62) - n
    if isinstance(value, str):
        return f"\x1f stand-in {n}"
    if isinstance(value, date) and not isinstance(value, datetime):
        return date(1, 1, 1) + timedelta(days=n)
    raise ImproperlyConfigured(f"A compiled read takes integers, strings and dates, not {type(value).__name__}")


def _slot(names: dict, param):
    """Which argument ``param`` stands in for (a date may reach the parameters as its ISO text), or None."""
    for name, stand_in in names.items():
        if type(param) is type(stand_in) and param == stand_in:
            return name
        if isinstance(stand_in, date) and param == stand_in.isoformat():
            return name
    return None


def _argument(arguments: dict, name: tuple):
    key, index = name
    return arguments[key] if index is None else arguments[key][index]


def _as_parameter(value, stand_in_parameter):
    """The value in the form its stand-in reached the parameters."""
    return value.isoformat() if isinstance(stand_in_parameter, str) and isinstance(value, date) else value
