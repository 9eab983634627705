"""Keyset pagination: a page starts after (or ends before) a row named by its sort key, not
at a row offset. Page 1,000 then costs what page 1 costs (the index is entered at the
cursor instead of read through 50,000 entries), and a row added to the list never pushes
another one onto the next page: the next page starts right after the last row seen.

An ordering is a tuple of field paths as given to `order_by` ("-tally__score", "-id"),
all in one direction and ending with a unique column, so that a key names one position.
The condition is a row comparison, `(a, b, id) < (%s, %s, %s)`, which PostgreSQL answers
from an index on the same columns; the expanded form (`a < x OR (a = x AND ...)`) is
not an index bound and would scan every tie of the first column.

A cursor is the key of a row, as URL-safe base64 of a JSON list; it is checked against
the ordering's field types when read (a forged or stale one is simply no cursor).
"""

import base64
import binascii
import json
import math
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, Expression, F, Field, QuerySet, Value

# A cursor longer than this is refused unread (the longest real key is a few floats).
MAX_CURSOR_LENGTH = 400


class RowCompare(Expression):
    """`(column, ...) < (value, ...)` (or `>`): a condition `QuerySet.filter` accepts."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, columns: Sequence, operator: str, values: Sequence):
        if operator not in ("<", ">") or len(columns) != len(values) or not columns:
            raise ValueError("a row comparison needs < or > and as many values as columns")
        super().__init__()
        self.columns = list(columns)
        self.operator = operator
        self.values = [Value(value) for value in values]

    def get_source_expressions(self):
        return [*self.columns, *self.values]

    def set_source_expressions(self, expressions):
        count = len(self.columns)
        self.columns, self.values = list(expressions[:count]), list(expressions[count:])

    def as_sql(self, compiler, connection):
        sql, params = [], []
        for side in (self.columns, self.values):
            parts = []
            for expression in side:
                part_sql, part_params = compiler.compile(expression)
                parts.append(part_sql)
                params.extend(part_params)
            sql.append("(" + ", ".join(parts) + ")")
        return f"{sql[0]} {self.operator} {sql[1]}", params


def direction(ordering: Sequence[str]) -> bool:
    """True if the ordering is descending. Mixed directions have no single row comparison."""
    descending = {name.startswith("-") for name in ordering}
    if len(descending) != 1:
        raise ValueError(f"keyset pagination needs one direction: {ordering}")
    return descending.pop()


def keyset_filter(queryset: QuerySet, ordering: Sequence[str], *, after=None, before=None):
    """`queryset` (already ordered by `ordering`) limited to the rows after the key `after`,
    or to those before `before` in reverse order (read them, then reverse the list: the
    index is then read backwards from the cursor)."""
    descending = direction(ordering)
    columns = [F(name.lstrip("-")) for name in ordering]
    if after is not None:
        return queryset.filter(RowCompare(columns, "<" if descending else ">", after))
    if before is not None:
        return queryset.filter(RowCompare(columns, ">" if descending else "<", before)).reverse()
    return queryset


def row_key(row, ordering: Sequence[str]) -> list:
    """The values of `ordering`'s fields on a fetched row (related objects followed)."""
    key = []
    for name in ordering:
        value = row
        for part in name.lstrip("-").split("__"):
            value = getattr(value, part)
        key.append(value)
    return key


def cursor_encode(key: Sequence) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    text = json.dumps(plain, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(token: str | None, fields: Sequence[Field]) -> list | None:
    """The key a cursor names, each value converted by its field; None for no cursor or
    one that is not a key of these fields (damaged, forged, or of another order)."""
    if not token or len(token) > MAX_CURSOR_LENGTH:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(values, list) or len(values) != len(fields):
        return None
    key = []
    for value, field in zip(values, fields, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        try:
            converted = field.to_python(value)
        except (ValidationError, ValueError, TypeError, OverflowError):
            return None
        if converted is None or (isinstance(converted, int) and abs(converted) >= 2**63):
            return None
        if isinstance(converted, datetime) and converted.tzinfo is None:
            return None  # every stored time is aware; a naive one was not made by us
        key.append(converted)
    return key


def ordering_fields(queryset: QuerySet, ordering: Sequence[str]) -> list[Field]:
    """The model field (or annotation's output field) of each name in `ordering`."""
    fields = []
    for name in ordering:
        path = name.lstrip("-")
        if path in queryset.query.annotations:
            fields.append(queryset.query.annotations[path].output_field)
            continue
        model, field = queryset.model, None
        for part in path.split("__"):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:  # "idea_id": the attribute of a foreign key
                field = next(f for f in model._meta.concrete_fields if f.attname == part)
            model = field.related_model or model
        if field.is_relation:  # a key column named by its relation: compare its target
            field = field.target_field
        fields.append(field)
    return fields
