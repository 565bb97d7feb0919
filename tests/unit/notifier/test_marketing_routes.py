"""Audiences, journeys and newsletters as staff of some locations use them: brand-wide audiences
within their locations, members paged per location, journeys and newsletters scoped."""

from types import SimpleNamespace

import pytest

from services.notifier.domain.conditions import Audience, Condition, audience_document
from services.notifier.domain.journeys import journey_from, schedule
from services.notifier.domain.paging import encode_cursor
from services.notifier.entrypoints.scheduler import Scheduler
from tests.unit.notifier.fakes import NOW, FakeNotifierStore, served

OWING = "owing-balance"


def studio() -> FakeNotifierStore:
    """Owing clients at two locations, and one client in credit."""
    store = FakeNotifierStore()
    for location_id, client_id in [("l-1", "c-3"), ("l-1", "c-1"), ("l-1", "c-2"), ("l-2", "c-9"), ("l-2", "c-4")]:
        store.add_member(location_id, client_id, balance_minor=-500, inside=(OWING,))
    store.add_member("l-1", "c-rich", balance_minor=900)
    store.docs["templates"]["tpl-1"] = {"_id": "tpl-1", "name": "Please pay", "subject": "s", "body": "b"}
    return store


async def members(http, path=f"/v1/audiences/{OWING}/members", **params) -> list[tuple[str, str]]:
    """Every page, following next_cursor."""
    found, cursor = [], None
    while True:
        page = (await http.get(path, params={**params, **({"cursor": cursor} if cursor else {})})).json()
        found += [(i["location_id"], i["client_id"]) for i in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            return found


async def test_an_admin_of_one_location_uses_the_owing_audience_and_sees_only_its_members():
    http, _, _ = served(studio(), locations=["l-1"])

    response = await http.get(f"/v1/audiences/{OWING}/members")

    assert response.status_code == 200
    assert [(i["location_id"], i["client_id"]) for i in response.json()["items"]] == [
        ("l-1", "c-1"), ("l-1", "c-2"), ("l-1", "c-3")]


async def test_members_come_in_pages_by_location_then_client_without_gaps_or_repeats():
    http, _, _ = served(studio())

    assert await members(http, limit=2) == [("l-1", "c-1"), ("l-1", "c-2"), ("l-1", "c-3"), ("l-2", "c-4"),
                                            ("l-2", "c-9")]
    assert await members(http, limit=1, location=["l-2"]) == [("l-2", "c-4"), ("l-2", "c-9")]


async def test_a_page_shows_who_the_member_is_and_what_they_owe():
    http, _, _ = served(studio())

    first = (await http.get(f"/v1/audiences/{OWING}/members", params={"limit": 1})).json()

    assert first["items"][0] == {"location_id": "l-1", "client_id": "c-1", "full_name": "Ada Lovelace",
                                 "email": "ada@example.com", "balance_minor": -500, "currency": "USD", "entry": 1,
                                 "since": NOW.isoformat()}
    assert first["next_cursor"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"cursor": "bm90LWEtY3Vyc29y"},
                                    {"cursor": "***"}, {"cursor": encode_cursor("l-1", 5)},
                                    {"cursor": encode_cursor("l-1", "c-1", 1)}])
async def test_a_bad_limit_or_cursor_is_422_naming_it(params):
    http, _, _ = served(studio())

    response = await http.get(f"/v1/audiences/{OWING}/members", params=params)

    assert response.status_code == 422 and next(iter(params)) in response.text


async def test_asking_for_a_location_the_token_does_not_allow_is_403():
    http, _, _ = served(studio(), locations=["l-1"])

    for path in (f"/v1/audiences/{OWING}/members", "/v1/audiences", "/v1/journeys", "/v1/newsletters"):
        assert (await http.get(path, params={"location": "l-2"})).status_code == 403, path


async def test_an_audience_of_other_locations_only_is_403_and_an_unknown_one_404():
    store = studio()
    elsewhere = Audience("aud-l2", "L2 owing", Condition("account_balance_minor", "lt", 0), frozenset({"l-2"}))
    store.docs["audiences"]["aud-l2"] = audience_document(elsewhere)
    http, _, _ = served(store, locations=["l-1"])

    assert (await http.get("/v1/audiences/aud-l2/members")).status_code == 403
    assert (await http.get("/v1/audiences/nope/members")).status_code == 404
    assert [a["audience_id"] for a in (await http.get("/v1/audiences")).json()["items"]] == [OWING]


async def test_the_audience_list_counts_members_per_location_within_the_tokens_locations():
    http, _, _ = served(studio(), locations=["l-1"])
    whole, _, _ = served(studio())

    [mine] = (await http.get("/v1/audiences")).json()["items"]
    [everyone] = (await whole.get("/v1/audiences")).json()["items"]

    assert (mine["audience_id"], mine["name"], mine["built_in"], mine["members"]) == (
        OWING, "Customers Owing Account Balance", True, 3)
    assert mine["members_by_location"] == [{"location_id": "l-1", "members": 3}]
    assert everyone["members_by_location"] == [{"location_id": "l-1", "members": 3},
                                               {"location_id": "l-2", "members": 2}]


async def test_a_journey_an_admin_of_one_location_makes_on_the_owing_audience_runs_only_there():
    http, store, _ = served(studio(), locations=["l-1"])

    response = await http.post("/v1/journeys", json={"name": "Remind", "audience_id": OWING,
                                                      "steps": [{"after": "PT1H", "template_id": "tpl-1"}]})
    journey = journey_from(store.docs["journeys"][response.json()["journey_id"]])

    assert response.status_code == 201 and journey.location_ids == {"l-1"}
    assert schedule(journey, "l-2", "c-9", 1, NOW) == [] and len(schedule(journey, "l-1", "c-1", 1, NOW)) == 1


async def test_a_journey_for_a_location_the_token_does_not_allow_is_403():
    http, _, _ = served(studio(), locations=["l-1"])

    response = await http.post("/v1/journeys", json={"name": "x", "audience_id": OWING, "location_ids": ["l-2"],
                                                      "steps": [{"after": "PT1H", "template_id": "tpl-1"}]})

    assert response.status_code == 403


async def test_journeys_are_listed_with_step_template_names_and_their_entries_paged_in_scope():
    store = studio()
    whole, _, _ = served(store)
    created = await whole.post("/v1/journeys", json={"name": "Remind", "audience_id": OWING, "steps": [
        {"after": "PT1H", "template_id": "tpl-1"}, {"after": "P1D", "template_id": "tpl-1"}]})
    journey = journey_from(store.docs["journeys"][created.json()["journey_id"]])
    for member in await store.audience_members(OWING):
        await store.insert_all_new("steps", schedule(journey, member["location_id"], member["client_id"], 1, NOW))
    http, _, _ = served(store, locations=["l-1"])

    [listed] = (await http.get("/v1/journeys")).json()["items"]
    entries = await members(http, f"/v1/journeys/{journey.id}/entries", limit=2)

    assert (listed["audience_name"], [s["template_name"] for s in listed["steps"]]) == (
        "Customers Owing Account Balance", ["Please pay", "Please pay"])
    assert entries == [("l-1", "c-1"), ("l-1", "c-2"), ("l-1", "c-3")]
    assert {tuple(sorted(q)) for q in store.queries} == {("journey_id", "location_id"), ("location_id", "origin_id")}


async def test_a_journey_entry_shows_each_steps_status_and_template():
    store = studio()
    whole, _, _ = served(store)
    created = await whole.post("/v1/journeys", json={"name": "Remind", "audience_id": OWING,
                                                       "steps": [{"after": "PT1H", "template_id": "tpl-1"}]})
    journey = journey_from(store.docs["journeys"][created.json()["journey_id"]])
    await store.insert_all_new("steps", schedule(journey, "l-1", "c-1", 1, NOW))

    [entry] = (await whole.get(f"/v1/journeys/{journey.id}/entries")).json()["items"]

    assert (entry["full_name"], entry["entry"]) == ("Ada Lovelace", 1)
    assert [(s["step"], s["template_name"], s["status"]) for s in entry["steps"]] == [(0, "Please pay", "pending")]


async def test_a_newsletter_of_an_admin_of_one_location_goes_only_to_its_members_and_counts_its_outcomes():
    class Mailer:
        async def send(self, mail) -> None:
            pass

    store = studio()
    http, _, definitions = served(store, locations=["l-1"], mailer=Mailer())
    created = await http.post("/v1/newsletters", json={"audience_id": OWING, "template_id": "tpl-1",
                                                        "send_at": NOW.isoformat()})
    scheduler = Scheduler(store, definitions.catalog, definitions.dispatcher, definitions.clock, 60,
                          SimpleNamespace(locations=None))  # members and zones are not used by a newsletter

    await scheduler.queue_due_newsletters()
    [listed] = (await http.get("/v1/newsletters")).json()["items"]

    assert created.status_code == 201
    assert sorted(m["location_id"] for m in store.docs["messages"].values()) == ["l-1", "l-1", "l-1"]
    assert (listed["audience_name"], listed["template_name"], listed["status"]) == (
        "Customers Owing Account Balance", "Please pay", "sent")
    assert listed["outcomes"] == {"queued": 0, "sent": 3, "failed": 0, "skipped": 0}


async def test_journeys_and_newsletters_of_other_locations_are_not_listed():
    store = studio()
    whole, _, _ = served(store)
    await whole.post("/v1/journeys", json={"name": "L2 only", "audience_id": OWING, "location_ids": ["l-2"],
                                           "steps": [{"after": "PT1H", "template_id": "tpl-1"}]})
    await whole.post("/v1/newsletters", json={"audience_id": OWING, "template_id": "tpl-1", "location_ids": ["l-2"],
                                              "send_at": NOW.isoformat()})
    http, _, _ = served(store, locations=["l-1"])

    assert (await http.get("/v1/journeys")).json()["items"] == []
    assert (await http.get("/v1/newsletters")).json()["items"] == []
    assert len((await whole.get("/v1/journeys")).json()["items"]) == 1
    [journey] = (await whole.get("/v1/journeys")).json()["items"]
    assert (await http.get(f"/v1/journeys/{journey['journey_id']}/entries")).status_code == 403
