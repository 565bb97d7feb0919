"""What the notifier routes are given, by type (bound in `services.notifier.app`)."""

from typing import Annotated

from fastapi import Depends

from services.notifier.handlers.commands import Definitions
from services.notifier.handlers.marketing import MarketingViews
from services.notifier.store import NotifierStore
from shared.wiring.dependencies import Provider

STORE = Provider[NotifierStore]("notifier store")
DEFINITIONS = Provider[Definitions]("definitions")
VIEWS = Provider[MarketingViews]("marketing views")

Store = Annotated[NotifierStore, Depends(STORE)]
Commands = Annotated[Definitions, Depends(DEFINITIONS)]  # audiences, templates, journeys, messages
Views = Annotated[MarketingViews, Depends(VIEWS)]
