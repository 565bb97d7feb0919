from datetime import date, timedelta

from services.credits.domain.aggregate import ClientCredits
from tests.unit.credits.factories import (
    NOW,
    STAFF,
    at,
    booking_attended,
    booking_cancelled,
    booking_created,
    checkin,
    client_with,
    membership,
    membership_ended,
    membership_started,
    package_purchased,
    transaction,
)

IDS_WITH_DOTS = ("pkg.1", "mem.1", "bk.1", "ci.1", "tx.1")


def a_client_with_history():
    credits = client_with(
        package_purchased("pkg.1", credits=5),
        membership_started("mem.1", credits_per_period=2),
        booking_created("bk.1", starts_at=at(2025, 4, 10)),
        booking_created("bk.2", starts_at=at(2025, 4, 11), source=membership("mem.1")),
        booking_attended("bk.1"),
        booking_created("bk.3", starts_at=at(2025, 4, 12)),
        booking_cancelled("bk.3"),
        checkin("ci.1"),
        membership_ended("mem.1", ends_on=date(2025, 9, 30)),
        transaction("tx.1", "charge", -700),
        transaction("tx.2", "credit", 2000, credit_expires_on=date(2025, 6, 30)),
    )
    credits.adjust_package("pkg.1", "add", 2, "gift", STAFF, "cmd.1", NOW)
    credits.adjust_period("mem.1", date(2025, 5, 1), "add", 1, date(2025, 4, 28), None, None, STAFF, "cmd.2", NOW)
    credits.adjust_account(-100, "EUR", "fee", STAFF, "cmd.3", NOW + timedelta(microseconds=123))
    return credits


def test_a_document_round_trip_keeps_the_state_exactly():
    credits = a_client_with_history()
    document = credits.to_document()

    restored = ClientCredits.from_document(document)

    assert restored == credits
    assert restored.to_document() == document


def test_a_restored_client_behaves_exactly_like_the_original():
    credits = a_client_with_history()
    restored = ClientCredits.from_document(credits.to_document())
    later = at(2025, 4, 11, 12)

    assert restored.package_views(later) == credits.package_views(later)
    assert restored.membership_views(later) == credits.membership_views(later)
    assert restored.next_credit_expiry() == credits.next_credit_expiry()
    assert restored.handle(booking_attended("bk.2", event_id="e"), NOW) == credits.handle(
        booking_attended("bk.2", event_id="e"), NOW)
    assert restored.expire_credit(at(2025, 7, 1)) == credits.expire_credit(at(2025, 7, 1))


def test_fields_the_store_adds_are_ignored_when_loading():
    credits = a_client_with_history()
    stored = {**credits.to_document(), "_id": "loc-1/client-1", "version": 7, "outbox": []}

    assert ClientCredits.from_document(stored) == credits


def test_the_document_has_no_store_fields_of_its_own():
    assert not {"_id", "version", "outbox"} & set(a_client_with_history().to_document())


def test_the_document_is_storable_in_ferretdb():
    document = a_client_with_history().to_document()

    for path, value in _walk(document, ""):
        assert not any(i in path.split("/")[-1] for i in IDS_WITH_DOTS), f"identifier used as a key at {path}"
        assert isinstance(value, (str, int, bool, type(None))), f"{type(value).__name__} at {path}"


def test_days_and_instants_are_stored_as_iso_text():
    package = a_client_with_history().to_document()["packages"][0]

    assert (package["starts_on"], package["adjustments"][0]["at"]) == ("2025-03-01", "2025-03-01T09:00:00Z")


def _walk(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            assert "." not in key and not key.startswith("$"), f"bad key {key!r} at {path}"
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert not isinstance(item, list), f"array directly in an array at {path}"
            yield from _walk(item, f"{path}/{index}")
    else:
        yield path, value
