"""What the credits routes are given, by type (bound in `services.credits.app`)."""

from typing import Annotated

from fastapi import Depends

from services.credits.handlers.commands import CreditsHandlers
from shared.wiring.dependencies import Provider

HANDLERS = Provider[CreditsHandlers]("credits handlers")

Handlers = Annotated[CreditsHandlers, Depends(HANDLERS)]
