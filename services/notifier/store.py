"""The notifier's documents in MongoDB (FerretDB v1: hot paths are `_id` lookups and inserts).

- members: one per (location, client), `_id` "<location>|<client>", written by one writer per key
- audiences, templates, journeys, newsletters: staff definitions, few and small
- journey_steps: a scheduled step per (journey, location, client, entry, step), `_id` = its message id
- messages: one per message, `_id` deterministic from its cause
- delivery_claims: the unique insert that allows exactly one SMTP attempt per message id
"""

from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from shared.wiring.mongo import is_duplicate_key


class NotifierStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.members, self.audiences, self.templates = db["members"], db["audiences"], db["templates"]
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

    async def save_member(self, member: dict) -> None:
        await self.members.replace_one({"_id": member["_id"]}, member, upsert=True)

    async def audience_members(self, audience_id: str) -> list[dict]:
        return await self.members.find({f"audiences.{audience_id}.in": True}).to_list()

    async def member_ids(self) -> list[str]:
        return [d["_id"] for d in await self.members.find({}, {"_id": 1}).to_list()]

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

    async def claim(self, message_id: str, at: datetime, wall: float) -> bool:
        """The one SMTP attempt a message ever gets: False if it was claimed before."""
        return await self.insert_new("claims", {"_id": message_id, "at": at, "wall": wall})

    async def messages_in(self, status: str, limit: int = 200) -> list[dict]:
        return await self.messages.find({"status": status}).sort("created_at", 1).limit(limit).to_list()

    async def update_message(self, message_id: str, changes: dict) -> None:
        await self.messages.update_one({"_id": message_id}, {"$set": changes})

    async def unpublished_outcomes(self) -> list[dict]:
        return await self.messages.find({"published": False}).to_list()

    async def client_messages(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.messages.find(query).sort("created_at", -1).to_list()
