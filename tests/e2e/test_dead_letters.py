"""The operators' dead-letters tool against the running system: list, show, re-drive once the
cause is fixed (consumed), re-drive with nothing fixed (refused again exactly once, no loop)."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from shared.contract.topics import BOOKINGS, CLIENTS, SALES
from tests.e2e.test_bookings import status_when
from tests.e2e.test_credits_flow import NEXT_MONTH, package_when
from tests.support import events as ev
from tests.support.kafka import read_topic

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def tool(servers, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "shared.tools.dead_letters", "--bootstrap", servers.kafka, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def dead_letters(servers, topic: str, marker: str, count: int = 1, timeout: float = 20.0) -> list:
    """The records of `topic` carrying `marker`, once there are `count` of them."""
    found = []
    for _ in range(int(timeout / 2)):
        found = await read_topic(servers.kafka, topic, lambda r: marker.encode() in (r.value or b""), timeout=2)
        if len(found) >= count:
            return found
    return found


async def test_a_dead_letter_is_listed_shown_and_consumed_once_its_cause_is_fixed(system, platform, servers):
    location, client, booking = ev.unique("loc"), ev.unique("cli"), ev.unique("b")
    await platform.publish(BOOKINGS.name, ev.booking_fact("booking.attended", location, client, booking))
    [letter] = await dead_letters(servers, BOOKINGS.dead_letter, booking)

    # every reason: a long-lived broker (a developer's machine) holds thousands of them
    listed = tool(servers, "list", BOOKINGS.dead_letter, "--top", "1000000", "--width", "1000")
    shown = tool(servers, "show", BOOKINGS.dead_letter, str(letter.offset), "--partition", str(letter.partition))

    assert f"rule broken: booking '{booking}' is unknown" in listed
    assert f"x-error: rule broken: booking '{booking}' is unknown" in shown and f'"booking_id": "{booking}"' in shown
    assert f"x-original-topic: {BOOKINGS.name}" in shown

    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-3", credits=3))
    assert await package_when(system, location, client, "pack-3", lambda p: True)
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, booking, NEXT_MONTH))
    assert (await status_when(system, location, booking, "booked", timeout=20))["status"] == "booked"

    redriven = tool(servers, "redrive", BOOKINGS.dead_letter, "--offsets", str(letter.offset), "--reason", booking)

    assert "re-driven 1" in redriven
    assert (await status_when(system, location, booking, "attended", timeout=20))["status"] == "attended"


async def test_a_re_drive_with_nothing_fixed_is_refused_again_exactly_once(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(CLIENTS.name, ev.client_registered(location, client, first_name="   "))
    [letter] = await dead_letters(servers, CLIENTS.dead_letter, client)
    assert "first_name" in dict(letter.headers)["x-error"].decode()

    first = tool(servers, "redrive", CLIENTS.dead_letter, "--offsets", str(letter.offset), "--reason", "first_name")
    copies = await dead_letters(servers, CLIENTS.dead_letter, client, count=2)
    span = f"{letter.offset}-{copies[-1].offset}"
    again = tool(servers, "redrive", CLIENTS.dead_letter, "--offsets", span, "--reason", "first_name")
    await asyncio.sleep(3)
    final = await dead_letters(servers, CLIENTS.dead_letter, client, count=3, timeout=4)

    position = f"{CLIENTS.dead_letter}:{letter.partition}:{letter.offset}"
    assert "re-driven 1" in first and len(copies) == 2
    assert dict(copies[1].headers)["x-redriven-from"].decode() == position
    assert "would re-drive" not in again and "re-driving 0 dead letters" in again
    assert "already re-driven and refused again" in again and "a re-drive refused again" in again
    assert len(final) == 2
