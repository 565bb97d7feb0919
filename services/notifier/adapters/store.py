"""The notifier's documents in MongoDB (FerretDB v1: the hot path only inserts).

- member_versions: each (location, client)'s picture as a log of versions, the version log of
  shared.aggregates.store (its unit of work, its outbox for the audience events); every member
  lives in memory (MemberBook), so reads never query the database
- audiences, templates, journeys, newsletters: staff definitions, few and small
- journey_steps: a scheduled step per (journey, location, client, entry, step), `_id` = its message id
- messages: one per message, `_id` deterministic from its cause
- delivery_claims: the unique insert that allows exactly one SMTP attempt per message id
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.notifier.adapters.member_book import MemberBook
from shared.wiring.mongo import is_duplicate_key, only_duplicate_keys

class NotifierStore:
    def __init__(self, db: AsyncDatabase, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 trust_for: timedelta = timedelta(seconds=60)) -> None:
        """`now` and `trust_for`: the clock of the members' log and how long its book trusts a
        version for writing (the log's Retention.trust_cache)."""
        self.book = MemberBook(db["member_versions"], now, trust_for)
        self._member_log = db["member_versions"]
        self.audiences, self.templates = db["audiences"], db["templates"]
        self.journeys, self.newsletters, self.steps = db["journeys"], db["newsletters"], db["journey_steps"]
        self.messages, self.claims = db["messages"], db["delivery_claims"]

    async def ensure_indexes(self) -> None:
        await self.steps.create_index([("status", 1), ("due_at", 1)])
        await self.messages.create_index([("status", 1)])
        await self.messages.create_index([("location_id", 1), ("client_id", 1)])
        await self.newsletters.create_index([("status", 1), ("send_at", 1)])

    async def insert_new(self, collection: str, doc: dict) -> bool:
        """Insert unless the `_id` exists; False when it did (a replay or a racing twin)."""
        try:
            await getattr(self, collection).insert_one(doc)
        except Exception as error:
            if is_duplicate_key(error):
                return False
            raise
        return True

    async def get(self, collection: str, id_: str) -> dict | None:
        return await getattr(self, collection).find_one({"_id": id_})

    async def all(self, collection: str) -> list[dict]:
        return await getattr(self, collection).find({}).to_list()

    async def member(self, key: str) -> dict | None:
        """The member as stored now, not as this instance's book has it: another instance may have
        folded its latest change (its profile, say) a moment ago, and the member feed brings that
        to the book a moment later. What a one-off message or a journey step is judged on (one read)."""
        latest = await self._member_log.find({"key": key}).sort("version", -1).limit(1).to_list()
        return latest[0]["state"] if latest else None

    async def audience_members(self, audience_id: str, locations: Iterable[str] | None = None) -> list[dict]:
        return list(self.book.inside(audience_id, locations))

    async def insert_all_new(self, collection: str, docs: list[dict]) -> set[str]:
        """Insert each unless its `_id` exists (unordered, one round trip); returns the new ids."""
        if not docs:
            return set()
        taken: set[str] = set()
        try:
            await getattr(self, collection).insert_many(docs, ordered=False)
        except BulkWriteError as error:
            if not only_duplicate_keys(error):
                raise
            failures = error.details["writeErrors"]
            taken = {docs[f["index"]]["_id"] for f in failures}
        return {doc["_id"] for doc in docs} - taken

    async def cancel_steps(self, audience_id: str, location_id: str, client_id: str, entry: int) -> None:
        query = {"audience_id": audience_id, "location_id": location_id, "client_id": client_id,
                 "entry": entry, "status": "pending"}
        await self.steps.update_many(query, {"$set": {"status": "cancelled", "reason": "left the audience"}})

    async def due_steps(self, now: datetime) -> list[dict]:
        return await self.steps.find({"status": "pending", "due_at": {"$lte": now}}).sort("due_at", 1).to_list()

    async def set_step(self, step_id: str, status: str, reason: str | None = None) -> None:
        await self.steps.update_one({"_id": step_id}, {"$set": {"status": status, "reason": reason}})

    async def due_newsletters(self, now: datetime) -> list[dict]:
        return await self.newsletters.find({"status": "scheduled", "send_at": {"$lte": now}}).to_list()

    async def set_newsletter(self, newsletter_id: str, status: str, recipients: int) -> None:
        await self.newsletters.update_one({"_id": newsletter_id}, {"$set": {"status": status, "recipients": recipients}})

    async def claim(self, message_id: str, at: datetime, wall: float, by: str | None = None) -> bool:
        """The one SMTP attempt a message ever gets: False if it was claimed before. `by` names the
        claimer, so one whose insert answered with an error can tell its own claim on the next try."""
        return await self.insert_new("claims", {"_id": message_id, "at": at, "wall": wall, "by": by})

    async def claim_all(self, message_ids: list[str], at: datetime, wall: float, by: str | None = None) -> set[str]:
        """`claim` for many in one round trip: the ids claimed now (not before)."""
        return await self.insert_all_new("claims", [{"_id": i, "at": at, "wall": wall, "by": by}
                                                    for i in message_ids])

    async def claims_of(self, message_ids: list[str]) -> list[dict]:
        return await self.claims.find({"_id": {"$in": message_ids}}).to_list()

    async def set_outcomes(self, messages: list[dict]) -> None:
        groups: dict[tuple, list[dict]] = {}
        for m in messages:
            groups.setdefault((m["status"], m["reason"], m["updated_at"]), []).append(m)
        for (status, reason, at), group in groups.items():
            await self._update_messages(group, {"status": status, "reason": reason, "updated_at": at,
                                                "published": False})

    async def mark_published(self, messages: list[dict]) -> None:
        await self._update_messages(messages, {"published": True})

    async def _update_messages(self, messages: list[dict], changes: dict) -> None:
        """One update per chunk: the chunk equality is pushed down to PostgreSQL, so FerretDB reads
        only that chunk's rows (an `_id $in` alone would read the whole collection into Go)."""
        chunks: dict[str, list[str]] = {}
        for m in messages:
            chunks.setdefault(m["chunk"], []).append(m["_id"])
        for chunk, ids in chunks.items():
            if len(ids) == 1:
                for id_ in ids:
                    await self.messages.update_one({"_id": id_}, {"$set": changes})
            else:
                await self.messages.update_many({"chunk": chunk, "_id": {"$in": ids}}, {"$set": changes})

    async def messages_in(self, status: str, limit: int = 200) -> list[dict]:
        return await self.messages.find({"status": status}).sort("created_at", 1).limit(limit).to_list()

    async def update_message(self, message_id: str, changes: dict) -> None:
        await self.messages.update_one({"_id": message_id}, {"$set": changes})

    async def unpublished_outcomes(self) -> list[dict]:
        return await self.messages.find({"published": False}).to_list()

    async def client_messages(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.messages.find(query).sort("created_at", -1).to_list()

    async def journey_steps(self, journey_id: str, location_id: str, from_client: str | None,
                            limit: int) -> list[dict]:
        """A location's steps of a journey by client, entry and step: two top-level equalities
        (what FerretDB hands to PostgreSQL); the range and the order run over that location only."""
        query: dict = {"journey_id": journey_id, "location_id": location_id}
        if from_client is not None:
            query["client_id"] = {"$gte": from_client}
        order = [("client_id", 1), ("entry", 1), ("step", 1)]
        return await self.steps.find(query).sort(order).limit(limit).to_list()

    async def origin_messages(self, origin_id: str, location_id: str | None, client_ids: list[str] | None = None,
                              fields: tuple[str, ...] = ("status",)) -> list[dict]:
        """The messages a journey or newsletter made (at one location, or everywhere)."""
        query: dict = {"origin_id": origin_id}
        if location_id is not None:
            query["location_id"] = location_id
        if client_ids is not None:
            query["client_id"] = {"$in": client_ids}
        return await self.messages.find(query, {f: 1 for f in fields}).to_list()
