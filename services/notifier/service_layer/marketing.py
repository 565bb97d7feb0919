"""The marketing read side for staff: audiences with member counts, members, journeys with their
entries, newsletters with their outcomes, each within the locations the caller may see.

`wanted` is the set of locations a request reads (None: every location). Members are read from
the in-memory MemberBook; steps and messages with one query per location whose filter is
top-level equalities (what FerretDB v1 hands to PostgreSQL), merged in location order.
"""

from collections import Counter

from services.notifier.domain.conditions import OWING_BALANCE, Audience
from services.notifier.domain.members import full_name, member_key
from services.notifier.domain.paging import encode_cursor, entries_of, narrowed, overlaps
from services.notifier.service_layer.catalog import Catalog
from services.notifier.adapters.store import NotifierStore

OUTCOMES = ("queued", "sent", "failed", "skipped")


class MarketingViews:
    def __init__(self, store: NotifierStore, catalog: Catalog) -> None:
        self.store, self.catalog = store, catalog

    def audiences(self, staff_locations: frozenset[str] | None, wanted: frozenset[str] | None) -> list[dict]:
        usable = [a for a in self.catalog.audiences.values() if overlaps(staff_locations, a.location_ids)]
        return [self._audience_view(a, narrowed(wanted, a.location_ids)) for a in sorted(usable, key=_by_name)]

    def members(self, audience: Audience, wanted: frozenset[str] | None, after: tuple | None, limit: int) -> dict:
        found = self.store.book.page(audience.id, narrowed(wanted, audience.location_ids), after, limit + 1)
        page = found[:limit]
        last = page[-1] if len(found) > limit else None
        return {"audience_id": audience.id, "items": [member_view(m, audience.id) for m in page],
                "next_cursor": encode_cursor(last["location_id"], last["client_id"]) if last else None}

    async def journeys(self, wanted: frozenset[str] | None) -> list[dict]:
        """Journeys that reach at least one of the `wanted` locations."""
        names = await self._template_names()
        docs = [d for d in await self.store.all("journeys") if overlaps(wanted, *self.scopes_of(d))]
        return [self._journey_view(d, names) for d in sorted(docs, key=lambda d: (d["name"], d["_id"]))]

    async def entries(self, journey: dict, wanted: frozenset[str] | None, after: tuple | None, limit: int) -> dict:
        locations = narrowed(wanted, *self.scopes_of(journey))
        found = await self._entries(journey, locations, after, limit + 1)
        page = found[:limit]
        outcomes = await self._step_outcomes(journey["_id"], page)
        names = await self._template_names()
        return {"journey_id": journey["_id"], "items": [self._entry_view(e, outcomes, names) for e in page],
                "next_cursor": encode_cursor(*page[-1]["position"]) if len(found) > limit else None}

    async def newsletters(self, wanted: frozenset[str] | None) -> list[dict]:
        """Newsletters that reach at least one of the `wanted` locations, their outcomes counted there."""
        names = await self._template_names()
        docs = [d for d in await self.store.all("newsletters") if overlaps(wanted, *self.scopes_of(d))]
        docs.sort(key=lambda d: (d["send_at"], d["_id"]), reverse=True)
        return [await self._newsletter_view(d, narrowed(wanted, *self.scopes_of(d)), names) for d in docs]

    def _audience_view(self, audience: Audience, locations: frozenset[str] | None) -> dict:
        counts = self.store.book.counts(audience.id, locations)
        return {"audience_id": audience.id, "name": audience.name, "built_in": audience.id == OWING_BALANCE.id,
                "condition": {"field": audience.condition.field, "op": audience.condition.op,
                              "value": audience.condition.value},
                "location_ids": sorted(audience.location_ids), "members": sum(counts.values()),
                "members_by_location": [{"location_id": loc, "members": n} for loc, n in sorted(counts.items())]}

    def scopes_of(self, doc: dict) -> tuple[frozenset[str], frozenset[str]]:
        """A journey's or newsletter's own locations and its audience's (empty: every location)."""
        audience = self.catalog.audiences.get(doc["audience_id"])
        return frozenset(doc.get("location_ids") or ()), audience.location_ids if audience else frozenset()

    def _audience_name(self, audience_id: str) -> str | None:
        audience = self.catalog.audiences.get(audience_id)
        return audience.name if audience else None

    def _journey_view(self, doc: dict, names: dict) -> dict:
        steps = [{"after": s["after"], "template_id": s["template_id"], "template_name": names.get(s["template_id"])}
                 for s in doc["steps"]]
        return {"journey_id": doc["_id"], "name": doc["name"], "audience_id": doc["audience_id"],
                "audience_name": self._audience_name(doc["audience_id"]), "steps": steps,
                "location_ids": doc.get("location_ids") or [], "include_existing": doc.get("include_existing", False),
                "created_at": doc.get("created_at")}

    async def _entries(self, journey: dict, locations: frozenset[str] | None, after: tuple | None,
                       wanted: int) -> list[dict]:
        found: list[dict] = []
        for location_id in sorted(self.store.book.locations() if locations is None else locations):
            if after and location_id < after[0]:
                continue
            start = after if after and location_id == after[0] else None
            found += await self._entries_at(journey, location_id, start, wanted - len(found))
            if len(found) >= wanted:
                return found[:wanted]
        return found

    async def _entries_at(self, journey: dict, location_id: str, after: tuple | None, wanted: int) -> list[dict]:
        """Up to `wanted` whole entries at one location after `after`; fetches more steps until it has them."""
        size = (wanted + 1) * len(journey["steps"])
        while True:
            steps = await self.store.journey_steps(journey["_id"], location_id, after[1] if after else None, size)
            entries = [e for e in entries_of(steps) if not after or e["position"] > tuple(after)]
            complete = entries if len(steps) < size else entries[:-1]  # the last may be cut short
            if len(complete) >= wanted or len(steps) < size:
                return complete[:wanted]
            size *= 2

    async def _step_outcomes(self, journey_id: str, entries: list[dict]) -> dict[str, dict]:
        by_location: dict[str, set[str]] = {}
        for entry in entries:
            by_location.setdefault(entry["position"][0], set()).add(entry["position"][1])
        outcomes = {}
        for location_id, clients in sorted(by_location.items()):
            for message in await self.store.origin_messages(journey_id, location_id, sorted(clients),
                                                            ("status", "reason")):
                outcomes[message["_id"]] = message
        return outcomes

    def _entry_view(self, entry: dict, outcomes: dict, names: dict) -> dict:
        location_id, client_id, number = entry["position"]
        member = self.store.book.member(member_key(location_id, client_id)) or {"profile": {}}
        return {"location_id": location_id, "client_id": client_id, "full_name": full_name(member["profile"]),
                "entry": number, "steps": [_step_view(s, outcomes.get(s["_id"]), names) for s in entry["steps"]]}

    async def _newsletter_view(self, doc: dict, locations: frozenset[str] | None, names: dict) -> dict:
        counted: Counter = Counter()
        for place in [None] if locations is None else sorted(locations):
            counted.update(m["status"] for m in await self.store.origin_messages(doc["_id"], place))
        return {"newsletter_id": doc["_id"], "audience_id": doc["audience_id"],
                "audience_name": self._audience_name(doc["audience_id"]), "template_id": doc["template_id"],
                "template_name": names.get(doc["template_id"]), "send_at": doc["send_at"], "status": doc["status"],
                "location_ids": doc.get("location_ids") or [], "outcomes": {o: counted[o] for o in OUTCOMES}}

    async def _template_names(self) -> dict[str, str]:
        return {t["_id"]: t.get("name") for t in await self.store.all("templates")}


def member_view(doc: dict, audience_id: str) -> dict:
    state, profile = doc["audiences"][audience_id], doc["profile"]
    return {"location_id": doc["location_id"], "client_id": doc["client_id"], "full_name": full_name(profile),
            "email": profile.get("email"), "balance_minor": doc["balance_minor"], "currency": doc["currency"],
            "entry": state["entry"], "since": state["since"]}


def _step_view(step: dict, message: dict | None, names: dict) -> dict:
    """A queued step shows its message's outcome (sent, failed, skipped, still queued)."""
    status, reason = step["status"], step.get("reason")
    if status == "queued" and message is not None:
        status, reason = message["status"], message.get("reason")
    return {"step": step["step"], "template_id": step["template_id"], "template_name": names.get(step["template_id"]),
            "due_at": step["due_at"], "status": status, "reason": reason}


def _by_name(audience: Audience) -> tuple:
    return (audience.id != OWING_BALANCE.id, audience.name.casefold(), audience.id)
