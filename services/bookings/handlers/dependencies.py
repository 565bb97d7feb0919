"""What the bookings routes are given, by type (bound in `services.bookings.app`)."""

from typing import Annotated

from fastapi import Depends

from services.bookings.handlers.commands import BookingsHandlers
from shared.wiring.dependencies import Provider

HANDLERS = Provider[BookingsHandlers]("bookings handlers")

Handlers = Annotated[BookingsHandlers, Depends(HANDLERS)]
