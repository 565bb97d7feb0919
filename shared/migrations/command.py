"""What every one-off migration command shares: its arguments, the databases it runs on, its report."""

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Iterable

from pymongo.asynchronous.database import AsyncDatabase

from shared.wiring import mongo
from shared.wiring.settings import Settings

Migrate = Callable[[AsyncDatabase], Awaitable[int]]  # one database -> how many documents it changed


def database_of(settings: Settings, service: str) -> str:
    """The database a service uses under these settings (the environment's, as the service reads them)."""
    return settings.model_copy(update={"service_name": service}).database_name


def run(description: str, services: Iterable[str], migrate: Migrate, changed: str) -> None:
    """Parse `[--database NAME ...]` (default: each of `services`' databases), migrate each, report."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", action="append", help="a database to migrate (repeatable); "
                        "default: the services' databases named by the environment")
    arguments, settings = parser.parse_args(), Settings()
    names = arguments.database or [database_of(settings, service) for service in services]
    asyncio.run(migrate_all(names, settings.mongodb_url, migrate, changed))


async def migrate_all(names: list[str], url: str, migrate: Migrate, changed: str) -> None:
    client = mongo.connect(url)
    try:
        for name in names:
            print(f"{name}: {await migrate(client[name])} {changed}")
    finally:
        await client.close()
