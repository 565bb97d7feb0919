"""One staff booking followed through the spans every service wrote (TRACE_FILE, set by the
`system` fixture): HTTP request → bookings → credits → the reports update, by parent/child or by
the links a batch consumer's span keeps to each message it took."""

import json
from collections import deque
from dataclasses import dataclass

import pytest

from shared.contract.topics import BOOKINGS, CREDITS, LIFECYCLE, SALES
from tests.conftest import trace_file
from tests.e2e.test_bookings import book
from tests.e2e.test_credits_flow import package_when
from tests.support import events as ev
from tests.support.kafka import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.tracing]


@dataclass(frozen=True)
class Span:
    id: str
    service: str
    kind: str
    name: str
    trace: str
    parent: str | None
    links: tuple[str, ...]
    attributes: str  # as JSON, to look for an id in

    def __str__(self) -> str:
        return f"{self.service}: {self.kind} {self.name!r} (trace {self.trace[-8:]}, span {self.id[-8:]})"


@dataclass(frozen=True)
class Step:
    service: str
    kind: str
    name: str  # the span name starts with it
    mentions: str = ""

    def matches(self, span: Span) -> bool:
        return (span.service, span.kind) == (self.service, self.kind) and span.name.startswith(self.name) \
            and self.mentions in span.attributes

    def __str__(self) -> str:
        return f"{self.service}: {self.kind} {self.name}…"


def read_spans(services=("bookings", "credits", "reports")) -> dict[str, Span]:
    spans = {}
    for service in services:
        path = trace_file(service)
        lines = path.read_text().splitlines() if path.exists() else []
        for line in lines:
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line being written
            span = _span(raw)
            spans[span.id] = span
    return spans


def _span(raw: dict) -> Span:
    return Span(id=raw["context"]["span_id"], service=raw["resource"]["attributes"]["service.name"],
                kind=raw["kind"].removeprefix("SpanKind."), name=raw["name"], trace=raw["context"]["trace_id"],
                parent=raw["parent_id"], links=tuple(link["context"]["span_id"] for link in raw.get("links", [])),
                attributes=json.dumps(raw["attributes"]))


def followers(spans: dict[str, Span]) -> dict[str, list[str]]:
    """span id → the spans that follow it: its children and the spans linking to it."""
    after: dict[str, list[str]] = {}
    for span in spans.values():
        for source in (span.parent, *span.links):
            if source:
                after.setdefault(source, []).append(span.id)
    return after


def chain_through(spans: dict[str, Span], steps: list[Step]) -> tuple[list[Span], int]:
    """The shortest path of parent/link relations from a span matching the first step that passes
    spans matching every step in order; else the path that got furthest, and how far."""
    after = followers(spans)
    starts = [s for s in spans.values() if steps[0].matches(s)]
    queue = deque((s.id, 1) for s in starts)
    came_from: dict[tuple[str, int], tuple[str, int] | None] = {(s.id, 1): None for s in starts}
    best = next(iter(came_from), None)
    while queue:
        state = queue.popleft()
        span_id, reached = state
        if reached == len(steps):
            return _path(spans, came_from, state), reached
        if best is None or reached > best[1]:
            best = state
        for follower in after.get(span_id, []):
            step_done = reached + steps[reached].matches(spans[follower])
            if (follower, step_done) not in came_from:
                came_from[(follower, step_done)] = state
                queue.append((follower, step_done))
    return (_path(spans, came_from, best), best[1]) if best else ([], 0)


def _path(spans, came_from, state) -> list[Span]:
    path = []
    while state is not None:
        path.append(spans[state[0]])
        state = came_from[state]
    return path[::-1]


def staff_booking_steps(location: str) -> list[Step]:
    return [
        Step("bookings", "SERVER", "POST", mentions=location),
        Step("bookings", "PRODUCER", f"{BOOKINGS.name} "),
        Step("bookings", "CONSUMER", f"{BOOKINGS.name} process"),
        Step("bookings", "PRODUCER", f"{LIFECYCLE.name} "),
        Step("credits", "CONSUMER", f"{LIFECYCLE.name} process"),
        Step("credits", "PRODUCER", f"{CREDITS.name} "),
        Step("reports", "CONSUMER", f"{CREDITS.name} process"),  # a batch span: linked, names no key
    ]


async def test_a_staff_booking_is_followed_from_the_request_to_the_report_update(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-5", credits=5))
    assert await package_when(system, location, client, "pack-5", lambda p: True, timeout=120)

    await book(system, location, client)
    assert await package_when(system, location, client, "pack-5", lambda p: p["booked"] == 1, timeout=120)

    steps = staff_booking_steps(location)

    async def followed():
        chain, reached = chain_through(read_spans(), steps)
        return (chain, reached) if reached == len(steps) else None

    found = await eventually(followed, timeout=15, interval=0.5)
    chain, reached = found or chain_through(read_spans(), steps)
    assert reached == len(steps), (
        f"the chain stops before step {reached + 1} ({steps[min(reached, len(steps) - 1)]}); followed:\n  "
        + "\n  ".join(map(str, chain)))
    print("\n".join(map(str, chain)))
