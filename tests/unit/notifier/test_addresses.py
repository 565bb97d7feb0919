"""The notifier judges an address when it sends: anything with the syntax of an address goes to
the mail server (which judges deliverability); what is not an address is skipped, with why."""

import pytest

from services.notifier.domain.addresses import judge_address, reachability


@pytest.mark.parametrize(("given", "sent_to"), [
    ("c@example.test", "c@example.test"),  # reserved for testing
    ("maria@studio", "maria@studio"),  # no top-level domain
    ("maria@studio.local", "maria@studio.local"),  # special-use
    ("front@LOCALHOST", "front@localhost"),
    ("josé@exämple.com", "josé@exämple.com"),  # internationalised: needs SMTPUTF8
    ("ana@exämple.com", "ana@xn--exmple-cua.com"),  # ASCII local part: the domain goes as IDNA
    ("ana@exämple.local", "ana@xn--exmple-cua.local"),
    (" ana@x.com ", "ana@x.com"),  # stray spaces from a copy-paste
    ("\tana@x.com", "ana@x.com"),
    ("Ana.Lopez@EXAMPLE.COM", "Ana.Lopez@example.com"),  # the local part keeps its case
    ("o'brien+yoga@x.co", "o'brien+yoga@x.co"),
    ("a@gmial.con", "a@gmial.con"),  # a typo, but an address: the server will say
])
def test_anything_with_the_syntax_of_an_address_is_sent(given, sent_to):
    assert judge_address(given).address == sent_to and judge_address(given).reason is None


@pytest.mark.parametrize("given", [
    "no-at-sign", "a@@b", "@x.com", "a@", "a b@x.com", "a@x..com", "Ana <ana@x.com>", "a@x.com,b@y.com",
    "a@x.com\r\nBcc: everyone@x.com", "a@x.com\n", "a\r@x.com", "a@x.com\x0b",
])
def test_what_is_not_an_address_is_skipped_with_a_sentence_naming_it(given):
    judged = judge_address(given)

    assert judged.address is None and not judged.reachable
    assert judged.reason.startswith(f"The email address {given!r} is not an address: ")
    assert judged.reason.endswith(".") and "\n" not in judged.reason and "\r" not in judged.reason


def test_no_address_on_file_is_said_so():
    for profile in (None, {}, {"email": None}, {"email": ""}, {"email": "   "}):
        assert reachability(profile).reason == "No email address on file."


def test_an_opted_out_client_is_not_reachable_whatever_the_address():
    assert reachability({"email": "ana@x.com", "email_opt_out": True}).reason == "The client opted out of email."


def test_a_reachable_client_has_the_address_to_send_to_and_no_reason():
    judged = reachability({"email": " ana@x.com", "email_opt_out": False})

    assert (judged.reachable, judged.address, judged.reason) == (True, "ana@x.com", None)
