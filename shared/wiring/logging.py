"""Structured JSON logs. Contact details and secrets are never logged: log ids, not people.

Code logs ids, never profiles; as a second line of defence every line (ours as JSON, and the
libraries' through the standard `logging` module, tracebacks included) is passed through
`redact`, which masks email addresses, bearer tokens and JWTs, and passwords in URLs, wherever
they hide (an SMTP server echoing a refused address, an exception carrying a request body).
"""

import logging
import re

import structlog

REDACTIONS = (
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1<redacted>"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "<redacted-jwt>"),
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@"), r"\1<redacted>@"),
    # Any script, dotless domains included: the notifier sends to `maria@studio` and `josé@exämple.com`.
    (re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*"), "<email>"),
)

QUIET_LIBRARIES = ("pymongo", "aiokafka", "asyncio", "httpx", "httpcore")
"""Their DEBUG output carries payloads (pymongo logs every command with its documents)."""


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _redacting_renderer(render):
    def renderer(logger, name, event_dict) -> str:
        return redact(render(logger, name, event_dict))

    return renderer


def configure_logging(service: str, level: str = "INFO") -> None:
    level = level.upper()
    logging.basicConfig(format="%(message)s", level=level)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter("%(message)s"))
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redacting_renderer(structlog.processors.JSONRenderer()),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger(name)
