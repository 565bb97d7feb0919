"""Log lines lose contact details and secrets, whatever code or library wrote them."""

import json
import logging
import sys

import pytest
import structlog

from shared.wiring.auth import mint_token
from shared.wiring.logging import QUIET_LIBRARIES, RedactingFormatter, configure_logging, get_logger, redact

TOKEN = mint_token("a-secret-long-enough-0123456789abcdef", "s-1", "admin", ["*"])


@pytest.mark.parametrize(("text", "hidden"), [
    ("SMTP 550 5.1.1 <ada.lovelace+studio@mail.example.co.uk>: Recipient address rejected",
     "ada.lovelace+studio@mail.example.co.uk"),
    (f"Authorization: Bearer {TOKEN}", TOKEN),
    (f"token={TOKEN}", TOKEN),
    ("connecting to smtp://mailer:p%40ss-w0rd!@mail.example:587", "p%40ss-w0rd!"),
    ("smtps://user:hunter2@smtp.example.com", "hunter2"),
    ("SMTP 550 <maria@studio>: no such domain", "maria@studio"),
    ("SMTP 553 josé@exämple.com: SMTPUTF8 required", "josé@exämple.com"),
    ("refused 用户@例子.广告", "用户@例子.广告"),
    ("SMTP 550 <c@example.test>", "c@example.test"),
])
def test_secrets_and_addresses_are_masked(text, hidden):
    assert hidden not in redact(text)


def test_ordinary_text_is_left_alone():
    text = "dead-lettered topic=studio.sales.v1 offset=42 at 2026-11-23T10:00:00+00:00 reason=credits: >= 1"

    assert redact(text) == text


def test_library_lines_are_redacted_tracebacks_included():
    try:
        raise ValueError("could not store {'email': 'cy@example.com'}")
    except ValueError:
        failure = sys.exc_info()
    record = logging.LogRecord("some.library", logging.ERROR, __file__, 1, "retrying with Bearer %s", (TOKEN,), failure)

    text = RedactingFormatter("%(message)s").format(record)

    assert "Traceback" in text and TOKEN not in text and "cy@example.com" not in text


def test_our_lines_are_redacted_and_payload_loggers_stay_quiet_even_at_debug(capsys):
    try:
        configure_logging("test", "DEBUG")
        get_logger("t").info("message settled", reason="SMTP 550 <bob@example.com> unknown")
        line = capsys.readouterr().out.splitlines()[-1]
        quiet = logging.getLogger("pymongo.command").getEffectiveLevel()
    finally:
        structlog.reset_defaults()
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.NOTSET)

    assert json.loads(line)["reason"] == "SMTP 550 <<email>> unknown"
    assert quiet >= logging.INFO
