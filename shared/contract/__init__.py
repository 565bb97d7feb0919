"""The public contract (../shared/CONTRACT.md) as pydantic v2 models: the single source of truth."""

from pydantic import TypeAdapter

from shared.contract.bookings import BookingEvent
from shared.contract.clients import ClientEvent
from shared.contract.credits import CreditsEvent
from shared.contract.locations import LocationsEvent
from shared.contract.sales import SalesEvent
from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, LOCATIONS, SALES

# One validator per kind of event, built once: every subscriber, the projector and the tools share them.
LOCATION_EVENTS = TypeAdapter(LocationsEvent)
CLIENT_EVENTS = TypeAdapter(ClientEvent)
SALES_EVENTS = TypeAdapter(SalesEvent)
BOOKING_EVENTS = TypeAdapter(BookingEvent)  # studio.bookings.v1 and studio.bookings.lifecycle.v1
CREDITS_EVENTS = TypeAdapter(CreditsEvent)

EVENTS_BY_TOPIC = {
    LOCATIONS.name: LOCATION_EVENTS,
    CLIENTS.name: CLIENT_EVENTS,
    SALES.name: SALES_EVENTS,
    BOOKINGS.name: BOOKING_EVENTS,
    CREDITS.name: CREDITS_EVENTS,
}
