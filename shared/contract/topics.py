"""Every topic name, in one place, with the partition count it is created with."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int

    @property
    def dead_letter(self) -> str:
        return f"{self.name}.dlq"


LOCATIONS = Topic("studio.locations.v1", 3)  # keyed by location_id: a brand has few
CLIENTS = Topic("studio.clients.v1", 6)
SALES = Topic("studio.sales.v1", 6)
BOOKINGS = Topic("studio.bookings.v1", 6)
CREDITS = Topic("studio.credits.v1", 6)
LIFECYCLE = Topic("studio.bookings.lifecycle.v1", 6)
NOTIFIER = Topic("studio.notifier.v1", 3)

ALL = (LOCATIONS, CLIENTS, SALES, BOOKINGS, CREDITS, LIFECYCLE, NOTIFIER)

# Between the instances of one service, not part of the public contract (no dead-letter twin:
# only the service writes it): what each notifier instance committed of the members and defined.
NOTIFIER_FEED = Topic("studio.notifier.feed.v1", 3)
INTERNAL = (NOTIFIER_FEED,)


def every_topic_name() -> list[tuple[str, int]]:
    """Each topic and its dead-letter twin, with partition counts."""
    return [(t.name, t.partitions) for t in ALL + INTERNAL] + [(t.dead_letter, 1) for t in ALL]
