"""The async MongoDB client (PyMongo's AsyncMongoClient) and the errors worth retrying."""

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError

TRANSIENT_ERRORS = (AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError)


def connect(url: str) -> AsyncMongoClient:
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000, connect=False)


def database(client: AsyncMongoClient, name: str) -> AsyncDatabase:
    return client.get_database(name)


async def ping(client: AsyncMongoClient) -> bool:
    try:
        await client.admin.command("ping")
    except ConnectionFailure:
        return False
    return True


def is_duplicate_key(error: Exception) -> bool:
    """Insert conflicts on a unique index (E11000), as MongoDB and FerretDB report them."""
    return getattr(error, "code", None) == 11000 or "E11000" in str(error)
