"""Bootstrap of the notifier service."""

from shared.wiring.service import Service, Wiring


def assemble(wiring: Wiring) -> Service:
    return Service()
