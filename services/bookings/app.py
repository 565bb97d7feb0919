"""Bootstrap of the bookings service."""

from shared.wiring.service import Service, Wiring


def assemble(wiring: Wiring) -> Service:
    return Service()
