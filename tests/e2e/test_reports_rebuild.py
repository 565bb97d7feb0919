"""The rebuild command against the running system: it replays this run's records into a new
generation while the API keeps answering, the rebuilt rows equal the live ones, and the service
writes to the new generation once it has switched."""

import asyncio
import json
import os
import sys

import httpx
import pytest

from services.reports.domain.generations import collections_of
from shared.contract.topics import CLIENTS, SALES
from tests.conftest import START_OFFSETS, auth, consumer_groups
from tests.support import events as ev
from tests.support.kafka import end_offsets_of, eventually, group_offsets
from tests.support.processes import ROOT

pytestmark = pytest.mark.e2e

REPORTS = ("/v1/reports/account-balances", "/v1/reports/session-credits-remaining",
           "/v1/reports/clients-with-account-credit")


class Studio:
    def __init__(self) -> None:
        self.location = ev.unique("loc")
        self.clients = [ev.unique("cli") for _ in range(4)]

    def events(self) -> list[tuple[str, dict]]:
        loc, found = self.location, []
        for n, client in enumerate(self.clients):
            found += [(CLIENTS.name, ev.client_registered(loc, client, first_name=f"Name{n}")),
                      (SALES.name, ev.account_transaction(loc, client, "payment", 1000 * (n + 1))),
                      (SALES.name, ev.account_transaction(loc, client, "charge", -300)),
                      (SALES.name, ev.package_purchased(loc, client, f"pack-{n}", credits=5 + n))]
        return found


async def get(system, path: str, **params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system["reports"].url) as http:
        return await http.get(path, params=params, headers=auth("reporting"))


async def answers(system, studio: Studio) -> dict:
    found = {path: (await get(system, path, location=studio.location)).json() for path in REPORTS}
    for client in studio.clients:
        path = f"/v1/locations/{studio.location}/clients/{client}/account/history"
        found[path] = (await get(system, path)).json()
    return found


async def _all_rows_shown(system, studio: Studio) -> bool:
    shown = await answers(system, studio)
    return (len(shown[REPORTS[0]]["items"]) == len(shown[REPORTS[1]]["items"]) == len(studio.clients)
            and all(len(shown[p]["items"]) == 2 for p in shown if p.endswith("/history")))


def reports_groups(system) -> dict[str, str]:
    return consumer_groups(system["reports"].env["CONSUMER_GROUP_PREFIX"], "reports")


async def _caught_up(system, servers) -> bool:
    groups = reports_groups(system)
    committed = await group_offsets(servers.kafka, groups)
    ends = {g: await end_offsets_of(servers.kafka, t) for g, t in groups.items()}
    return committed == ends


def start_offsets(system) -> str:
    """This run's 'offset 0': where the reports groups began, as {topic: {partition: offset}}."""
    return json.dumps({topic: {str(p): o for p, o in START_OFFSETS[group].items()}
                       for group, topic in reports_groups(system).items()})


async def run_rebuild(system) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.reports.entrypoints.rebuild", "--start-offsets-json", start_offsets(system),
        cwd=ROOT, env={**os.environ, **system["reports"].env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=300)
    return process.returncode, out.decode(), err.decode()


async def poll_while(system, studio: Studio, running: asyncio.Task) -> list[int]:
    statuses = []
    while not running.done():
        statuses.append((await get(system, REPORTS[0], location=studio.location)).status_code)
        await asyncio.sleep(0.05)
    return statuses


async def documents(db, name: str) -> list[dict]:
    """The rows, without `profile_rev`: it counts the writes of a profile (the writers' token
    against each other, services/reports/adapters/profiles.py), and a rebuild folds a client's
    profile events in fewer batches than the live writer did; what a row says is the same."""
    return [{f: v for f, v in doc.items() if f != "profile_rev"}
            for doc in await db[name].find().sort("_id", 1).to_list()]


def differences(rebuilt: list[dict], kept: list[dict]) -> list[tuple]:
    """(row id, field, rebuilt value, live value) for every field that differs; rows on one side only."""
    by_id = {doc["_id"]: doc for doc in kept}
    found = [(doc["_id"], "(row)", "rebuilt only", None) for doc in rebuilt if doc["_id"] not in by_id]
    for doc in rebuilt:
        other = by_id.pop(doc["_id"], None)
        if other is not None:
            found += [(doc["_id"], f, doc.get(f), other.get(f)) for f in sorted(set(doc) | set(other))
                      if doc.get(f) != other.get(f)]
    return found + [(key, "(row)", None, "live only") for key in by_id]


@pytest.fixture
async def studio(system, servers, platform) -> Studio:
    studio = Studio()
    for topic, event in studio.events():
        await platform.publish(topic, event)
    assert await eventually(lambda: _all_rows_shown(system, studio), timeout=30)
    assert await eventually(lambda: _caught_up(system, servers), timeout=30)
    return studio


@pytest.fixture
def reports_db(system, mongo):
    return mongo[f"{system['reports'].env['DATABASE_PREFIX']}_reports"]


async def test_rebuild_replays_into_a_new_generation_equal_to_the_live_one_without_downtime(
        system, studio, reports_db, platform):
    before = await answers(system, studio)

    running = asyncio.create_task(run_rebuild(system))
    statuses = await poll_while(system, studio, running)
    code, out, err = running.result()

    assert code == 0, err
    assert "rebuilding generation" in err and "100%" in err and "records applied" in out
    assert statuses and set(statuses) == {200}
    live = (await reports_db["generations"].find_one({"_id": "current"}))["live"]
    for old, new in zip(collections_of(live - 1), collections_of(live), strict=True):
        rebuilt, kept = await documents(reports_db, new), await documents(reports_db, old)
        assert rebuilt == kept, (new, differences(rebuilt, kept))
    assert await eventually(lambda: _same_answers(system, studio, before), timeout=5)


async def _same_answers(system, studio: Studio, expected: dict) -> bool:
    return await answers(system, studio) == expected


async def test_after_a_rebuild_the_service_writes_to_the_new_generation(system, studio, reports_db, platform):
    code, _, err = await run_rebuild(system)
    assert code == 0, err
    client = studio.clients[0]

    await platform.publish(CLIENTS.name, {**ev.client_registered(studio.location, client), "type": "client.updated",
                                          "first_name": "Renamed"})

    assert await eventually(lambda: _renamed(system, studio, client), timeout=20)
    live = (await reports_db["generations"].find_one({"_id": "current"}))["live"]
    row = await reports_db[collections_of(live)[0]].find_one({"_id": f"{studio.location}|{client}"})
    assert row["first_name"] == "Renamed"


async def _renamed(system, studio: Studio, client: str) -> bool:
    rows = (await get(system, REPORTS[0], location=studio.location, q="renamed")).json()["items"]
    return [r["client_id"] for r in rows] == [client]
