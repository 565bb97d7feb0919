"""The staff web page in headless Chromium against the real services: sign in, reports, CSV,
a client's credits and history, admin adjustments, a message to the test SMTP server, errors.

Screenshots of every page land in test-output/staff-page/."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from shared.contract.topics import BOOKINGS, CLIENTS, SALES
from tests.conftest import OUTPUT, auth, token
from tests.support import events as ev
from tests.support.kafka import Platform, eventually

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
SHOTS = OUTPUT / "staff-page"
PAGED = 27
LAPTOP, TABLET = {"width": 1366, "height": 900}, {"width": 1024, "height": 768}


def soon(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


class Studio:
    """L1: Ada owes 25.00 and has a 10-class pack (one booked, one used) and a monthly membership
    with one booking; Bob has 50.00 in credit; Cy 8.00 of store credit. L2: Dee owes 3.00. L3: a
    crowd of accounts, more than a page."""

    def __init__(self) -> None:
        self.l1, self.l2, self.l3 = ev.unique("loc"), ev.unique("loc"), ev.unique("loc")
        self.crowd = [ev.unique(f"pat{i:02d}") for i in range(PAGED)]
        self.ada, self.bob, self.cy, self.dee = (ev.unique(n) for n in ("ada", "bob", "cy", "dee"))
        self.membership_start = datetime.now(UTC).date().replace(day=1).isoformat()

    def bookings(self) -> list[tuple[str, dict]]:
        """Published once the sales are in: Kafka orders nothing between topics."""
        l1, ada = self.l1, self.ada
        return [
            (BOOKINGS.name, ev.booking_created(l1, ada, ev.unique("b"), soon(3), credit_source={"kind": "package", "id": "pack-10"})),
            (BOOKINGS.name, ev.booking_created(l1, ada, ev.unique("b"), soon(-2), credit_source={"kind": "package", "id": "pack-10"})),
            (BOOKINGS.name, ev.booking_created(l1, ada, ev.unique("b"), soon(0), credit_source={"kind": "membership", "id": "mem-1"})),
        ]

    def events(self) -> list[tuple[str, dict]]:
        l1, l2, ada = self.l1, self.l2, self.ada
        return [
            (CLIENTS.name, ev.client_registered(l1, ada, first_name="Ada", last_name="Lovelace")),
            (CLIENTS.name, ev.client_registered(l1, self.bob, first_name="Bob", last_name="Baker", phone="+1 555 0100")),
            (CLIENTS.name, ev.client_registered(l1, self.cy, first_name="Cy", last_name="Young", join_date="2026-03-01")),
            (CLIENTS.name, ev.client_registered(l2, self.dee, first_name="Dee", last_name="Nakamura")),
            (SALES.name, ev.account_transaction(l1, ada, "charge", -2500, note="October classes")),
            (SALES.name, ev.account_transaction(l1, self.bob, "payment", 5000)),
            (SALES.name, ev.account_transaction(l1, self.cy, "credit", 800, credit_expires_on="2099-12-31")),
            (SALES.name, ev.account_transaction(l2, self.dee, "charge", -300)),
            (SALES.name, ev.membership_started(l1, ada, "mem-1", starts_on=self.membership_start)),
            (SALES.name, ev.package_purchased(l1, ada, "pack-10", credits=10, package_name="10 class pack")),
            *[(SALES.name, ev.account_transaction(self.l3, pat, "payment", 100 + i)) for i, pat in enumerate(self.crowd)],
        ]


async def api(system, service: str, path: str, role: str = "admin", **params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system[service].url, timeout=10) as http:
        return await http.get(path, params=params, headers=auth(role))


@pytest.fixture(scope="module")
async def studio(system, servers) -> Studio:
    studio, platform = Studio(), Platform(servers.kafka)
    await platform.start()
    try:
        for topic, event in studio.events():
            await platform.publish(topic, event)
        assert await eventually(lambda: _sold(system, studio), timeout=40), "the sales did not reach the reports"
        for topic, event in studio.bookings():
            await platform.publish(topic, event)
    finally:
        await platform.stop()
    assert await eventually(lambda: _seeded(system, studio), timeout=40), f"the seed did not reach the reports: {studio.seen}"
    return studio


async def _sold(system, studio: Studio) -> bool:
    credits = (await api(system, "reports", f"/v1/locations/{studio.l1}/clients/{studio.ada}/credits")).json()
    return bool(credits.get("packages"))


async def _seeded(system, studio: Studio) -> bool:
    balances = await api(system, "reports", "/v1/reports/account-balances", location=[studio.l1, studio.l2])
    credits = (await api(system, "reports", f"/v1/locations/{studio.l1}/clients/{studio.ada}/credits")).json()
    packages = credits.get("packages", [])
    studio.seen = (balances.json(), credits)
    crowd = await api(system, "reports", "/v1/reports/account-balances", location=studio.l3, limit=100)
    return (len(balances.json()["items"]) == 4 and len(crowd.json()["items"]) == PAGED and len(packages) == 1 and packages[0]["booked"] == 1
            and packages[0]["used"] == 1 and any(m["periods"] for m in credits.get("memberships", [])))


@pytest.fixture(scope="module")
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser):
    context = await browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(15000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = (SHOTS / "browser.log").open("a")
    page.on("console", lambda message: log.write(f"console {message.type}: {message.text}\n"))
    page.on("requestfailed", lambda r: log.write(f"failed {r.method} {r.url}: {r.failure}\n"))
    yield page
    log.close()
    await context.close()


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def sign_in(page: Page, system, role: str = "admin", locations: list[str] | None = None, hash_: str = "") -> None:
    await page.goto(f"{system['reports'].url}/staff/{hash_}")
    await page.get_by_label("Staff token").fill(token(role, locations))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text("Signed in as")).to_be_visible()


async def choose_location(page: Page, location: str) -> None:
    await page.locator("#locations-summary").click()
    await page.get_by_label(location, exact=True).check()
    await page.locator("#locations-summary").click()


async def column(page: Page, name: str) -> list[str]:
    return await page.locator(f"table.report tbody td[data-column='{name}']").all_inner_texts()


async def client_ids(page: Page) -> list[str]:
    return await column(page, "client_id")


async def test_signing_in_shows_only_the_locations_the_token_allows(system, studio, page):
    await page.goto(f"{system['reports'].url}/staff/")
    await shot(page, "01-sign-in")
    await sign_in(page, system, role="reporting", locations=[studio.l1])

    await page.locator("#locations-summary").click()
    boxes = await page.locator(".locations input[type=checkbox]").evaluate_all("els => els.map(e => e.id)")
    assert boxes == ["loc-all", f"loc-{studio.l1}"]
    await expect(page.locator("table.report tbody tr")).to_have_count(3)
    assert not await page.get_by_role("button", name=re.compile("^Message")).count()  # messages are for admins
    await shot(page, "02-reporting-token-one-location")


async def test_account_balances_show_owed_in_red_credit_in_green_and_sort_filter_search(system, studio, page):
    await sign_in(page, system)
    await choose_location(page, studio.l1)
    await expect(page.locator("table.report tbody tr")).to_have_count(3)

    owed = page.locator("td[data-column='balance_minor'] .money.owed")
    await expect(owed).to_have_text(["-$25.00"])
    assert await owed.evaluate("e => getComputedStyle(e).color") == "rgb(179, 38, 30)"
    credit = page.locator("td[data-column='balance_minor'] .money.credit").first
    assert await credit.evaluate("e => getComputedStyle(e).color") == "rgb(27, 127, 59)"
    await shot(page, "03-account-balances")

    await page.get_by_role("button", name=re.compile("^Balance")).click()
    header = page.locator("th", has=page.get_by_role("button", name=re.compile("^Balance")))
    await expect(header).to_have_attribute("aria-sort", "ascending")
    expected = await api(system, "reports", "/v1/reports/account-balances", location=studio.l1, sort="balance_minor")
    await expect(page.locator("td[data-column='client_id']")).to_have_text([r["client_id"] for r in expected.json()["items"]])
    await page.get_by_role("button", name=re.compile("^Balance")).focus()
    await page.keyboard.press("Enter")  # the headers work from the keyboard
    await expect(header).to_have_attribute("aria-sort", "descending")
    await expect(page.locator("td[data-column='client_id']")).to_have_text([studio.bob, studio.cy, studio.ada])

    await page.get_by_text("Negative", exact=True).click()
    await expect(page.locator("td[data-column='client_id']")).to_have_text([studio.ada])
    await shot(page, "04-account-balances-negative")
    await page.get_by_text("All", exact=True).click()
    await page.get_by_label("Search").fill("baker")
    await expect(page.locator("td[data-column='client_id']")).to_have_text([studio.bob])


async def test_paging_walks_forward_and_back_with_the_cursor(system, studio, page):
    await sign_in(page, system)
    await choose_location(page, studio.l3)
    await page.locator("#page-size").select_option("25")
    await expect(page.locator("table.report tbody tr")).to_have_count(25)
    first = await client_ids(page)

    await page.get_by_role("button", name="Next →").click()
    await expect(page.locator("table.report tbody tr")).to_have_count(PAGED - 25)
    await expect(page.get_by_text("Page 2")).to_be_visible()
    assert await page.get_by_role("button", name="Next →").is_disabled()
    second = await client_ids(page)
    assert first + second == sorted(studio.crowd)
    await shot(page, "05-second-page")

    await page.get_by_role("button", name="← Previous").click()
    await expect(page.locator("td[data-column='client_id']")).to_have_text(first)


async def test_each_report_opens_with_the_rows_the_api_gives(system, studio, page):
    await sign_in(page, system)
    await choose_location(page, studio.l1)

    await page.get_by_role("link", name="Clients with Account Credit").click()
    await expect(page.get_by_role("heading", name="Clients with Account Credit")).to_be_visible()
    await expect(page.locator("td[data-column='client_id']")).to_have_text([studio.bob, studio.cy])
    await expect(page.locator("td[data-column='account_credit_balance_minor']")).to_have_text(["$50.00", "$8.00"])
    await shot(page, "06-clients-with-account-credit")

    await page.get_by_role("link", name="Session Credits Remaining").click()
    await expect(page.locator("td[data-column='client_id']")).to_have_text([studio.ada])
    await expect(page.locator("td[data-column='credits_remaining']")).to_have_text(["8"])
    await expect(page.locator("td[data-column='status']")).to_have_text(["active"])
    await shot(page, "06-session-credits-remaining-b")


async def test_csv_export_downloads_the_same_rows_as_the_api(system, studio, page):
    await sign_in(page, system)
    await choose_location(page, studio.l1)
    await page.get_by_role("button", name=re.compile("^Balance")).click()
    await page.get_by_role("button", name="Export CSV…").click()
    dialog = page.locator("#csv-dialog")
    await dialog.get_by_label(re.compile("^Email")).uncheck()
    await dialog.get_by_label(re.compile("^Last activity")).uncheck()
    await shot(page, "07-csv-dialog")

    async with page.expect_download() as info:
        await dialog.get_by_role("button", name="Download CSV").click()
    download = await info.value
    saved = Path(await download.path()).read_bytes().decode()

    columns = "full_name,client_id,location_id,balance_minor,currency"
    expected = await api(system, "reports", "/v1/reports/account-balances", location=studio.l1, sort="balance_minor",
                         format="csv", columns=columns)
    assert saved == expected.text
    assert download.suggested_filename.startswith("account-balances")
    assert list(csv.reader(io.StringIO(saved)))[0] == ["full_name", "client_id", "location_id", "balance", "currency"]


async def test_the_client_page_shows_history_package_bars_and_membership_periods(system, studio, page):
    await sign_in(page, system)
    await choose_location(page, studio.l1)
    await page.get_by_role("link", name="Ada Lovelace").click()

    await expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    bar = page.locator("[data-package='pack-10'] .bar")
    await expect(bar).to_have_attribute("title", "Available 8 · Booked 1 · Used 1 · Total 10")
    await expect(bar.locator(".seg.available")).to_have_attribute("title", "Available: 8 of 10")
    await expect(page.locator("[data-membership='mem-1'] .usage")).to_have_text(["1 / 8"])
    history = page.locator("table.history tbody tr")
    await expect(history).to_have_count(1)
    await expect(history.first).to_contain_text("Charge")
    await expect(history.first).to_contain_text("October classes")
    await expect(page.locator("#client-balance .money.owed")).to_have_text("-$25.00")
    await shot(page, "08-client-page")


async def test_adding_credits_changes_the_bar_once_the_reports_show_it(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    package = page.locator("[data-package='pack-10']")
    await package.get_by_text("Adjust credits").click()
    await package.get_by_label("Credits").fill("2")
    await package.get_by_label("Note (optional)").fill("goodwill")
    await package.get_by_role("button", name="Save").click()

    await expect(page.locator(".banner.success")).to_contain_text("Added 2 credits")
    await expect(page.locator("[data-package='pack-10'] .bar")).to_have_attribute(
        "title", "Available 10 · Booked 1 · Used 1 · Total 12")
    await shot(page, "09-credits-added")


async def test_deducting_more_than_is_available_shows_the_409(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    package = page.locator("[data-package='pack-10']")
    await package.get_by_text("Adjust credits").click()
    await package.get_by_text("Deduct", exact=True).click()
    await package.get_by_label("Credits").fill("99")
    await package.get_by_role("button", name="Save").click()

    status = package.locator(".form-status")
    await expect(status).to_contain_text("Refused by the credits service")
    await expect(status).to_contain_text("99")
    await shot(page, "10-over-deduction-409")


async def test_a_membership_period_can_be_raised(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    membership = page.locator("[data-membership='mem-1']")
    await membership.locator("details.admin summary").first.click()
    await membership.get_by_label("Credits").first.fill("2")
    await shot(page, "11-membership-form")
    await membership.get_by_role("button", name="Save").first.click()

    await expect(page.locator(".banner.success")).to_contain_text("adjusted")
    await expect(page.locator("[data-membership='mem-1'] .usage")).to_have_text(["1 / 10"])
    await shot(page, "11-membership-adjusted-b")


async def test_a_manual_adjustment_needs_a_note_and_appears_in_the_history(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.cy}")
    await page.get_by_text("Manual money adjustment").click()
    form = page.locator("#account-adjust")
    await form.get_by_label(re.compile("^Amount")).fill("-2.50")
    await form.get_by_role("button", name="Save").click()
    await expect(form.locator(".form-status")).to_contain_text("A note is required")

    await form.get_by_label("Note (required)").fill("broken towel")
    await form.get_by_role("button", name="Save").click()
    await expect(page.locator(".banner.success")).to_contain_text("new balance $5.50")
    await expect(page.locator("table.history tbody tr").first).to_contain_text("broken towel")
    await expect(page.locator("#client-balance")).to_have_text("$5.50")
    await shot(page, "12-manual-adjustment")


async def test_the_envelope_sends_a_message_that_arrives_by_smtp(system, studio, page, smtp_inbox):
    await sign_in(page, system)
    await choose_location(page, studio.l1)
    await page.get_by_role("button", name="Message Ada Lovelace").click()
    dialog = page.locator("#message-dialog")
    await dialog.get_by_text("Create a template").click()
    tag = ev.unique("tpl")
    await dialog.get_by_label("Name", exact=True).fill(tag)
    await dialog.get_by_label("Subject").fill(f"[{tag}] Your balance, {{{{first_name}}}}")
    await dialog.get_by_role("button", name="Create template").click()
    await expect(dialog.get_by_label("Template", exact=True)).to_have_value(re.compile("."))
    await shot(page, "13-message-dialog")
    await dialog.get_by_role("button", name="Send message").click()

    await expect(dialog.locator(".dialog-status")).to_contain_text(f"Sent to {studio.ada}@example.com")
    await shot(page, "14-message-sent")
    mails = [m for m in smtp_inbox.messages if f"[{tag}]" in m["Subject"]]
    assert [m["To"] for m in mails] == [f"{studio.ada}@example.com"]
    assert "-$25.00" in mails[0].get_content()


async def test_a_location_the_token_does_not_allow_shows_403(system, studio, page):
    await sign_in(page, system, role="reporting", locations=[studio.l1], hash_=f"#/client/{studio.l2}/{studio.dee}")

    await expect(page.locator(".banner.error")).to_contain_text("Not allowed")
    await shot(page, "15-forbidden-location")


async def test_a_service_that_is_down_shows_a_clear_message(system, studio, page):
    await page.route(f"{system['credits'].url}/**", lambda route: route.abort("connectionrefused"))
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    package = page.locator("[data-package='pack-10']")
    await package.get_by_text("Adjust credits").click()
    await package.get_by_label("Credits").fill("1")
    await package.get_by_role("button", name="Save").click()

    await expect(package.locator(".form-status")).to_contain_text("The credits service is not answering")
    await shot(page, "16-credits-service-down")


async def test_the_pages_fit_a_tablet(system, studio, browser):
    context = await browser.new_context(viewport=TABLET)
    page = await context.new_page()
    try:
        await sign_in(page, system, hash_="#/report/session-credits-remaining")
        await expect(page.locator("table.report")).to_be_visible()
        await shot(page, "17-tablet-session-credits")
        await page.goto(f"{system['reports'].url}/staff/#/client/{studio.l1}/{studio.ada}")
        await expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await shot(page, "18-tablet-client")
    finally:
        await context.close()
