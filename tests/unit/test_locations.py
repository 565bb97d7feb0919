"""Locations on `studio.locations.v1`: IANA zones from the pinned tzdata, and one fold for every service."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from shared import zones
from shared.contract import EVENTS_BY_TOPIC
from shared.contract.locations import LocationsEvent
from shared.contract.topics import LOCATIONS, every_topic_name
from shared.locations import folded, zone_of
from shared.wiring.dead_letter import describe

locations = TypeAdapter(LocationsEvent)
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def registered(**fields) -> dict:
    return {"event_id": "e-1", "type": "location.registered", "occurred_at": T0.isoformat(), "location_id": "studio-1",
            "name": "Downtown", "time_zone": "America/Los_Angeles", **fields}


def updated(at: datetime, **fields):
    return locations.validate_python({"event_id": f"e-{at.timestamp()}", "type": "location.updated",
                                      "occurred_at": at.isoformat(), "location_id": "studio-1", **fields})


def test_a_registration_has_no_client_and_names_its_zone():
    event = locations.validate_python(registered(currency="USD"))

    assert (event.name, event.time_zone, event.currency) == ("Downtown", "America/Los_Angeles", "USD")
    assert not hasattr(event, "client_id")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "PST", "america/los_angeles", "+05:00", "", "../etc/passwd"])
def test_a_time_zone_that_is_not_an_iana_name_is_refused_with_a_reason_naming_the_field(zone):
    with pytest.raises(ValidationError) as refused:
        locations.validate_python(registered(time_zone=zone))

    assert describe(refused.value).startswith("invalid event: location.registered.time_zone")


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC", "Europe/London", "US/Pacific"])
def test_iana_names_and_their_links_are_accepted(zone):
    assert locations.validate_python(registered(time_zone=zone)).time_zone == zone


def test_the_topic_and_its_dead_letter_twin_are_created_like_every_other():
    assert (LOCATIONS.name, 3) in every_topic_name() and ("studio.locations.v1.dlq", 1) in every_topic_name()
    assert LOCATIONS.name in EVENTS_BY_TOPIC


def test_zones_come_from_the_pinned_tzdata_not_the_machine():
    kiritimati = zones.zone("Pacific/Kiritimati")

    assert type(kiritimati).__module__ == "zoneinfo" and str(kiritimati) == "Pacific/Kiritimati"
    assert kiritimati.utcoffset(T0) == timedelta(hours=14)


@pytest.mark.parametrize("name, day, hours", [
    ("America/New_York", date(2026, 3, 8), 23), ("America/New_York", date(2026, 11, 1), 25),
    ("Europe/London", date(2026, 3, 29), 23), ("Europe/London", date(2026, 10, 25), 25),
    ("Pacific/Kiritimati", date(2026, 3, 8), 24), ("Etc/GMT+12", date(2026, 3, 8), 24),
])
def test_a_local_day_lasts_from_midnight_to_the_next_midnight(name, day, hours):
    where = zones.zone(name)

    assert zones.end_of_day(day, where) - zones.start_of_day(day, where) == timedelta(hours=hours)
    assert zones.local_date(zones.start_of_day(day, where), where) == day


def test_a_day_whose_midnight_is_skipped_starts_when_the_gap_ends():
    santiago = zones.zone("America/Santiago")  # clocks jump from 00:00 to 01:00 on 6 September 2026

    start = zones.start_of_day(date(2026, 9, 6), santiago)

    assert start.astimezone(santiago).isoformat() == "2026-09-06T01:00:00-03:00"


def test_the_last_day_that_ended_anywhere_is_kiritimatis_yesterday():
    assert zones.last_day_ended_anywhere(datetime(2026, 6, 30, 9, 59, tzinfo=UTC)) == date(2026, 6, 29)
    assert zones.last_day_ended_anywhere(datetime(2026, 6, 30, 10, 0, tzinfo=UTC)) == date(2026, 6, 30)


def test_each_field_keeps_the_value_of_the_latest_event_that_set_it_whatever_the_order():
    events = [locations.validate_python(registered()), updated(T0 + timedelta(hours=1), name="Midtown"),
              updated(T0 + timedelta(hours=2), time_zone="America/New_York")]

    in_order, reversed_ = None, None
    for event in events:
        in_order = folded(in_order, event)
    for event in reversed(events + events):  # backwards and redelivered
        reversed_ = folded(reversed_, event)

    assert in_order == reversed_
    assert (in_order["name"], in_order["time_zone"]) == ("Midtown", "America/New_York")


def test_two_updates_at_the_same_instant_end_the_same_in_either_order():
    first = locations.validate_python({**registered(), "event_id": "e-a", "type": "location.updated",
                                       "name": "Midtown", "time_zone": None})
    second = locations.validate_python({**registered(), "event_id": "e-b", "type": "location.updated",
                                        "name": "Uptown", "time_zone": None})

    assert folded(folded(None, first), second)["name"] == folded(folded(None, second), first)["name"] == "Uptown"


def test_an_update_carries_only_what_changed_and_a_null_keeps_the_value():
    record = folded(folded(None, locations.validate_python(registered(currency="USD"))),
                    updated(T0 + timedelta(hours=1), name="Midtown", currency=None))

    assert (record["name"], record["time_zone"], record["currency"]) == ("Midtown", "America/Los_Angeles", "USD")


def test_a_location_whose_zone_is_not_known_is_judged_in_utc():
    assert zone_of(None) is UTC
    assert zone_of(folded(None, updated(T0, name="Pop-up"))) is UTC
