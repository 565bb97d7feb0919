"""Broken credit rules. Each names the rule; the aggregate is unchanged when one is raised."""

from datetime import date

from shared.rules import ConflictingDuplicate, InvalidInput, RuleViolation  # noqa: F401  (re-exported)


class EventForAnotherClient(RuleViolation):
    def __init__(self, expected: tuple[str, str], given: tuple[str, str]) -> None:
        super().__init__(f"event for {given[0]}/{given[1]} sent to the credits of {expected[0]}/{expected[1]}")


class UnsupportedEvent(RuleViolation):
    def __init__(self, event_type: str) -> None:
        super().__init__(f"the credits service does not handle {event_type!r}")


class UnknownBooking(RuleViolation):
    def __init__(self, booking_id: str) -> None:
        super().__init__(f"booking {booking_id!r} is unknown")


class UnknownPackage(RuleViolation):
    def __init__(self, package_id: str) -> None:
        super().__init__(f"package {package_id!r} is unknown")


class UnknownMembership(RuleViolation):
    def __init__(self, membership_id: str) -> None:
        super().__init__(f"membership {membership_id!r} is unknown")


class UnknownPeriod(RuleViolation):
    def __init__(self, membership_id: str, period_start: date) -> None:
        super().__init__(f"membership {membership_id!r} has no period starting on {period_start}")


class IllegalTransition(RuleViolation):
    def __init__(self, booking_id: str, current: str, wanted: str) -> None:
        super().__init__(f"booking {booking_id!r} is {current}; it cannot become {wanted}")


class CurrencyMismatch(RuleViolation):
    def __init__(self, account_currency: str, given: str) -> None:
        super().__init__(f"the account is kept in {account_currency}; {given} cannot be posted to it")


class InsufficientCredits(RuleViolation):
    def __init__(self, available: int, requested: int) -> None:
        self.available = available
        self.requested = requested
        super().__init__(f"cannot deduct {requested} credit(s): only {available} available")


class UnlimitedPeriod(RuleViolation):
    def __init__(self, membership_id: str, period_key: date) -> None:
        super().__init__(
            f"the period of membership {membership_id!r} starting {period_key} is unlimited; "
            "its credits cannot be adjusted"
        )


class InvalidAdjustment(InvalidInput):
    """A staff adjustment that asks for nothing sensible (zero amount, unknown action...): its
    input is at fault, not the state, so the route answers 422 naming `field` (when known)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        RuleViolation.__init__(self, f"{field}: {message}" if field else message)
        self.field, self.message = field, message


class ValidityReversed(InvalidAdjustment):
    """`field`: the end the request moved, if it moved only one."""

    def __init__(self, valid_from: date, valid_to: date, field: str | None = None) -> None:
        super().__init__(f"the validity cannot run from {valid_from} to the earlier {valid_to}", field)


class MembershipEndsBeforeStart(RuleViolation):
    def __init__(self, membership_id: str, starts_on: date, ends_on: date) -> None:
        super().__init__(f"membership {membership_id!r} starts {starts_on}; it cannot end on {ends_on}")
