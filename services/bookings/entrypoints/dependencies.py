"""What the bookings routes are given, by type (bound in `services.bookings.bootstrap`)."""

from typing import Annotated

from fastapi import Depends

from services.bookings.service_layer.handlers import BookingsHandlers
from shared.wiring.dependencies import Provider

HANDLERS = Provider[BookingsHandlers]("bookings handlers")

Handlers = Annotated[BookingsHandlers, Depends(HANDLERS)]
