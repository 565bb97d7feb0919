"""`Idempotency-Key` for staff writes: a repeated key returns the first result and changes nothing.

The key is scoped to the staff member and the route. The first request claims the key with a
unique insert; its response is stored when it completes. Commands also carry a `command_id`
derived from the key, so a crash between the effect and storing the response is harmless: the
retry re-runs a command the domain already recorded, which changes nothing.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi.responses import JSONResponse
from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.http import unprocessable
from shared.wiring.mongo import is_duplicate_key


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

    async def lookup(self, scope: str, key: str, request: dict) -> StoredResponse | None:
        """The stored response of an earlier request with this key, or None if it is new."""
        fingerprint = _fingerprint(request)
        doc = await self._keys.find_one({"_id": f"{scope}|{key}"})
        if doc is None:
            return None
        if doc["fingerprint"] != fingerprint:
            raise KeyReusedWithOtherRequest(key)
        return StoredResponse(doc["status_code"], doc["body"]) if "status_code" in doc else None

    async def remember(self, scope: str, key: str, request: dict, response: StoredResponse, at: datetime) -> None:
        doc = {
            "_id": f"{scope}|{key}",
            "fingerprint": _fingerprint(request),
            "status_code": response.status_code,
            "body": response.body,
            "at": at,
        }
        try:
            await self._keys.insert_one(doc)
        except Exception as error:  # a concurrent twin stored it first: keep the first result
            if not is_duplicate_key(error):
                raise


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
            stored = await keys.lookup(scope, key, request)
        except KeyReusedWithOtherRequest:
            return unprocessable("Idempotency-Key", "already used with a different request")
        if stored is not None:
            return JSONResponse(stored.body, stored.status_code, headers={"Idempotent-Replayed": "true"})
    body = await run(command_id(scope, key, fallback=_fresh_id()))
    body = json.loads(json.dumps(body, default=str))
    if key is not None:
        await keys.remember(scope, key, request, StoredResponse(status_code, body), at)
    return JSONResponse(body, status_code)


def _fresh_id() -> str:
    return uuid.uuid4().hex
