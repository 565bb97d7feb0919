"""Adjustments stored before they recorded what they changed, migrated in the real credits log."""

from datetime import date

import pytest

from services.credits.domain.aggregate import ClientCredits
from shared.migrations import credits_adjustments
from tests.unit.credits.factories import NOW, STAFF, client_with, membership_started, package_purchased

pytestmark = pytest.mark.integration


def stored_before_changes_were_recorded() -> dict:
    """A state with one package and one period adjustment, as the code before validity moves wrote it."""
    credits = client_with(package_purchased(), membership_started())
    credits.adjust_package("pkg-1", "deduct", 2, "old", STAFF, "cmd-1", NOW)
    credits.adjust_period("mem-1", date(2025, 3, 1), "add", 1, None, None, "extra", STAFF, "cmd-2", NOW)
    state = credits.to_document()
    adjustments = state["packages"][0]["adjustments"] + state["memberships"][0]["periods"][0]["adjustments"]
    for adjustment in adjustments:
        for field in ("starts_on", "expires_on", "changed"):
            del adjustment[field]
    return state


def version(number: int, state: dict) -> dict:
    key = "loc-1|client-1"
    return {"_id": f"{key}#{number:012d}", "key": key, "version": number, "state": state, "events": [],
            "published": True, "batch": "b", "written_at": NOW}


async def test_every_stored_adjustment_reads_what_it_changed_once_migrated(db):
    await db["client_credits"].insert_many([version(1, stored_before_changes_were_recorded()),
                                            version(2, client_with(package_purchased()).to_document())])

    assert await credits_adjustments.migrate(db) == 1
    assert await credits_adjustments.migrate(db) == 0

    stored = await db["client_credits"].find_one({"version": 1})
    credits = ClientCredits.from_document(stored["state"])
    [package] = credits.package_views(NOW)
    [adjusted] = package["adjustments"]
    [in_period] = stored["state"]["memberships"][0]["periods"][0]["adjustments"]
    assert (adjusted["changed"], adjusted["credits"], adjusted["expires_on"]) == (["credits"], 2, None)
    assert (in_period["changed"], in_period["starts_on"], in_period["note"]) == (["credits"], None, "extra")
    assert (stored["published"], stored["batch"]) == (True, "b")
