"""An in-memory NotifierStore and the notifier's staff routes served over ASGI, for route tests."""

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
from fastapi import FastAPI

from services.notifier.service_layer.dispatcher import Dispatcher
from services.notifier.domain.members import member_key, new_member, with_ledger_entry, with_profile
from services.notifier.entrypoints import dependencies, routes
from services.notifier.service_layer.catalog import Catalog
from services.notifier.service_layer.definitions import Definitions
from services.notifier.service_layer.marketing import MarketingViews
from services.notifier.adapters.store import MemberBook
from shared.wiring.auth import mint_token
from shared.wiring.clock import ManualClock
from shared.wiring.dependencies import IDEMPOTENT, SETTINGS, IdempotentCommands
from shared.wiring.http import install_error_handlers

SECRET = "unit-secret-unit-secret-unit-secret"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


class FakeNotifierStore:
    """The documents by collection; members by key (the MemberBook's picture)."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, dict]] = {c: {} for c in (
            "audiences", "templates", "journeys", "newsletters", "steps", "messages", "claims")}
        self.book = MemberBook(log=None)  # the real in-memory book, never loaded or written
        self.queries: list[dict] = []  # the filters of journey_steps / origin_messages

    def add_member(self, location_id: str, client_id: str, balance_minor: int = 0, inside: tuple[str, ...] = (),
                   **profile) -> dict:
        member = with_profile(new_member(location_id, client_id), {"first_name": "Ada", "last_name": "Lovelace",
                                                                   "email": "ada@example.com", **profile})
        member = with_ledger_entry(member, 1, balance_minor, "USD")
        member["audiences"] = {a: {"in": True, "entry": 1, "since": NOW.isoformat()} for a in inside}
        self.book._put(member["_id"], len(self.book.keys()) + 1, member)
        return member

    async def insert_new(self, collection: str, doc: dict) -> bool:
        if doc["_id"] in self.docs[collection]:
            return False
        self.docs[collection][doc["_id"]] = dict(doc)
        return True

    async def insert_all_new(self, collection: str, docs: list[dict]) -> set[str]:
        return {d["_id"] for d in docs if await self.insert_new(collection, d)}

    async def get(self, collection: str, id_: str) -> dict | None:
        return self.docs[collection].get(id_)

    async def all(self, collection: str) -> list[dict]:
        return list(self.docs[collection].values())

    async def member(self, key: str) -> dict | None:
        return self.book.member(key)

    async def claim_all(self, message_ids: list[str], at, wall: float, by: str | None = None) -> set[str]:
        return await self.insert_all_new("claims", [{"_id": i, "at": at, "wall": wall, "by": by} for i in message_ids])

    async def claims_of(self, message_ids: list[str]) -> list[dict]:
        return [self.docs["claims"][i] for i in message_ids if i in self.docs["claims"]]

    async def set_outcomes(self, messages: list[dict]) -> None:
        for m in messages:
            self.docs["messages"][m["_id"]].update({k: m[k] for k in ("status", "reason", "updated_at")},
                                                   published=False)

    async def mark_published(self, messages: list[dict]) -> None:
        for m in messages:
            self.docs["messages"][m["_id"]]["published"] = True

    async def messages_in(self, status: str, limit: int = 200) -> list[dict]:
        return [dict(m) for m in self.docs["messages"].values() if m["status"] == status][:limit]

    async def unpublished_outcomes(self) -> list[dict]:
        return [dict(m) for m in self.docs["messages"].values() if m["published"] is False]

    async def client_messages(self, location_id: str, client_id: str) -> list[dict]:
        found = [m for m in self.docs["messages"].values()
                 if (m["location_id"], m["client_id"]) == (location_id, client_id)]
        return sorted(found, key=lambda m: m["created_at"], reverse=True)

    async def audience_members(self, audience_id: str, locations=None) -> list[dict]:
        return list(self.book.inside(audience_id, locations))

    async def due_newsletters(self, now) -> list[dict]:
        return [n for n in self.docs["newsletters"].values() if n["status"] == "scheduled" and n["send_at"] <= now]

    async def set_newsletter(self, newsletter_id: str, status: str, recipients: int) -> None:
        self.docs["newsletters"][newsletter_id].update(status=status, recipients=recipients)

    async def journey_steps(self, journey_id: str, location_id: str, from_client: str | None, limit: int):
        self.queries.append({"journey_id": journey_id, "location_id": location_id})
        found = [s for s in self.docs["steps"].values() if (s["journey_id"], s["location_id"]) == (journey_id, location_id)
                 and (from_client is None or s["client_id"] >= from_client)]
        return sorted(found, key=lambda s: (s["client_id"], s["entry"], s["step"]))[:limit]

    async def origin_messages(self, origin_id: str, location_id: str | None, client_ids=None, fields=("status",)):
        self.queries.append({"origin_id": origin_id, **({"location_id": location_id} if location_id else {})})
        return [m for m in self.docs["messages"].values() if m["origin_id"] == origin_id
                and location_id in (None, m["location_id"]) and (client_ids is None or m["client_id"] in client_ids)]


class FakeFeed:
    """The member feed as Definitions uses it: what this instance announced it defined."""

    def __init__(self) -> None:
        self.audiences: list[dict] = []
        self.journeys: list[dict] = []

    async def defined(self, audiences=(), journeys=()) -> None:
        self.audiences += audiences
        self.journeys += journeys


def served(store: FakeNotifierStore | None = None, locations=("*",), mailer=None, members=None):
    """(http client, store, definitions) with an admin token for `locations`."""
    store = store or FakeNotifierStore()
    clock, catalog = ManualClock(NOW), Catalog(store)

    async def publish(events: list[dict]) -> None:
        pass

    dispatcher = Dispatcher(store, mailer, publish, clock, retry_delays=(0,), member_waits=(0,))
    definitions = Definitions(store, catalog, members, dispatcher, asyncio.Event(), clock, FakeFeed())
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(routes.router)
    views = MarketingViews(store, catalog)
    app.dependency_overrides.update({
        SETTINGS: lambda: SimpleNamespace(staff_jwt_secret=SECRET), dependencies.STORE: lambda: store,
        dependencies.DEFINITIONS: lambda: definitions, dependencies.VIEWS: lambda: views,
        IDEMPOTENT: lambda: IdempotentCommands(None, clock)})
    return client_for(app, locations), store, definitions


def client_for(app: FastAPI, locations, sub: str = "staff-1") -> httpx.AsyncClient:
    token = mint_token(SECRET, sub, "admin", list(locations))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test",
                             headers={"Authorization": f"Bearer {token}"})


def key(location_id: str, client_id: str) -> str:
    return member_key(location_id, client_id)
