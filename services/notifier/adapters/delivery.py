"""Email delivery: a small port (`Mailer`), its SMTP adapter, and retries for transient failures.

Only failures where the server certainly did not take the message are retried (cannot connect,
a 4xx answer); a timeout after the data was sent is ambiguous and never retried, so a message is
delivered at most once.
"""

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlparse

import aiosmtplib

SENDER = "Studio <no-reply@studio.example>"


@dataclass(frozen=True)
class Mail:
    message_id: str
    to: str
    subject: str
    body: str


class TransientDeliveryError(Exception):
    """The server did not take the message; trying again later may work."""


class PermanentDeliveryError(Exception):
    """The message will not be delivered, or it is unknown whether it was: never retried."""


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None:
        """Hand `mail` to the mail server; raises one of the two delivery errors."""


@dataclass(frozen=True)
class SmtpMailer:
    url: str  # smtp://[user:password@]host:port, or smtps:// for TLS from the start
    timeout: float = 30.0

    async def send(self, mail: Mail) -> None:
        try:
            email = as_email(mail)
        except ValueError as error:  # e.g. a line break in a header: never sent, never retried
            raise PermanentDeliveryError(f"cannot build the message: {error}") from error
        try:
            await aiosmtplib.send(email, **self._connection())
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPConnectTimeoutError, ConnectionRefusedError) as error:
            raise TransientDeliveryError(f"cannot reach the SMTP server: {error}") from error
        except aiosmtplib.SMTPResponseException as error:
            raise _by_code(error.code, error.message) from error
        except aiosmtplib.SMTPRecipientsRefused as error:
            refused = error.recipients[0]
            raise _by_code(refused.code, refused.message) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise PermanentDeliveryError(f"SMTP exchange broke off: {error!r}") from error

    def _connection(self) -> dict:
        url = urlparse(self.url)
        return {"hostname": url.hostname or "127.0.0.1", "port": url.port or (465 if url.scheme == "smtps" else 25),
                "username": unquote(url.username) if url.username else None,
                "password": unquote(url.password) if url.password else None,
                "use_tls": url.scheme == "smtps", "start_tls": False if url.scheme == "smtp" else None,
                "timeout": self.timeout}


def _by_code(code: int, message: str) -> Exception:
    kind = TransientDeliveryError if 400 <= code < 500 else PermanentDeliveryError
    return kind(f"SMTP {code} {message}")


def as_email(mail: Mail) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = SENDER, mail.to, mail.subject
    email["X-Studio-Message-Id"] = mail.message_id
    email.set_content(mail.body)
    return email


async def send_with_retries(mailer: Mailer, mail: Mail, delays: tuple[float, ...] = (0.5, 2.0, 5.0)) -> None:
    """Retries transient failures with growing pauses; the last one raises PermanentDeliveryError."""
    for pause in (*delays, None):
        try:
            return await mailer.send(mail)
        except TransientDeliveryError as error:
            if pause is None:
                raise PermanentDeliveryError(f"gave up after {len(delays) + 1} attempts: {error}") from error
            await asyncio.sleep(pause)
