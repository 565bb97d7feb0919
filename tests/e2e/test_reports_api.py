"""Staff reports through the real system: platform events in, credits decides, reports lists them."""

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.contract.topics import CLIENTS, SALES
from tests.conftest import auth
from tests.support import events as ev
from tests.support.kafka import Platform, eventually

pytestmark = pytest.mark.e2e

LEDGER_MONTH = "2026-02"


def on(day: int) -> str:
    return f"{LEDGER_MONTH}-{day:02d}T10:00:00+00:00"


class Brand:
    """Two fresh locations: L1 with Ada (in credit), Bob (owing, a formula for a name) and Cy
    (store credit and a pack); L2 with Dee paying in yen."""

    def __init__(self) -> None:
        self.l1, self.l2 = ev.unique("loc"), ev.unique("loc")
        self.ada, self.bob, self.cy, self.dee = (ev.unique(n) for n in ("ada", "bob", "cy", "dee"))

    def events(self) -> list[tuple[str, dict]]:
        l1, l2 = self.l1, self.l2
        return [
            (CLIENTS.name, ev.client_registered(l1, self.ada, first_name="Ada", last_name="Lovelace")),
            (CLIENTS.name, ev.client_registered(l1, self.bob, first_name="=cmd", last_name="Evil", email=None)),
            (CLIENTS.name, ev.client_registered(l1, self.cy, first_name="Cy", last_name="Young",
                                                join_date="2026-03-01")),
            (CLIENTS.name, ev.client_registered(l2, self.dee, first_name="Dee", last_name="Tokyo")),
            (SALES.name, ev.account_transaction(l1, self.ada, "payment", 5000, occurred_at=on(10))),
            (SALES.name, ev.account_transaction(l1, self.ada, "charge", -1250, occurred_at=on(20))),
            (SALES.name, ev.account_transaction(l1, self.bob, "charge", -2000, occurred_at=on(15))),
            (SALES.name, ev.account_transaction(l1, self.cy, "credit", 800, occurred_at=on(12),
                                                credit_expires_on="2099-12-31")),
            (SALES.name, ev.package_purchased(l1, self.cy, "pack-10", credits=10)),
            (SALES.name, ev.account_transaction(l2, self.dee, "payment", 1250, currency="JPY", occurred_at=on(11))),
        ]


@pytest.fixture(scope="module")
async def brand(system, servers) -> Brand:
    brand, platform = Brand(), Platform(servers.kafka)
    await platform.start()
    try:
        for topic, event in brand.events():
            await platform.publish(topic, event)
    finally:
        await platform.stop()
    await eventually(lambda: _rows_present(system, brand), timeout=30)
    return brand


async def _rows_present(system, brand: Brand) -> bool:
    balances = await get(system, "/v1/reports/account-balances", location=[brand.l1, brand.l2])
    packages = await get(system, "/v1/reports/session-credits-remaining", location=brand.l1)
    history = await get(system, f"/v1/locations/{brand.l1}/clients/{brand.ada}/account/history")
    return (len(balances.json()["items"]) == 4 and len(packages.json()["items"]) == 1
            and len(history.json()["items"]) == 2)


async def get(system, path: str, headers: dict | None = None, **params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system["reports"].url) as http:
        return await http.get(path, params=params, headers=auth("reporting") if headers is None else headers)


def ids(response: httpx.Response) -> list[str]:
    return [row["client_id"] for row in response.json()["items"]]


async def test_clients_with_account_credit_lists_credit_largest_first(system, brand):
    response = await get(system, "/v1/reports/clients-with-account-credit", location=brand.l1)

    body = response.json()
    assert [(r["client_id"], r["account_credit_balance_minor"]) for r in body["items"]] == [(brand.ada, 3750),
                                                                                          (brand.cy, 800)]
    assert body["items"][0] == {
        "location_id": brand.l1, "location_name": None, "client_id": brand.ada, "full_name": "Ada Lovelace",
        "first_name": "Ada",
        "last_name": "Lovelace", "email": f"{brand.ada}@example.com", "phone": "+44 20 7946 0000",
        "account_credit_balance_minor": 3750, "currency": "USD", "join_date": "2026-01-15",
    }
    assert body["next_cursor"] is None and body["as_of"]


async def test_credit_filters_by_minimum_and_join_date(system, brand):
    path = "/v1/reports/clients-with-account-credit"

    assert ids(await get(system, path, location=brand.l1, min_balance_minor=1000)) == [brand.ada]
    assert ids(await get(system, path, location=brand.l1, joined_from="2026-02-01")) == [brand.cy]


async def test_session_credits_remaining_shows_each_package_with_its_status(system, brand):
    response = await get(system, "/v1/reports/session-credits-remaining", location=brand.l1)

    [row] = response.json()["items"]
    assert row == {
        "location_id": brand.l1, "location_name": None, "client_id": brand.cy, "full_name": "Cy Young",
        "email": f"{brand.cy}@example.com",
        "package_id": "pack-10", "package_name": "10 class pack", "credits_purchased": 10, "credits_adjusted": 0,
        "credits_used": 0, "credits_remaining": 10, "starts_on": "2026-01-01", "expires_on": "2027-12-31",
        "status": "active",
    }


async def test_account_balances_sort_filter_and_search(system, brand):
    path = "/v1/reports/account-balances"

    assert ids(await get(system, path, location=brand.l1, sort="balance_minor")) == [brand.bob, brand.cy, brand.ada]
    assert ids(await get(system, path, location=brand.l1, balance="negative")) == [brand.bob]
    assert ids(await get(system, path, q="TOKYO")) == [brand.dee]  # no location: the whole brand


async def test_paging_with_the_cursor_visits_every_row_once_in_order(system, brand):
    seen, cursor = [], None
    while True:
        params = {"location": brand.l1, "sort": "-balance_minor", "limit": 1, **({"cursor": cursor} if cursor else {})}
        body = (await get(system, "/v1/reports/account-balances", **params)).json()
        seen += [row["client_id"] for row in body["items"]]
        if not (cursor := body["next_cursor"]):
            break

    assert seen == [brand.ada, brand.cy, brand.bob]


async def test_several_locations_page_in_one_order_across_them(system, brand):
    seen, cursor = [], None
    while True:
        params = {"location": [brand.l2, brand.l1], "sort": "-balance_minor", "limit": 1,
                  **({"cursor": cursor} if cursor else {})}
        body = (await get(system, "/v1/reports/account-balances", **params)).json()
        seen += [row["client_id"] for row in body["items"]]
        if not (cursor := body["next_cursor"]):
            break

    assert seen == [brand.ada, brand.dee, brand.cy, brand.bob]


async def test_the_staff_search_box_finds_a_client_by_any_part_of_name_email_phone_or_id(system, brand):
    path = f"/v1/locations/{brand.l1}/clients"

    by_name = (await get(system, path, q="LOVELACE")).json()

    assert by_name["items"] == [{
        "client_id": brand.ada, "full_name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace",
        "email": f"{brand.ada}@example.com", "phone": "+44 20 7946 0000", "join_date": "2026-01-15",
        "balance_minor": 3750, "currency": "USD"}]
    assert by_name["next_cursor"] is None and by_name["as_of"]
    assert ids(await get(system, path, q=brand.cy[-6:].upper())) == [brand.cy]
    assert ids(await get(system, path, q=f"{brand.cy}@EXAMPLE")) == [brand.cy]
    assert ids(await get(system, path, q="tokyo")) == []  # Dee is a client of the other location
    assert ids(await get(system, path, q="20 7946")) == [brand.bob, brand.ada, brand.cy]  # by name: "=cmd Evil" first


async def test_the_staff_search_box_pages_by_name_and_keeps_to_the_tokens_locations(system, brand):
    path = f"/v1/locations/{brand.l1}/clients"
    seen, cursor = [], None
    while True:
        body = (await get(system, path, limit=1, **({"cursor": cursor} if cursor else {}))).json()
        seen += [row["client_id"] for row in body["items"]]
        if not (cursor := body["next_cursor"]):
            break

    assert seen == [brand.bob, brand.ada, brand.cy]
    assert (await get(system, path, headers=auth("reporting", [brand.l2]))).status_code == 403
    too_long = await get(system, path, q="x" * 101)
    assert too_long.status_code == 422 and "q" in too_long.text


def rows_of(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


async def test_csv_picks_columns_writes_major_units_and_neutralises_formulas(system, brand):
    response = await get(system, "/v1/reports/account-balances", location=brand.l1, format="csv",
                         columns="full_name,balance_minor,currency", sort="balance_minor", limit=1)

    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert rows_of(response) == [["full_name", "balance", "currency"], ["'=cmd Evil", "-20.00", "USD"],
                                 ["Cy Young", "8.00", "USD"], ["Ada Lovelace", "37.50", "USD"]]


async def test_csv_uses_the_currencys_precision(system, brand):
    response = await get(system, "/v1/reports/account-balances", location=brand.l2, format="csv",
                         columns="client_id,balance_minor")

    assert rows_of(response) == [["client_id", "balance"], [brand.dee, "1250"]]


async def test_a_token_for_one_location_sees_only_it_and_is_refused_another(system, brand):
    narrow = auth("reporting", [brand.l1])
    path = "/v1/reports/account-balances"

    mine = await get(system, path, headers=narrow)
    other = await get(system, path, headers=narrow, location=brand.l2)
    csv_other = await get(system, "/v1/reports/balance-movements", headers=narrow, location=brand.l2,
                          **{"from": "2026-01-01", "to": "2026-12-31", "format": "csv"})

    assert sorted(ids(mine)) == sorted([brand.ada, brand.bob, brand.cy])
    assert other.status_code == csv_other.status_code == 403 and brand.dee not in other.text
    history = await get(system, f"/v1/locations/{brand.l2}/clients/{brand.dee}/account/history", headers=narrow)
    assert history.status_code == 403
    assert (await get(system, path, headers={})).status_code == 401


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "password"}, "sort"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit"),
    ({"cursor": "definitely-not-a-cursor"}, "cursor"), ({"format": "csv", "columns": "client_id,secret"}, "columns"),
    ({"balance": "some"}, "balance"),
])
async def test_bad_parameters_are_422_naming_the_field(system, brand, params, field):
    response = await get(system, "/v1/reports/account-balances", location=brand.l1, **params)

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == [field]


async def test_balance_movements_open_plus_movements_make_the_close(system, brand):
    response = await get(system, "/v1/reports/balance-movements", location=brand.l1,
                         **{"from": f"{LEDGER_MONTH}-11", "to": f"{LEDGER_MONTH}-28"})

    [row] = response.json()["items"]
    assert (row["opening_minor"], row["charge_minor"], row["credit_minor"]) == (5000, -3250, 800)
    assert row["payment_minor"] == row["refund_minor"] == 0
    movements = [v for k, v in row.items() if k.endswith("_minor") and k not in ("opening_minor", "closing_minor")]
    assert row["opening_minor"] + sum(movements) == row["closing_minor"] == 3750 - 2000 + 800


async def test_balance_movements_as_csv_in_major_units(system, brand):
    response = await get(system, "/v1/reports/balance-movements", location=brand.l1, format="csv",
                         columns="currency,opening_minor,closing_minor",
                         **{"from": f"{LEDGER_MONTH}-11", "to": f"{LEDGER_MONTH}-28"})

    assert rows_of(response) == [["currency", "opening", "closing"], ["USD", "50.00", "25.50"]]


async def test_balance_movements_need_both_dates(system, brand):
    response = await get(system, "/v1/reports/balance-movements", location=brand.l1, **{"from": "2026-02-01"})

    assert response.status_code == 422 and response.json()["detail"] == [{"field": "to", "msg": "is required"}]


async def test_account_history_is_newest_first_with_staff_adjustments_and_their_actor(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.account_transaction(location, client, "payment", 5000, occurred_at=on(10)))
    await platform.publish(SALES.name, ev.account_transaction(location, client, "charge", -1250, occurred_at=on(20)))
    path = f"/v1/locations/{location}/clients/{client}/account/history"
    assert await eventually(lambda: _entries(system, path, 2))
    async with httpx.AsyncClient(base_url=system["credits"].url) as http:
        posted = await http.post(f"/v1/locations/{location}/clients/{client}/account/adjustments",
                                 json={"amount_minor": 100, "currency": "USD", "note": "goodwill"},
                                 headers=auth(sub="staff-7"))

    items = await eventually(lambda: _entries(system, path, 3))

    assert posted.status_code == 200
    assert [(e["type"], e["amount_minor"], e["balance_after_minor"]) for e in items] == [
        ("Manual Adjustment", 100, 3850), ("Charge", -1250, 3750), ("Payment", 5000, 5000)]
    assert (items[0]["actor"], items[0]["note"], items[1]["at"]) == ("staff-7", "goodwill", on(20))


async def _entries(system, path: str, count: int) -> list | None:
    items = (await get(system, path)).json()["items"]
    return items if len(items) == count else None


async def test_account_history_pages_with_a_cursor(system, brand):
    path = f"/v1/locations/{brand.l1}/clients/{brand.ada}/account/history"

    first = (await get(system, path, limit=1)).json()
    second = (await get(system, path, limit=1, cursor=first["next_cursor"])).json()

    assert [e["type"] for e in first["items"] + second["items"]] == ["Charge", "Payment"]
    assert second["next_cursor"] is None


async def test_account_history_pages_newest_first_through_every_entry_once(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    for day in range(1, 6):
        await platform.publish(SALES.name, ev.account_transaction(location, client, "payment", 100 * day,
                                                                  occurred_at=on(day)))
    path = f"/v1/locations/{location}/clients/{client}/account/history"
    assert await eventually(lambda: _entries(system, path, 5))

    pages, cursor = [], None
    while True:
        body = (await get(system, path, limit=2, **({"cursor": cursor} if cursor else {}))).json()
        pages.append([e["amount_minor"] for e in body["items"]])
        assert body["as_of"]
        if not (cursor := body["next_cursor"]):
            break

    assert pages == [[500, 400], [300, 200], [100]]


async def test_an_unknown_parameter_is_422_naming_it_instead_of_being_ignored(system, brand):
    response = await get(system, "/v1/reports/account-balances", location=brand.l1, balanse="negative")

    assert response.status_code == 422
    assert [(p["field"], p["msg"].split(";")[0]) for p in response.json()["detail"]] == [("balanse", "is unknown here")]
    assert response.json()["message"].startswith("The query parameter balanse is unknown here")


async def test_a_money_column_may_be_named_without_minor(system, brand):
    short = await get(system, "/v1/reports/account-balances", location=brand.l2, format="csv",
                      columns="client_id,balance")
    page = await get(system, "/v1/reports/account-balances", location=brand.l2, columns="client_id,balance")

    assert rows_of(short) == [["client_id", "balance"], [brand.dee, "1250"]]
    assert page.json()["items"] == [{"client_id": brand.dee, "balance_minor": 1250}]


async def test_a_membership_sold_but_never_booked_shows_its_running_period_as_zero_of_max(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    today = datetime.now(UTC).date()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    await platform.publish(SALES.name, ev.membership_started(location, client, "mem-8", starts_on=first.isoformat()))
    await platform.publish(SALES.name, ev.membership_started(location, client, "mem-open", period="week",
                                                             credits_per_period=None, starts_on=today.isoformat()))
    path = f"/v1/locations/{location}/clients/{client}/credits"

    memberships = await eventually(lambda: _memberships(system, path, 2))

    assert [(m["membership_id"], [(p["starts_on"], p["ends_on"], p["used"], p["max"]) for p in m["periods"]])
            for m in memberships] == [
        ("mem-8", [(first.isoformat(), last.isoformat(), 0, 8)]),
        ("mem-open", [(today.isoformat(), (today + timedelta(days=6)).isoformat(), 0, None)]),
    ]


async def _memberships(system, path: str, count: int) -> list | None:
    memberships = (await get(system, path)).json()["memberships"]
    return memberships if len(memberships) == count else None


async def test_name_sorts_ignore_case_and_status_sorts_and_pages(system, platform):
    location = ev.unique("loc")
    names = {ev.unique("c"): ("bea", "young"), ev.unique("c"): ("Al", "Brown"), ev.unique("c"): ("ada", "Zed")}
    for client, (first, last) in names.items():
        await platform.publish(CLIENTS.name, ev.client_registered(location, client, first_name=first, last_name=last))
        await platform.publish(SALES.name, ev.account_transaction(location, client, "payment", 100))
    lapsed, current = list(names)[:2]
    await platform.publish(SALES.name, ev.package_purchased(location, lapsed, "old", expires_on="2026-01-31"))
    await platform.publish(SALES.name, ev.package_purchased(location, current, "new"))
    balances, packages = "/v1/reports/account-balances", "/v1/reports/session-credits-remaining"
    assert await eventually(lambda: _listed(system, balances, 3, location=location, sort="full_name"))
    assert await eventually(lambda: _listed(system, packages, 2, location=location, include_expired="true"))

    by_name = await get(system, balances, location=location, sort="full_name")
    by_status = [await _statuses(system, packages, location, sort) for sort in ("status", "-status")]

    assert [row["full_name"] for row in by_name.json()["items"]] == ["ada Zed", "Al Brown", "bea young"]
    assert by_status == [["active", "expired"], ["expired", "active"]]


async def _listed(system, path: str, count: int, **params) -> bool:
    items = (await get(system, path, **params)).json()["items"]
    return len(items) == count and all(row.get("full_name") for row in items)


async def _statuses(system, path: str, location: str, sort: str) -> list[str]:
    """The statuses page by page, one row a page, through the cursor."""
    seen, cursor = [], None
    while True:
        params = {"location": location, "sort": sort, "include_expired": "true", "limit": 1}
        body = (await get(system, path, **params, **({"cursor": cursor} if cursor else {}))).json()
        seen += [row["status"] for row in body["items"]]
        if not (cursor := body["next_cursor"]):
            return seen
