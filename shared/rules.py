"""The base of every broken business rule, shared so the dead-letter path can recognise them."""


class RuleViolation(Exception):
    """An event or request breaks a business rule: it is refused, and nothing changes.

    Consumers send the event to the dead-letter topic with `str(error)` as the reason;
    HTTP routes answer with a 4xx naming the rule.
    """


class ConflictingDuplicate(RuleViolation):
    """An identifier seen before arrives with other content: a conflict, not a redelivery."""

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"{what} {ident!r} was already recorded with different content")


class InvalidInput(RuleViolation):
    """A request (or event) whose own values make no sense, whatever the state: a staff route
    answers 422 naming `field`, not 409. `message` reads after the field's name ("must not be
    before valid_from")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message
