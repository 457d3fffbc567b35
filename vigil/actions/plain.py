"""Rows read in bulk without building Django model instances: the force-wide re-evaluation's
hot path (`vigil.actions.bulk`).

A model instance costs far more to build than its row costs to read (every foreign key goes
through its descriptor, every field through `Model.__init__`): at 10,000 cases the batched
path spent more time making instances than querying. Here a query's values (`values_list`)
become either

- a `Row`: a plain object with the attributes an instance of the model would have (every
  concrete field's `attname`, and `pk`), for the facts that `build_document` only reads; or
- a model instance filled in directly (`instances`), for rows a batch may change and save
  (`bulk_update` needs real instances), skipping `Model.__init__`.

Only columns are read: a relation is a `Related` list of rows attached by the caller, with
the `.all()` of a prefetched manager, so code written against instances reads rows unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, TypeVar

from django.db import models
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)


class Row(SimpleNamespace):
    """One row's values as attributes (`pk`, and each concrete field by its `attname`)."""


class Related(list[Any]):
    """The rows of a relation, read as a prefetched manager is (`.all()`)."""

    def all(self) -> Related:
        return self


def columns(model: type[models.Model], *, skip: Iterable[str] = ()) -> list[str]:
    """The attnames of the model's concrete fields, less `skip` (by name or attname)."""
    left_out = set(skip)
    return [f.attname for f in model._meta.concrete_fields if f.name not in left_out and f.attname not in left_out]


def rows(queryset: models.QuerySet[Any], *, skip: Iterable[str] = (), extra: Iterable[str] = ()) -> list[Row]:
    """The queryset's rows as `Row`s, in its order: every concrete field less `skip`, and the
    lookups in `extra` (a related column, `case__victim_id`, named with `__`)."""
    names = [*columns(queryset.model, skip=skip), *extra]
    pk = queryset.model._meta.pk
    assert pk is not None
    at = names.index(pk.attname)
    found = []
    for values in queryset.values_list(*names):
        row = Row(**dict(zip(names, values, strict=True)))
        row.pk = values[at]
        found.append(row)
    return found


def pairs(queryset: models.QuerySet[Any], key: str, value: str) -> dict[Any, Related]:
    """`value` grouped by `key`, in the queryset's order: a relation's rows by their owner."""
    grouped: dict[Any, Related] = defaultdict(Related)
    for k, v in queryset.values_list(key, value):
        grouped[k].append(v)
    return grouped


def instances(queryset: models.QuerySet[M]) -> list[M]:
    """The queryset's rows as instances of its model, every concrete field read, built without
    `Model.__init__` (as `Model.from_db` would leave them: saved, on this database)."""
    model = queryset.model
    names = columns(model)
    alias = queryset.db
    found: list[M] = []
    new = model.__new__
    for values in queryset.values_list(*names):
        obj = new(model)
        obj.__dict__.update(zip(names, values, strict=True))
        state = ModelState()
        state.adding = False
        state.db = alias
        obj._state = state
        found.append(obj)
    return found
