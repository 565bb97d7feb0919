"""What the notifier routes are given, by type (bound in `services.notifier.bootstrap`)."""

from typing import Annotated

from fastapi import Depends

from services.notifier.service_layer.definitions import Definitions
from services.notifier.service_layer.marketing import MarketingViews
from services.notifier.adapters.store import NotifierStore
from shared.wiring.dependencies import Provider

STORE = Provider[NotifierStore]("notifier store")
DEFINITIONS = Provider[Definitions]("definitions")
VIEWS = Provider[MarketingViews]("marketing views")

Store = Annotated[NotifierStore, Depends(STORE)]
Commands = Annotated[Definitions, Depends(DEFINITIONS)]  # audiences, templates, journeys, messages
Views = Annotated[MarketingViews, Depends(VIEWS)]
