"""Broken booking rules. Each names the rule; the aggregate is unchanged when one is raised."""

from shared.rules import ConflictingDuplicate, RuleViolation  # noqa: F401  (re-exported)


class EventForAnotherClient(RuleViolation):
    def __init__(self, expected: tuple[str, str], given: tuple[str, str]) -> None:
        super().__init__(f"event for {given[0]}/{given[1]} sent to the bookings of {expected[0]}/{expected[1]}")


class UnsupportedEvent(RuleViolation):
    def __init__(self, event_type: str) -> None:
        super().__init__(f"the bookings service does not handle {event_type!r}")


class BookingOfAnotherClient(RuleViolation):
    def __init__(self, booking_id: str, owner: str) -> None:
        super().__init__(f"booking {booking_id!r} already belongs to client {owner!r} at this location")


class UnknownBooking(RuleViolation):
    def __init__(self, booking_id: str) -> None:
        super().__init__(f"booking {booking_id!r} is unknown")


class IllegalTransition(RuleViolation):
    def __init__(self, booking_id: str, current: str, wanted: str) -> None:
        super().__init__(f"booking {booking_id!r} is {current}; it cannot become {wanted}")
