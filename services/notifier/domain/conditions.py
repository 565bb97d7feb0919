"""Audiences: who meets a condition on the facts the notifier keeps per (location, client)."""

import operator
from dataclasses import dataclass

OPERATORS = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge, "eq": operator.eq}


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: int

    def holds(self, facts: dict) -> bool:
        """A fact the client does not have (no package expiring) never meets a condition."""
        actual = facts.get(self.field)
        return actual is not None and OPERATORS[self.op](actual, self.value)


@dataclass(frozen=True)
class Audience:
    id: str
    name: str
    condition: Condition
    location_ids: frozenset[str] = frozenset()  # empty: every location

    def admits(self, location_id: str, facts: dict) -> bool:
        in_scope = not self.location_ids or location_id in self.location_ids
        return in_scope and self.condition.holds(facts)


OWING_BALANCE = Audience("owing-balance", "Customers Owing Account Balance",
                         Condition("account_balance_minor", "lt", 0))


def audience_from(doc: dict) -> Audience:
    condition = Condition(**doc["condition"])
    return Audience(doc["_id"], doc["name"], condition, frozenset(doc.get("location_ids") or ()))


def audience_document(audience: Audience) -> dict:
    condition = {"field": audience.condition.field, "op": audience.condition.op, "value": audience.condition.value}
    return {"_id": audience.id, "name": audience.name, "condition": condition,
            "location_ids": sorted(audience.location_ids)}
