"""The background job that expires account credit on time, driven by the injectable clock."""

import asyncio

from services.credits.service_layer.handlers import CreditsHandlers
from shared.wiring.logging import get_logger

log = get_logger(__name__)


async def run_expiry_sweeper(handlers: CreditsHandlers, every: float = 1.0) -> None:
    while True:
        await handlers.locations.refresh()  # zones another instance stored, before judging expiry
        expired = await handlers.expire_due_credit()
        if expired:
            log.info("account credit expired", accounts=expired)
        await asyncio.sleep(every)
