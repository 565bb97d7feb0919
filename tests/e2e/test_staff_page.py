"""The staff web page in headless Chromium against the real services: sign in, reports, CSV,
a client's credits and history, admin adjustments, messages to the test SMTP server, the search
box, the marketing screens (audiences, journeys, newsletters, templates), errors, and the phone
layout.

Screenshots of every page land in test-output/staff-page/ (`-phone` ones at 390x844)."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from shared.contract.topics import BOOKINGS, CLIENTS, LOCATIONS, SALES
from tests.conftest import OUTPUT, auth, token
from tests.support import events as ev
from tests.support.kafka import Platform, eventually

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
SHOTS = OUTPUT / "staff-page"
PAGED = 27
LAPTOP, TABLET, PHONE = {"width": 1280, "height": 900}, {"width": 1024, "height": 768}, {"width": 390, "height": 844}
OWING = "Customers Owing Account Balance"


def soon(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


class Studio:
    """L1: Ada owes 25.00 and has a 10-class pack (one booked, one used) and a monthly membership
    with one booking; Bob has 50.00 in credit; Cy 8.00 of store credit and a 5-class pack. L2: Dee
    owes 3.00. L3: a crowd of accounts, more than a page. L4 (marketing): Eve owes 40.00, Finn
    owes 10.00 and has no email address."""

    def __init__(self) -> None:
        self.l1, self.l2, self.l3, self.l4 = (ev.unique("loc") for _ in range(4))
        self.crowd = [ev.unique(f"pat{i:02d}") for i in range(PAGED)]
        self.ada, self.bob, self.cy, self.dee = (ev.unique(n) for n in ("ada", "bob", "cy", "dee"))
        self.eve, self.finn = ev.unique("eve"), ev.unique("finn")
        self.harbour = f"Harbour Studio {self.l4[-4:]}"  # L4 is registered with a name; L1-L3 are not
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
            (SALES.name, ev.package_purchased(l1, self.cy, "pack-5", credits=5, package_name="5 class pack", expires_on="2027-01-31")),
            (CLIENTS.name, ev.client_registered(self.l4, self.eve, first_name="Eve", last_name="Moreau")),
            (CLIENTS.name, ev.client_registered(self.l4, self.finn, first_name="Finn", last_name="Olsen", email=None)),
            (SALES.name, ev.account_transaction(self.l4, self.eve, "charge", -4000)),
            (SALES.name, ev.account_transaction(self.l4, self.finn, "charge", -1000)),
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
        await platform.publish(LOCATIONS.name, ev.location_registered(studio.l4, name=studio.harbour, time_zone="UTC"),
                               key=studio.l4)
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
    owing = await api(system, "reports", "/v1/reports/account-balances", location=studio.l4)
    return (len(balances.json()["items"]) == 4 and len(owing.json()["items"]) == 2 and len(crowd.json()["items"]) == PAGED and len(packages) == 1 and packages[0]["booked"] == 1
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
    await context.close()
    log.close()


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def no_overflow(page: Page) -> None:
    """Nothing makes the page wider than the screen (a wide table scrolls inside its card). The
    layout viewport (clientWidth), not innerWidth: a mobile browser zooms out to fit what overflows."""
    wide = await page.evaluate("""() => {
        const width = Math.min(document.documentElement.clientWidth, screen.width || 1e9);
        return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1
            && !e.parentElement.closest('.table-wrap, .tabs ul'))
            .slice(0, 6).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`);
    }""")
    fits = await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"
                               " && window.innerWidth <= document.documentElement.clientWidth")
    sizes = await page.evaluate("""() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth,
        [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
          .slice(0, 8).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)]""")
    assert fits and not wide, (sizes, wide)


async def shots(page: Page, name: str) -> None:
    """The screen at 1280x900, then the same at 390x844 without horizontal overflow."""
    await shot(page, name)
    await page.set_viewport_size(PHONE)
    try:
        await page.wait_for_timeout(150)
        await no_overflow(page)
        await shot(page, f"{name}-phone")
    finally:
        await page.set_viewport_size(LAPTOP)


async def notifier(system, method: str, path: str, **body) -> dict:
    async with httpx.AsyncClient(base_url=system["notifier"].url, timeout=10) as http:
        response = await http.request(method, path, json=body or None, headers=auth())
        assert response.status_code < 300, response.text
        return response.json()


async def a_template(system, tag: str, subject: str = "{{first_name}}, about your balance", body: str = "You owe {{balance}}.") -> dict:
    return await notifier(system, "POST", "/v1/templates", name=tag, subject=f"[{tag}] {subject}", body=body)


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
    await expect(page.locator("td[data-column='client_id']")).to_have_text([studio.ada, studio.cy])
    await expect(page.locator("td[data-column='credits_remaining']")).to_have_text(["8", "5"])
    await expect(page.locator("td[data-column='status']")).to_have_text(["active", "active"])
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
    tip = page.locator("[data-package='pack-10'] .tooltip")
    await expect(tip).to_be_hidden()
    await bar.hover()
    await expect(tip).to_be_visible()
    await expect(tip).to_have_text("Available 8 · Booked 1 · Used 1 · Total 10")
    await shot(page, "08-bar-tooltip-hover")
    await page.mouse.move(0, 0)
    await expect(tip).to_be_hidden()
    await bar.focus()  # the keyboard reaches it and gets the same numbers
    await expect(tip).to_be_visible()
    assert await bar.get_attribute("aria-describedby") == await tip.get_attribute("id")
    await page.keyboard.press("Escape")
    await expect(tip).to_be_hidden()
    await expect(page.locator("[data-membership='mem-1'] .usage")).to_have_text(["1 / 8"])
    history = page.locator("table.history tbody tr")
    await expect(history).to_have_count(1)
    await expect(history.first).to_contain_text("Charge")
    await expect(history.first).to_contain_text("October classes")
    await expect(page.locator("#client-balance .money.owed")).to_have_text("-$25.00")
    await shots(page, "08-client-page")


async def test_adding_credits_changes_the_bar_once_the_reports_show_it(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    package = page.locator("[data-package='pack-10']")
    await package.get_by_text("Adjust credits").click()
    await package.get_by_label("Credits").fill("2")
    await package.get_by_label("Note (optional)").fill("goodwill")
    await package.get_by_role("button", name="Save").click()

    await expect(page.locator(".banner.success")).to_contain_text("Added 2 credits")
    await expect(page.locator("[data-package='pack-10'] .bar")).to_have_attribute(
        "data-exact", "Available 10 · Booked 1 · Used 1 · Total 12")
    change = page.locator("[data-package='pack-10'] .adjustments li").first
    await expect(change).to_contain_text("Added 2 credits")
    await expect(change).to_contain_text("goodwill")
    await expect(change).to_contain_text("staff-1")
    await shot(page, "09-credits-added")

    await page.get_by_role("link", name="← Back to reports").click()  # a banner belongs to its screen
    await expect(page.locator("table.report")).to_be_visible()
    await expect(page.locator(".banner")).to_have_count(0)


async def test_deducting_more_than_is_available_shows_the_409(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    package = page.locator("[data-package='pack-10']")
    await package.get_by_text("Adjust credits").click()
    await package.get_by_text("Deduct", exact=True).click()
    await package.get_by_label("Credits").fill("99")
    await package.get_by_role("button", name="Save").click()

    status = package.locator("#adjust-pack-10 .form-status")
    await expect(status).to_contain_text("Refused by the credits service")
    await expect(status).to_contain_text("99")
    await shot(page, "10-over-deduction-409")


async def test_a_membership_period_can_be_raised(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    membership = page.locator("[data-membership='mem-1']")
    await membership.locator("details.admin summary").first.click()
    await membership.get_by_label("Credits").first.fill("2")
    await membership.get_by_label("Note (optional)").first.fill("holiday make-up")
    await shot(page, "11-membership-form")
    await membership.get_by_role("button", name="Save").first.click()

    await expect(page.locator(".banner.success")).to_contain_text("adjusted")
    await expect(page.locator("[data-membership='mem-1'] .usage")).to_have_text(["1 / 10"])
    await expect(membership.locator(".adjustments li").first).to_contain_text("holiday make-up")
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


async def test_the_envelope_sends_a_template_message_that_arrives_by_smtp(system, studio, page, smtp_inbox):
    tag = ev.unique("tpl")
    await a_template(system, tag)
    await sign_in(page, system)
    await choose_location(page, studio.l1)
    await page.get_by_role("button", name="Message Ada Lovelace").click()
    dialog = page.locator("#message-dialog")
    await dialog.get_by_text("Use a template").click()
    await dialog.get_by_label("Template", exact=True).select_option(label=tag)
    await expect(dialog.locator(".preview-subject")).to_contain_text(f"[{tag}] Ada, about your balance")
    await expect(dialog.locator(".preview-body")).to_have_text("You owe -$25.00.")
    await shots(page, "13-message-dialog-template")
    await dialog.get_by_role("button", name="Send message").click()

    await expect(dialog.locator(".dialog-status")).to_contain_text(f"Sent to {studio.ada}@example.com")
    await shot(page, "14-message-sent")
    mails = [m for m in smtp_inbox.messages if f"[{tag}]" in m["Subject"]]
    assert [m["To"] for m in mails] == [f"{studio.ada}@example.com"]
    assert "-$25.00" in mails[0].get_content()

    await dialog.get_by_role("button", name="Close").click()
    await page.get_by_role("link", name="Ada Lovelace").click()
    await expect(page.locator(".messages li").first).to_contain_text(f"Template “{tag}”")  # its name, not its id


async def test_a_free_text_message_previews_and_arrives_with_the_clients_values(system, studio, page, smtp_inbox):
    tag = ev.unique("free")
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    await page.get_by_role("button", name="✉ Send a message").click()
    dialog = page.locator("#message-dialog")
    await dialog.get_by_label("Subject").fill(f"[{tag}] Hello {{{{first_name}}}}")
    body = dialog.get_by_label("Message", exact=True)
    await body.fill("Your balance is ")
    await body.press("End")
    await dialog.locator(".merge-fields").get_by_role("button", name="Balance").click()  # the picker inserts at the cursor
    await expect(body).to_have_value("Your balance is {{balance}}")
    await expect(dialog.locator(".preview-subject")).to_contain_text(f"[{tag}] Hello Ada")
    await expect(dialog.locator(".preview-body")).to_have_text("Your balance is -$25.00")
    await shots(page, "20-free-text-message")
    await dialog.get_by_role("button", name="Send message").click()

    await expect(dialog.locator(".dialog-status")).to_contain_text("Sent to")
    mails = [m for m in smtp_inbox.messages if f"[{tag}]" in m["Subject"]]
    assert [m["Subject"] for m in mails] == [f"[{tag}] Hello Ada"]
    assert "Your balance is -$25.00" in mails[0].get_content()


async def test_a_client_without_an_email_is_not_offered_a_message_and_the_page_says_why(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l4}/{studio.finn}")
    await expect(page.get_by_role("heading", name="Finn Olsen")).to_be_visible()
    await expect(page.locator("#not-reachable")).to_contain_text("No messages:")
    await expect(page.locator("#not-reachable")).to_contain_text("email")
    assert not await page.get_by_role("button", name="✉ Send a message").count()
    await shots(page, "21-client-without-email")

    await page.get_by_role("link", name="← Back to reports").click()  # the row's envelope says the same
    await choose_location(page, studio.harbour)
    await expect(page.locator("td[data-column='location_id']").first).to_have_text(studio.harbour)
    await page.get_by_role("button", name="Message Finn Olsen").click()
    dialog = page.locator("#message-dialog")
    await expect(dialog.locator(".reach")).to_contain_text("This client cannot be emailed")
    await expect(dialog.get_by_role("button", name="Send message")).to_be_disabled()


async def test_the_header_search_finds_clients_by_name_or_id_across_the_chosen_locations(system, studio, page):
    await sign_in(page, system)
    search = page.get_by_label("Find a client")
    await search.fill(studio.dee)
    await search.press("Enter")
    rows = page.locator("table.search tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Dee Nakamura")
    await shots(page, "22-search-by-id")

    await search.fill("lovelace")
    await search.press("Enter")
    await expect(page.locator(f"table.search tr[data-client='{studio.ada}']")).to_have_count(1)
    await page.locator(f"table.search tr[data-client='{studio.ada}'] a").click()
    await expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    assert await search.input_value() == ""

    await choose_location(page, studio.l1)  # only the chosen locations are searched
    await search.fill(studio.dee)
    await search.press("Enter")
    await expect(page.locator("table.search td.empty")).to_contain_text("No client matches")


async def test_a_package_validity_is_extended_with_a_note_that_is_listed_under_it(system, studio, page):
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.cy}")
    package = page.locator("[data-package='pack-5']")
    await package.get_by_text("Change validity").click()
    expires = package.get_by_label("Expires on")
    assert await expires.get_attribute("placeholder") == "yyyy-mm-dd"
    await expect(expires).to_have_value("2027-01-31")
    await expires.fill("31/07/2027")
    await package.get_by_label("Note", exact=True).fill("paused for an injury")
    await package.get_by_role("button", name="Save").last.click()
    await expect(package.locator(".form-status").last).to_contain_text("yyyy-mm-dd")

    await expires.fill("2027-07-31")
    await package.get_by_role("button", name="Save").last.click()
    await expect(page.locator(".banner.success")).to_contain_text("expires on 2027-07-31")
    package = page.locator("[data-package='pack-5']")
    await expect(package.locator(".validity")).to_contain_text("to 2027-07-31")
    change = package.locator(".adjustments li").first
    await expect(change).to_contain_text("Expires on 2027-07-31")
    await expect(change).to_contain_text("paused for an injury")
    await expect(change).to_contain_text("staff-1")
    await shots(page, "23-package-validity-extended")


async def test_a_date_or_number_the_page_cannot_send_is_named_as_the_page_labels_it(system, studio, page):
    await sign_in(page, system, hash_="#/report/session-credits-remaining")
    valid_from = page.get_by_label("Valid from")
    assert await valid_from.get_attribute("type") == "text"
    await valid_from.fill("12/31/2026")
    await valid_from.press("Tab")
    await expect(page.locator(".field-error").first).to_have_text("Valid from: write the date as yyyy-mm-dd.")
    await valid_from.fill("")
    await valid_from.press("Tab")
    await page.get_by_label("Expiring within (days)").fill("-1")
    await page.get_by_label("Expiring within (days)").press("Tab")
    banner = page.locator(".banner.error")
    await expect(banner).to_contain_text("Expiring within (days)")
    await expect(banner).not_to_contain_text("expiring_within_days")
    await shot(page, "24-errors-named-by-label")


async def test_an_answer_that_comes_back_late_does_not_cover_the_newer_filters_answer(system, studio, page):
    await sign_in(page, system, hash_="#/report/session-credits-remaining")
    await expect(page.get_by_role("table", name="Session Credits Remaining")).to_be_visible()

    async def slow_unless_refused(route):
        if "expiring_within_days=-1" not in route.request.url:
            await page.wait_for_timeout(1500)  # the earlier filter's answer arrives last
        await route.continue_()

    await page.route("**/v1/reports/session-credits-remaining*", slow_unless_refused)
    await page.get_by_label("Include expired").check()  # answered late
    await page.get_by_label("Expiring within (days)").fill("-1")
    await page.get_by_label("Expiring within (days)").press("Tab")  # refused at once

    banner = page.locator(".banner.error")
    await expect(banner).to_contain_text("Expiring within (days)")
    await page.wait_for_timeout(2500)  # the late answer has come and gone
    await expect(banner).to_contain_text("Expiring within (days)")
    await expect(page.locator(".table-area")).to_contain_text("No rows to show.")


async def owing_audience(system, studio) -> dict:
    """The help article's audience, for L4: created by the audience test, or here if it ran alone."""
    listed = await notifier(system, "GET", "/v1/audiences")
    for audience in listed["items"]:
        if audience["name"] == OWING and audience.get("location_ids") == [studio.l4]:
            return audience
    return await notifier(system, "POST", "/v1/audiences", name=OWING, location_ids=[studio.l4],
                          condition={"field": "account_balance_minor", "op": "lt", "value": 0})


async def test_the_owing_audience_is_built_from_the_help_article_and_lists_its_members(system, studio, page):
    await sign_in(page, system)
    await choose_location(page, studio.harbour)  # the picker names a registered location
    await expect(page.locator("#locations-summary")).to_have_text(f"Location: {studio.harbour}")
    await page.get_by_role("link", name="Audiences").click()
    await expect(page.get_by_role("heading", name="Audiences")).to_be_visible()
    await page.get_by_role("button", name=f"Start from “{OWING}”").click()
    await expect(page.get_by_label("Name", exact=True)).to_have_value(OWING)
    await shots(page, "25-audience-builder")
    await page.get_by_role("button", name="Create audience").click()

    await expect(page.get_by_role("heading", name=OWING)).to_be_visible()
    members = page.locator("table.marketing tbody tr[data-client]")
    await expect(members).to_have_count(2)
    assert await members.evaluate_all("rows => rows.map(r => r.dataset.client).sort()") == sorted([studio.eve, studio.finn])
    await expect(page.locator(".counts")).to_contain_text("2 members")
    await expect(members.first.locator("td").nth(1)).to_have_text(studio.harbour)
    await shots(page, "26-audience-members")
    created = page.url.rsplit("/", 1)[-1]

    await page.get_by_role("link", name="← All audiences").click()
    await expect(page.locator(f"tr[data-audience='{created}'] td.total")).to_have_text("2")
    await expect(page.locator(f"tr[data-audience='{created}'] td[data-location='{studio.l4}']")).to_have_text("2")
    await expect(page.locator("table.audiences thead")).to_contain_text(studio.harbour)
    await shots(page, "27-audiences-list")


async def test_a_journey_on_the_owing_audience_mails_a_client_who_enters_it(system, studio, page, platform, smtp_inbox):
    audience = await owing_audience(system, studio)
    tag = ev.unique("jny")
    await a_template(system, tag, subject="Welcome to the list, {{first_name}}")
    await sign_in(page, system, hash_=f"#/marketing/journeys/new/{audience['audience_id']}")
    await page.get_by_label("Name", exact=True).fill(f"Reminder {tag}")
    await expect(page.get_by_label("Audience", exact=True)).to_have_value(audience["audience_id"])
    await page.get_by_label("then send").first.select_option(label=tag)
    await page.get_by_role("button", name="+ Add a step").click()
    await page.get_by_label("then send").nth(1).select_option(label=tag)
    await shots(page, "28-journey-builder")
    await page.get_by_role("button", name="Create journey").click()
    await expect(page.get_by_role("heading", name=f"Reminder {tag}")).to_be_visible()
    await expect(page.locator("ol.steps li")).to_have_text([f"At once: {tag}", f"After 3 days: {tag}"])

    hal = ev.unique("hal")
    await platform.publish(CLIENTS.name, ev.client_registered(studio.l4, hal, first_name="Hal", last_name="Jordan"))
    await platform.publish(SALES.name, ev.account_transaction(studio.l4, hal, "charge", -1500))
    entry = page.locator(f"tr[data-client='{hal}']")
    for _ in range(30):
        await page.get_by_role("button", name="Refresh").click()
        if await entry.count():
            break
        await page.wait_for_timeout(1000)
    await expect(entry).to_contain_text("Hal Jordan")
    assert await eventually(lambda: _mailed(smtp_inbox, tag, f"{hal}@example.com"), timeout=30)
    await shots(page, "29-journey-entries")


async def _mailed(inbox, tag: str, to: str) -> bool:
    return any(f"[{tag}]" in m["Subject"] and m["To"] == to for m in inbox.messages)


async def test_a_newsletter_scheduled_on_the_audience_is_sent_and_its_outcomes_counted(system, studio, page, smtp_inbox):
    audience = await owing_audience(system, studio)
    tag = ev.unique("news")
    await a_template(system, tag, subject="Studio news for {{first_name}}")
    await sign_in(page, system)
    await choose_location(page, studio.harbour)
    await page.get_by_role("link", name="Newsletters").click()
    form = page.locator("#new-newsletter")
    await form.get_by_label("Audience").select_option(audience["audience_id"])
    await form.get_by_label("Template").select_option(label=tag)
    when = (datetime.now(UTC) + timedelta(seconds=4)).strftime("%Y-%m-%d %H:%M:%S")
    await form.get_by_label("Send at").fill(when)
    await shots(page, "30-newsletter-form")
    await form.get_by_role("button", name="Schedule newsletter").click()
    await expect(form.locator(".form-status")).to_contain_text("Scheduled for")

    row = page.locator("table.newsletters tbody tr", has=page.get_by_text(tag))
    await expect(row.locator("td[data-outcome='sent']")).not_to_have_text("0", timeout=40000)
    await expect(row.locator("td[data-outcome='queued']")).to_have_text("0", timeout=20000)
    await expect(row.locator("td[data-outcome='skipped']")).to_have_text("1")  # Finn: no email address
    assert await eventually(lambda: _mailed(smtp_inbox, tag, f"{studio.eve}@example.com"), timeout=10)
    await shots(page, "31-newsletter-outcomes")


async def test_templates_are_listed_created_and_previewed_with_a_clients_values(system, studio, page):
    tag = ev.unique("tpl")
    await sign_in(page, system, hash_=f"#/client/{studio.l1}/{studio.ada}")
    await expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    await page.get_by_role("link", name="Templates").click()
    await expect(page.get_by_label("Client ID")).to_have_value(studio.ada)  # the client just opened
    await page.get_by_label("Name", exact=True).fill(tag)
    await page.get_by_label("Subject").fill("Hi {{first_name}}")
    await page.get_by_label("Body").fill("Balance: ")
    await page.locator("#new-template .merge-fields").get_by_role("button", name="Balance").click()
    await expect(page.locator(".preview-subject")).to_have_text("Subject: Hi Ada")
    await expect(page.locator(".preview-body")).to_have_text("Balance: -$25.00")
    await page.get_by_role("button", name="Create template").click()
    await expect(page.locator(".banner.success")).to_contain_text(f"Template “{tag}” created")
    await expect(page.locator(f"table.templates tr", has=page.get_by_text(tag))).to_have_count(1)
    await page.get_by_label("Body").fill("See you soon.")
    await page.get_by_label("Subject").fill("Hi {{nickname}}")  # an unknown merge field: the notifier says so
    await expect(page.locator(".preview-error")).to_contain_text("nickname")
    await shots(page, "32-templates")


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

    await expect(package.locator("#adjust-pack-10 .form-status")).to_contain_text("The credits service is not answering")
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


async def test_the_phone_layout_fits_390_px_and_every_control_is_reachable(system, studio, browser):
    context = await browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = await context.new_page()
    page.set_default_timeout(15000)
    try:
        await sign_in(page, system)
        await expect(page.locator("table.report")).to_be_visible()
        await no_overflow(page)
        await page.locator("#locations-summary").tap()
        panel = page.locator(".locations fieldset")
        box = await panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box  # it opens on-screen
        await shot(page, "40-phone-location-picker")
        await page.get_by_label(studio.l1, exact=True).tap()
        await expect(page.locator("#locations-summary")).to_contain_text(studio.l1)
        await expect(page.locator("table.report tbody tr")).to_have_count(3)
        wrap = page.locator(".table-wrap").first
        assert await wrap.evaluate("e => e.scrollWidth >= e.clientWidth")
        await no_overflow(page)
        await shot(page, "41-phone-account-balances")

        await page.goto(f"{system['reports'].url}/staff/#/client/{studio.l1}/{studio.ada}")
        await expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
        await page.locator("[data-package='pack-10'] .bar").tap()  # a tap shows the exact numbers
        await expect(page.locator("[data-package='pack-10'] .tooltip")).to_be_visible()
        await no_overflow(page)
        await shot(page, "42-phone-client-tooltip")
        for screen in ("audiences", "journeys", "newsletters", "templates"):
            await page.goto(f"{system['reports'].url}/staff/#/marketing/{screen}")
            await expect(page.locator("main h2").first).to_be_visible()
            await page.wait_for_timeout(300)
            await no_overflow(page)
            await shot(page, f"43-phone-{screen}")
    finally:
        await context.close()
