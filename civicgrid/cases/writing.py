"""A new case and the rows that come with it, written in one statement on PostgreSQL.

Intake writes a case, its ``register`` event, the idempotency key and a door's own row
(Open311's request). Saved one by one, that is a ``BEGIN``, the day's ``nextval``, four
``INSERT``s and a ``COMMIT``: seven round trips, each a wait for the database, where the
rows themselves cost the database little. ``insert_case`` sends them as one statement::

    WITH n AS (SELECT nextval('cases_number_20261207') AS v),
         c AS (INSERT INTO cases_case (…, number)
               VALUES (…, (SELECT '20261207-' || lpad(v::text, …) FROM n))
               RETURNING id, number),
         r0 AS (INSERT INTO cases_caseevent (case_id, …) VALUES ((SELECT id FROM c), …)
                RETURNING id),
         …
    SELECT (SELECT id FROM c), (SELECT number FROM c), (SELECT id FROM r0), …

Outside a transaction it runs on its own (autocommit): one round trip, all rows or none
— a statement is atomic, so a refused row (the key's unique index, a constraint) undoes
the case, and a worker killed while it runs leaves either every row or none (the
database finishes or drops the statement; no half-written intake). Inside a caller's
transaction it runs in a savepoint, so a refused key can be looked up afterwards.

The rows are model instances, not saved: every concrete column is written as ``save``
would write it (``pre_save`` for ``auto_now``, ``get_db_prep_save``), a foreign key to
the new case becomes ``(SELECT id FROM c)``. No ``pre_save``/``post_save`` signal is
sent (none is connected to these models). Elsewhere (SQLite) ``supported()`` is false
and intake saves the rows one by one in a transaction.
"""

import re
from collections.abc import Sequence
from enum import Enum
from typing import cast

from django.db import connection, models, transaction
from django.db.models import Field, Model

from .models import Case


def supported() -> bool:
    """Whether this database takes the one statement (data-modifying ``WITH``)."""
    return connection.vendor == "postgresql"


# Per model: (field, how its value is read): "prep" as ``save`` does (``pre_save``,
# ``get_db_prep_save``: JSON, ``auto_now``), "raw" the attribute itself (text, numbers,
# flags, ids, datetimes: what ``get_db_prep_save`` hands PostgreSQL unchanged).
_RAW = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
    models.ForeignKey,
)
_NAME = re.compile(r"[a-z0-9_]+")
_plans: dict[type, list[tuple[Field, bool]]] = {}
# The statement of each shape of intake (the rows' models and which of them point at
# the case), built once: the same text every time, so psycopg converts it once.
_statements: dict[tuple, str] = {}


def _plan(model: type[Model]) -> list[tuple[Field, bool]]:
    plan = _plans.get(model)
    if plan is None:
        meta = model._meta
        plan = []
        for field in meta.concrete_fields:
            if field is meta.auto_field:
                continue
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            raw = isinstance(field, _RAW) or (isinstance(field, models.DateTimeField) and not auto)
            plan.append((field, raw))
        _plans[model] = plan
    return plan


def _points_at(obj: Model, field: Field, case: Case) -> bool:
    return field.is_relation and cast(models.ForeignKey, field).get_cached_value(obj, None) is case


# Values written as SQL literals rather than parameters: a case has many empty columns
# at intake, and with fewer than 50 parameters psycopg keeps the statement converted.
_LITERALS: dict[type, str] = {type(None): "NULL", str: "''", int: "0"}


def _values(obj: Model, case: Case, params: list) -> tuple:
    """Append the values of an unsaved row to ``params``; return the fields written in
    SQL instead, as (position, SQL): the case's number, a reference to the case, and
    the empty values (``NULL``, ``''``, ``0``, ``TRUE``/``FALSE``)."""
    inline = []
    is_case = obj is case
    state = obj.__dict__
    for i, (field, raw) in enumerate(_plan(type(obj))):
        if raw:
            if field.is_relation:
                if cast(models.ForeignKey, field).get_cached_value(obj, None) is case:
                    inline.append((i, "(SELECT id FROM c)"))
                    continue
            elif is_case and field.name == "number":
                inline.append((i, _NUMBER))
                params.append(case.number)  # the day's prefix: the number is built in SQL
                continue
            value = state[field.attname]
            if isinstance(value, Enum):
                value = value.value
        else:
            value = field.get_db_prep_save(field.pre_save(obj, True), connection)
        kind = type(value)
        if kind is bool:
            inline.append((i, "TRUE" if value else "FALSE"))
        elif not value and kind in _LITERALS:
            inline.append((i, _LITERALS[kind]))
        else:
            params.append(value)
    return tuple(inline)


_NUMBER = "(SELECT %s || lpad(v::text, greatest(5, length(v::text)), '0') FROM n)"


def _insert(obj: Model, name: str, inline: tuple, returning: str) -> str:
    quote = connection.ops.quote_name
    written = dict(inline)
    columns, marks = [], []
    for i, (field, _raw) in enumerate(_plan(type(obj))):
        columns.append(quote(cast(str, field.column)))
        marks.append(written.get(i, "%s"))
    return (
        f"{name} AS (INSERT INTO {quote(obj._meta.db_table)} ({', '.join(columns)})"
        f" VALUES ({', '.join(marks)}) RETURNING {returning})"
    )


def _statement(case: Case, rows: Sequence[Model], shape: list[tuple], sequence: str) -> str:
    key = (sequence, *(type(obj) for obj in rows), *shape)
    sql = _statements.get(key)
    if sql is None:
        if not _NAME.fullmatch(sequence):
            raise ValueError(f"not a sequence name: {sequence!r}")
        if len(_statements) > 100:
            _statements.clear()  # yesterday's sequence
        parts = [f"n AS (SELECT nextval('{sequence}') AS v)"]
        parts.append(_insert(case, "c", shape[0], "id, number"))
        names = [f"r{i}" for i in range(len(rows))]
        parts += [
            _insert(row, name, own, f"{row._meta.pk.column} AS id")
            for row, name, own in zip(rows, names, shape[1:], strict=True)
        ]
        picks = ", ".join(["c.id", "c.number", *(f"{name}.id" for name in names)])
        sql = f"WITH {', '.join(parts)} SELECT {picks} FROM {', '.join(['c', *names])}"
        _statements[key] = sql
    return sql


def insert_case(case: Case, *, prefix: str, sequence: str, rows: Sequence[Model] = ()) -> None:
    """Insert ``case`` (its number ``prefix`` + the next value of ``sequence``, at least
    five digits) and ``rows`` (unsaved, pointing at the case) in one statement; sets
    their ids and the case's number. Raises ``IntegrityError`` with nothing written."""
    case.fill_copies()
    case.number = prefix
    params: list = []
    shape = [_values(obj, case, params) for obj in (case, *rows)]
    sql = _statement(case, rows, shape, sequence)
    if connection.in_atomic_block:
        # A savepoint: a refused row must not spoil the caller's transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
    case.number = found[1]
    for obj, pk in zip((case, *rows), (found[0], *found[2:]), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    for row in rows:
        for field, _raw in _plan(type(row)):
            if field.is_relation and _points_at(row, field, case):
                setattr(row, field.name, case)  # the id, and the case kept as loaded
