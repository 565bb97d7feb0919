"""The public contract (../shared/CONTRACT.md) as pydantic v2 models: the single source of truth."""

from pydantic import TypeAdapter

from shared.contract.bookings import BookingEvent
from shared.contract.clients import ClientEvent
from shared.contract.credits import CreditsEvent
from shared.contract.locations import LocationsEvent
from shared.contract.sales import SalesEvent
from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, LOCATIONS, SALES

EVENTS_BY_TOPIC = {
    LOCATIONS.name: TypeAdapter(LocationsEvent),
    CLIENTS.name: TypeAdapter(ClientEvent),
    SALES.name: TypeAdapter(SalesEvent),
    BOOKINGS.name: TypeAdapter(BookingEvent),
    CREDITS.name: TypeAdapter(CreditsEvent),
}
