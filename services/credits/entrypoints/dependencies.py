"""What the credits routes are given, by type (bound in `services.credits.bootstrap`)."""

from typing import Annotated

from fastapi import Depends

from services.credits.service_layer.handlers import CreditsHandlers
from shared.wiring.dependencies import Provider

HANDLERS = Provider[CreditsHandlers]("credits handlers")

Handlers = Annotated[CreditsHandlers, Depends(HANDLERS)]
