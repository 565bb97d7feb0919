"""Messy but real front-desk data, as hypothesis strategies: what a client service forwards from a
studio's front desk, not what we would have typed ourselves.

Names in any script, with apostrophes, emoji, stray spaces, up to the contract's 100 characters;
emails and phones in every shape (typos, no top-level domain, reserved domains, internationalised,
uppercase, spaces, line breaks, missing, null); updates with any subset of fields, nulls included;
duplicates (a producer's retry: the same event again); events out of order (an update before the
registration, a payment before either).

Names are never blank: the contract refuses an empty name (a registration without a last name
is dead-lettered, by design), so a blank one is not front-desk data the system must keep.

`expected_profile` is the contract read literally (absent: unchanged; `null` clears email or
phone and leaves the rest), written apart from the services' own code so it can judge it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from shared.contract.clients import Name
from shared.contract.topics import CLIENTS, SALES

REAL_NAMES = ["O'Brien", "D’Arcy", "José", "Zoë", "Nguyễn Thị", "李", "Ana-María", "Siobhán", "Þórunn", "Ølstad",
              "محمد", "Дмитрий", "X Æ A-12", "🧘‍♀️ Sam", "van der Berg", "Mc Donald", "N'Golo", "Ünal", "Ǆemal",
              "Saint-Exupéry", "Ó Súilleabháin", "Þ", "ʻOhana", "Jean–Luc", "Renée 🌸", "null", "None", "=SUM(A1)"]
REAL_EMAILS = ["c@example.test", "maria@studio", "front@studio.local", "josé@exämple.com", " ana@x.com ",
               "ANA.LOPEZ@EXAMPLE.COM", "ana@gmial.con", "ana@@x.com", "no-at-sign", "ana at x dot com", "", " ",
               "ana@x.com\r\nBcc: all@x.com", "用户@例子.广告", "ana@x..com", "ana.@x.com", "Ana <ana@x.com>",
               "ana@x.com; bob@y.com", "ana@localhost", "ana@[127.0.0.1]", "=HYPERLINK(\"x\")@x.com",
               "a" * 64 + "@" + "b" * 63 + ".com", "x" * 320]
REAL_PHONES = ["+1 (555) 010-2030 ext. 12", "555-CALL-NOW", "call after 6pm", "", "+44 20 7946 0000",
               "06 01 02 03 04", "☎ 0601", "n/a", "+1-555-0100 x99", "(555) 0100 / 0101", "9" * 320]
PADDING = ["", " ", "  ", "\t", "\u00a0", " \u3000"]
CONTACT_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=320)
NAME_TEXT = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=100)

_name = TypeAdapter(Name)


def _fits_a_name(text: str) -> bool:
    try:
        _name.validate_python(text)
    except ValueError:
        return False
    return True


names = st.builds(lambda before, core, after: before + core + after, st.sampled_from(PADDING),
                  st.one_of(st.sampled_from(REAL_NAMES), NAME_TEXT, NAME_TEXT.map(lambda s: (s * 100)[:100])),
                  st.sampled_from(PADDING)).filter(_fits_a_name)
emails = st.one_of(st.sampled_from(REAL_EMAILS), st.emails().map(str), st.emails().map(str.upper), CONTACT_TEXT)
phones = st.one_of(st.sampled_from(REAL_PHONES), CONTACT_TEXT)
join_dates = st.dates(date(1990, 1, 1), date(2026, 11, 30)).map(date.isoformat)
ABSENT = object()


def _optional(values: st.SearchStrategy) -> st.SearchStrategy:
    """A value, null, or the field left out."""
    return st.one_of(values, st.none(), st.just(ABSENT))


def _fields(**drawn) -> dict:
    return {k: v for k, v in drawn.items() if v is not ABSENT}


registrations = st.builds(_fields, first_name=names, last_name=names, email=_optional(emails),
                          phone=_optional(phones), join_date=join_dates,
                          email_opt_out=st.one_of(st.booleans(), st.just(ABSENT)))
updates = st.builds(_fields, first_name=_optional(names), last_name=_optional(names), email=_optional(emails),
                    phone=_optional(phones), join_date=_optional(join_dates),
                    email_opt_out=_optional(st.booleans()))


@dataclass
class FrontDeskClient:
    client_id: str
    registration: dict
    updates: list[dict]
    updates_first: int  # how many of the updates the client service sent before the registration
    kind: str  # the one account.transaction: payment (positive) or charge (negative)
    amount_minor: int
    payment_first: bool  # the transaction (and package) published before anything about the client
    package_credits: int | None = None  # a class pack bought, or none
    duplicated: set[str] = field(default_factory=set)  # "registration", "transaction", "package": sent twice

    @property
    def balance_minor(self) -> int:
        return self.amount_minor if self.kind == "payment" else -self.amount_minor

    def client_fields(self) -> list[tuple[str, dict]]:
        """("client.registered" | "client.updated", fields), in the order the client service sent them."""
        early, late = self.updates[:self.updates_first], self.updates[self.updates_first:]
        return [*(("client.updated", u) for u in early), ("client.registered", self.registration),
                *(("client.updated", u) for u in late)]


@st.composite
def front_desk_clients(draw) -> FrontDeskClient:
    client_updates = draw(st.lists(updates, max_size=3))
    return FrontDeskClient(
        client_id=f"fd-{uuid.uuid4().hex[:12]}", registration=draw(registrations), updates=client_updates,
        updates_first=draw(st.integers(0, len(client_updates))), kind=draw(st.sampled_from(["payment", "charge"])),
        amount_minor=draw(st.integers(1, 10**7)), payment_first=draw(st.booleans()),
        package_credits=draw(st.one_of(st.none(), st.integers(1, 50))),
        duplicated=set(draw(st.lists(st.sampled_from(["registration", "transaction", "package"]), unique=True))))


def expected_profile(client: FrontDeskClient) -> dict:
    """The profile the contract promises once every event of the client is in."""
    profile: dict = {}
    for type_, fields in client.client_fields():
        if type_ == "client.registered":
            profile = {"email": None, "phone": None, "email_opt_out": False, **fields}
            continue
        for name, value in fields.items():
            if value is not None or name in ("email", "phone"):
                profile[name] = value
    for name in ("first_name", "last_name"):
        if name in profile:
            profile[name] = _name.validate_python(profile[name])
    return profile


def events_of(client: FrontDeskClient, location_id: str, at: datetime | None = None) -> list[tuple[str, dict]]:
    """(topic, event) in publish order; a duplicate is the same event (same id) sent again at once."""
    at = at or datetime.now(UTC)
    sent: list[tuple[str, dict]] = []
    for n, (type_, fields) in enumerate(client.client_fields()):
        event = {**_envelope(type_, location_id, client.client_id, at + timedelta(milliseconds=n)), **fields}
        sent += [(CLIENTS.name, event)] * (2 if type_ == "client.registered" and "registration" in client.duplicated
                                           else 1)
    transaction = {**_envelope("account.transaction", location_id, client.client_id, at),
                   "transaction_id": f"tx-{uuid.uuid4().hex[:12]}", "kind": client.kind,
                   "amount_minor": client.balance_minor, "currency": "USD"}
    paid = [(SALES.name, transaction)] * (2 if "transaction" in client.duplicated else 1)
    if client.package_credits is not None:
        package = {**_envelope("package.purchased", location_id, client.client_id, at), "package_id": "pack",
                   "package_name": f"{client.package_credits} classes", "credits": client.package_credits,
                   "starts_on": "2026-01-01", "expires_on": None}
        paid += [(SALES.name, package)] * (2 if "package" in client.duplicated else 1)
    return paid + sent if client.payment_first else sent + paid


def _envelope(type_: str, location_id: str, client_id: str, at: datetime) -> dict:
    return {"event_id": f"ev-{uuid.uuid4().hex}", "type": type_, "occurred_at": at.isoformat(),
            "location_id": location_id, "client_id": client_id}


def draw_batch(strategy: st.SearchStrategy, size: int, random_seed: int) -> list:
    """`size` values of `strategy` outside a @given test (an e2e test publishes them once)."""
    found: list = []

    @seed(random_seed)
    @settings(max_examples=size, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value) -> None:
        found.append(value)

    collect()
    return found[:size]
