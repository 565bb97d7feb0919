"""Read-model writes that a redelivery, a replay or an out-of-order arrival cannot move backwards."""

from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.mongo import is_duplicate_key


async def upsert_if_newer(rows: AsyncCollection, key: str, version: int, fields: dict) -> bool:
    """Store `fields` under `key` unless a row with this or a newer `version` is there already.

    Update first (the common case), insert if there was no row; losing an insert race to a twin
    means a row exists, so one more conditional update settles it. Returns True if applied.
    """
    newer = {"$set": {**fields, "version": version}}
    result = await rows.update_one({"_id": key, "version": {"$lt": version}}, newer)
    if result.matched_count:
        return True
    try:
        await rows.insert_one({"_id": key, **fields, "version": version})
        return True
    except Exception as error:
        if not is_duplicate_key(error):
            raise
    result = await rows.update_one({"_id": key, "version": {"$lt": version}}, newer)
    return bool(result.matched_count)
