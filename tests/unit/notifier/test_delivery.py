import pytest

from services.notifier.adapters.delivery import (Mail, PermanentDeliveryError, TransientDeliveryError, as_email,
                                        send_with_retries)
from services.notifier.domain.addresses import reachability
from services.notifier.domain.messages import message_id

MAIL = Mail("msg-1", "ada@example.com", "Hello", "Body")


class FlakyMailer:
    def __init__(self, failures: int, error=TransientDeliveryError) -> None:
        self.failures, self.error, self.sent, self.attempts = failures, error, [], 0

    async def send(self, mail: Mail) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error("451 try later")
        self.sent.append(mail)


async def test_a_transient_failure_is_retried_until_it_goes_through():
    mailer = FlakyMailer(failures=2)
    await send_with_retries(mailer, MAIL, delays=(0, 0, 0))
    assert mailer.sent == [MAIL] and mailer.attempts == 3


async def test_a_server_that_keeps_failing_gives_a_permanent_failure_with_the_reason():
    mailer = FlakyMailer(failures=10)
    with pytest.raises(PermanentDeliveryError, match="after 3 attempts.*451"):
        await send_with_retries(mailer, MAIL, delays=(0, 0))
    assert mailer.sent == []


async def test_a_permanent_failure_is_never_retried():
    mailer = FlakyMailer(failures=1, error=PermanentDeliveryError)
    with pytest.raises(PermanentDeliveryError):
        await send_with_retries(mailer, MAIL, delays=(0, 0))
    assert mailer.attempts == 1


def test_clients_without_email_or_opted_out_are_skipped_with_the_reason():
    assert reachability({}).reason == "No email address on file."
    assert reachability(None).reason == "No email address on file."
    assert reachability({"email": "a@b.c", "email_opt_out": True}).reason == "The client opted out of email."
    assert reachability({"email": "a@b.c", "email_opt_out": False}).reason is None


def test_message_ids_come_from_their_cause():
    assert message_id("newsletter", "nl-1", "loc", "cli") == message_id("newsletter", "nl-1", "loc", "cli")
    assert message_id("newsletter", "nl-1", "loc", "cli") != message_id("newsletter", "nl-2", "loc", "cli")


def test_the_email_carries_the_message_id_for_tracing():
    assert as_email(MAIL)["X-Studio-Message-Id"] == "msg-1"


async def test_a_mail_whose_header_would_break_a_line_is_a_permanent_failure_not_a_crash():
    from services.notifier.adapters.delivery import SmtpMailer

    with pytest.raises(PermanentDeliveryError, match="cannot build the message"):
        await SmtpMailer("smtp://127.0.0.1:1").send(Mail("msg-1", "a@x.com\r\nBcc: b@x.com", "Hi", "Body"))


def test_an_internationalised_address_goes_in_the_to_header_unchanged():
    assert as_email(Mail("msg-1", "josé@exämple.com", "Hi", "Body"))["To"] == "josé@exämple.com"
