"""The base of every broken business rule, shared so the dead-letter path can recognise them."""


class RuleViolation(Exception):
    """An event or request breaks a business rule: it is refused, and nothing changes.

    Consumers send the event to the dead-letter topic with `str(error)` as the reason;
    HTTP routes answer with a 4xx naming the rule.
    """
