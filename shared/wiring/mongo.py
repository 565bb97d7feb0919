"""The async MongoDB client (PyMongo's AsyncMongoClient) and how to read its errors."""

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, ConnectionFailure

# FerretDB v1 serves each operation on one PostgreSQL connection from a pool of 150
# (deploy/local/servers.sh). When that pool runs dry while an index build holds FerretDB's
# metadata lock, every operation waits on the lock forever (seen in a goroutine dump): each
# service keeps its own concurrency well below the pool, whatever the load.
MAX_POOL_SIZE = 24


def connect(url: str, listeners: list | None = None) -> AsyncMongoClient:
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000, connect=False,
                            maxPoolSize=MAX_POOL_SIZE, event_listeners=listeners or [])


def database(client: AsyncMongoClient, name: str) -> AsyncDatabase:
    return client.get_database(name)


async def ping(client: AsyncMongoClient) -> bool:
    try:
        await client.admin.command("ping")
    except ConnectionFailure:
        return False
    return True


DUPLICATE_KEY = 11000


def is_duplicate_key(error: Exception) -> bool:
    """Insert conflicts on a unique index (E11000), as MongoDB and FerretDB report them."""
    return getattr(error, "code", None) == DUPLICATE_KEY or "E11000" in str(error)


def only_duplicate_keys(error: BulkWriteError) -> bool:
    """True if every write an unordered bulk insert refused was a duplicate key (already stored)."""
    return all(failure.get("code") == DUPLICATE_KEY for failure in error.details.get("writeErrors", []))
