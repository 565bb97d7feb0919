"""`Idempotency-Key` for staff writes: a repeated key returns the first result and changes nothing.

The key is scoped to the staff member and the route. The first request claims the key with a
unique insert and stores its response, once it completes, beside it (`<collection>_responses`).
Claiming by insert rather than looking the key up first means a new key (nearly every request)
costs two inserts, grouped with those of concurrent requests, and no read; only a repeat reads
(the key, then its response). The first request
binds the key to its body even if it fails (a repeat of the same body runs again; another body
is refused, as the IETF Idempotency-Key draft has it).

Commands also carry a `command_id` derived from the key, so a crash between the effect and
storing the response is harmless: the retry re-runs a command the domain already recorded,
which changes nothing. Twins in flight at once may both run, for the same reason.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi.responses import JSONResponse
from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.http import unprocessable
from shared.wiring.grouped_inserts import GroupedInserts


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict


class KeyReusedWithOtherRequest(Exception):
    """The same Idempotency-Key arrived with a different request body."""


def command_id(scope: str, key: str | None, fallback: str) -> str:
    """A stable id (≤ 64 chars) for the command behind a request."""
    basis = f"{scope}|{key}" if key else fallback
    return "cmd-" + hashlib.sha256(basis.encode()).hexdigest()[:40]


class IdempotencyKeys:
    def __init__(self, collection: AsyncCollection) -> None:
        self._keys = collection
        self._responses = collection.database[f"{collection.name}_responses"]
        self._new_keys = GroupedInserts(self._keys)
        self._new_responses = GroupedInserts(self._responses)

    async def claim(self, scope: str, key: str, request: dict, at: datetime) -> StoredResponse | None:
        """None if this request is the key's first (or the first has not completed): run it.
        Otherwise the first request's response; KeyReusedWithOtherRequest if its body differed."""
        claim = {"_id": _key_id(scope, key), "fingerprint": _fingerprint(request), "at": at}
        if await self._new_keys.insert(claim):
            return None
        return await self.lookup(scope, key, request)

    async def lookup(self, scope: str, key: str, request: dict) -> StoredResponse | None:
        """The stored response of an earlier request with this key, or None if there is none."""
        doc = await self._keys.find_one({"_id": _key_id(scope, key)})
        if doc is None:
            return None
        if doc["fingerprint"] != _fingerprint(request):
            raise KeyReusedWithOtherRequest(key)
        response = await self._responses.find_one({"_id": _key_id(scope, key)})
        return StoredResponse(response["status_code"], response["body"]) if response else None

    async def remember(self, scope: str, key: str, response: StoredResponse, at: datetime) -> None:
        """Store the response; if a concurrent twin stored one first, the first one stays."""
        await self._new_responses.insert({"_id": _key_id(scope, key), "status_code": response.status_code,
                                          "body": response.body, "at": at})


def _key_id(scope: str, key: str) -> str:
    return f"{scope}|{key}"


def _fingerprint(request: dict) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


async def idempotent(
    keys: IdempotencyKeys,
    scope: str,
    key: str | None,
    request: dict,
    run,
    at: datetime,
    status_code: int = 200,
):
    """Run `run(command_id)` once per Idempotency-Key; a repeat returns the first response."""
    if key is not None:
        try:
            stored = await keys.claim(scope, key, request, at)
        except KeyReusedWithOtherRequest:
            return unprocessable("Idempotency-Key", "was already used with a different request", "header")
        if stored is not None:
            return JSONResponse(stored.body, stored.status_code, headers={"Idempotent-Replayed": "true"})
    body = await run(command_id(scope, key, fallback=_fresh_id()))
    body = json.loads(json.dumps(body, default=str))
    if key is not None:
        await keys.remember(scope, key, StoredResponse(status_code, body), at)
    return JSONResponse(body, status_code)


def _fresh_id() -> str:
    return uuid.uuid4().hex
