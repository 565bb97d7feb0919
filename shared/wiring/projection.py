"""Read-model writes that a redelivery, a replay or an out-of-order arrival cannot move backwards."""

from collections.abc import Awaitable, Callable

from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.mongo import is_duplicate_key


async def upsert_if_newer(rows: AsyncCollection, key: str, version: int, fields: dict,
                          on_insert: Callable[[], Awaitable[dict]] | None = None) -> bool:
    """Store `fields` under `key` unless a row with this or a newer `version` is there already.

    Update first (the common case), insert if there was no row (with the fields `on_insert()`
    gives, read only then); losing an insert race to a twin means a row exists, so one more
    conditional update settles it. Returns True if applied.
    """
    newer = {"$set": {**fields, "version": version}}
    result = await rows.update_one({"_id": key, "version": {"$lt": version}}, newer)
    if result.matched_count:
        return True
    try:
        extra = await on_insert() if on_insert is not None else {}
        await rows.insert_one({"_id": key, **fields, **extra, "version": version})
        return True
    except Exception as error:
        if not is_duplicate_key(error):
            raise
    result = await rows.update_one({"_id": key, "version": {"$lt": version}}, newer)
    return bool(result.matched_count)
