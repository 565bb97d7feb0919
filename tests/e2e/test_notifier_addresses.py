"""The notifier judges an address when it sends: any address goes to the SMTP server (reserved
domains, no top-level domain, internationalised), what is not one is skipped with the reason,
and the staff page's reachability says the same sentence."""

import pytest

from tests.e2e.test_notifier import get, member_of, owing_client, post, template
from tests.support import events as ev
from tests.support.kafka import eventually

pytestmark = pytest.mark.e2e


async def message_to(system, platform, tag: str, email: str) -> tuple[str, str, dict]:
    location, client = ev.unique("loc"), ev.unique("cli")
    template_id = await template(system, tag)
    await owing_client(platform, location, client, email=email)
    assert await member_of(system, "owing-balance", location, client)
    response = await post(system, "/v1/messages", {"location_id": location, "client_id": client,
                                                   "template_id": template_id})
    message_id = response.json()["message_id"]

    async def settled():
        items = (await get(system, "/v1/messages", location=location, client_id=client)).get("items", [])
        return next((m for m in items if m["message_id"] == message_id and m["status"] != "queued"), None)

    return location, client, await eventually(settled, timeout=20)


@pytest.mark.parametrize(("email", "to"), [
    ("c@example.test", "c@example.test"), ("maria@studio", "maria@studio"),
    ("front@studio.local", "front@studio.local"), ("josé@exämple.com", "josé@exämple.com"),
    (" ana@example.com ", "ana@example.com"),
])
async def test_any_address_is_handed_to_the_mail_server(system, platform, smtp_inbox, email, to):
    tag = ev.unique("addr")

    location, client, message = await message_to(system, platform, tag, email)

    assert (message["status"], message["reason"]) == ("sent", None)
    assert [m["To"] for m in smtp_inbox.messages if f"[{tag}]" in m["Subject"]] == [to]
    assert await get(system, f"/v1/locations/{location}/clients/{client}/reachability") == \
        {"reachable": True, "reason": None}


@pytest.mark.parametrize("email", ["a@@b", "no-at-sign", "ana@example.com\r\nBcc: everyone@example.com"])
async def test_what_is_not_an_address_is_skipped_with_the_reason_and_no_header_is_injected(
        system, platform, smtp_inbox, email):
    tag = ev.unique("addr")

    location, client, message = await message_to(system, platform, tag, email)
    reach = await get(system, f"/v1/locations/{location}/clients/{client}/reachability")

    assert message["status"] == "skipped" and message["reason"].startswith(f"The email address {email!r} is not")
    assert reach == {"reachable": False, "reason": message["reason"]}
    assert [m for m in smtp_inbox.messages if f"[{tag}]" in m["Subject"]] == []
