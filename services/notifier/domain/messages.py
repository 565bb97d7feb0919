"""Messages: ids derived from their cause, and the outcomes a message ends with."""

import hashlib


FINAL = ("sent", "failed", "skipped")
INTERRUPTED = "interrupted after claiming, not resent (the SMTP server may or may not have accepted it)"


def message_id(*cause: str) -> str:
    """The same cause always gives the same id: claiming it twice is impossible."""
    return "msg-" + hashlib.sha256("|".join(cause).encode()).hexdigest()[:40]


def newsletter_message_id(newsletter_id: str, location_id: str, client_id: str) -> str:
    return message_id("newsletter", newsletter_id, location_id, client_id)
