"""Facts: the rows projections write, and how two writes of the same row combine.

Every projection turns an event into facts: rows keyed by a natural id (an application,
an enrolment, a spelling of an institution), each column set by the events that know it.
Two facts about the same row merge by each column's policy. The policies are chosen so
that merging is idempotent (a fact merged twice changes nothing) and commutative (facts
merged in any order give the same row): that is what makes the projections indifferent to
duplicate delivery, to the race between topics, and to a rebuild replaying everything.
The same policies are applied in Python (within a batch) and in SQL (against the table).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Keep:
    """An attribute that never changes: the first value known is kept (every source agrees on it)."""


@dataclass(frozen=True, slots=True)
class Greatest:
    """The greatest value seen (e.g. the last time something happened)."""


@dataclass(frozen=True, slots=True)
class Least:
    """The least value seen (e.g. the first time something happened)."""


@dataclass(frozen=True, slots=True)
class Latest:
    """Taken together with the other columns of the group from the fact with the greatest `by`.

    The `by` columns belong to the group; a fact whose first `by` column is empty does not
    touch the group. Ties keep what is there: facts that tie carry the same values.
    """

    by: tuple[str, ...]


Policy = Keep | Greatest | Least | Latest

ColumnType = type
"""str, int, bool, Decimal, datetime, date or UUID."""


@dataclass(frozen=True, slots=True)
class Column:
    type: ColumnType
    policy: Policy = Keep()


@dataclass(frozen=True, eq=False)
class FactTable:
    """A projection table: its key columns and, for every other column, its type and merge policy."""

    name: str
    key: Mapping[str, ColumnType]
    columns: Mapping[str, Column]
    indexes: tuple[tuple[str, ...], ...] = field(default=())

    def __post_init__(self) -> None:
        for name, column in self.columns.items():
            if isinstance(column.policy, Latest):
                missing = [by for by in column.policy.by if by not in self.columns]
                if missing:
                    raise ValueError(f"{self.name}.{name}: ordering column(s) {missing} are not columns")
                for by in column.policy.by:
                    if self.columns[by].policy != column.policy:
                        raise ValueError(f"{self.name}.{by} orders a group, so it must belong to it")

    @property
    def column_names(self) -> list[str]:
        return [*self.key, *self.columns]


@dataclass(frozen=True, slots=True)
class Fact:
    """One row's worth of what an event says; columns it does not know are left out."""

    table: FactTable
    values: Mapping[str, Any]

    @property
    def key(self) -> tuple[Any, ...]:
        return tuple(self.values[name] for name in self.table.key)


def _ordering(row: Mapping[str, Any], by: tuple[str, ...]) -> tuple[Any, ...] | None:
    first = row.get(by[0])
    if first is None:
        return None
    return tuple(row.get(name) for name in by)


@dataclass(frozen=True)
class _Layout:
    keep: tuple[str, ...]
    greatest: tuple[str, ...]
    least: tuple[str, ...]
    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


_LAYOUTS: dict[int, _Layout] = {}


def _layout(table: FactTable) -> _Layout:
    found = _LAYOUTS.get(id(table))
    if found is None:
        groups: dict[tuple[str, ...], list[str]] = {}
        for name, column in table.columns.items():
            if isinstance(column.policy, Latest):
                groups.setdefault(column.policy.by, []).append(name)

        def named(kind: type) -> tuple[str, ...]:
            return tuple(name for name, column in table.columns.items() if isinstance(column.policy, kind))

        found = _Layout(
            named(Keep), named(Greatest), named(Least), tuple((by, tuple(c)) for by, c in groups.items())
        )
        _LAYOUTS[id(table)] = found
    return found


def merge_rows(table: FactTable, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The row that results from writing `new` over `old`, column by column by policy."""
    layout = _layout(table)
    merged = {name: old.get(name, new.get(name)) for name in table.key}
    for name in layout.keep:
        before = old.get(name)
        merged[name] = before if before is not None else new.get(name)
    for name in layout.greatest:
        before, after = old.get(name), new.get(name)
        merged[name] = after if before is None else before if after is None or after <= before else after
    for name in layout.least:
        before, after = old.get(name), new.get(name)
        merged[name] = after if before is None else before if after is None or after >= before else after
    for by, columns in layout.groups:
        new_order, old_order = _ordering(new, by), _ordering(old, by)
        source = new if new_order is not None and (old_order is None or new_order > old_order) else old
        for name in columns:
            merged[name] = source.get(name)
    return merged


def merge_facts(facts: Iterable[Fact]) -> dict[FactTable, dict[tuple[Any, ...], dict[str, Any]]]:
    """Facts combined per table and key: what a batch writes, one row per key."""
    tables: dict[FactTable, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for fact in facts:
        rows = tables.setdefault(fact.table, {})
        key = fact.key
        before = rows.get(key)
        # Projections give every column of a Latest group together with its ordering column, so a
        # first fact is its own merge with nothing.
        rows[key] = dict(fact.values) if before is None else merge_rows(fact.table, before, fact.values)
    return tables
