"""Every Kafka consumer of the four services, through its real subscriber wiring (TestKafkaBroker),
meets each class of failure: refused input, an outage of the store, a bug in our code."""

import json

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.message import KafkaAckableMessage

from services.bookings.entrypoints import subscribers as bookings
from services.credits.entrypoints import subscribers as credits
from services.notifier.entrypoints import subscribers as notifier
from services.reports.entrypoints import subscribers as reports
from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, LIFECYCLE, LOCATIONS, SALES
from shared.wiring.kafka import inbound_router
from tests.support import events as ev
from tests.support.consumers import Script, credit_entry, quick_consumers


async def _always_writable() -> None:
    return None


def _wire_bookings(broker, outages, handlers, consumers):
    platform, answers = inbound_router(outages), inbound_router(outages)
    bookings.register(platform, answers, "g")
    bookings.provide(broker.context, handlers, consumers, "g")
    return [platform, answers]


def _wire_credits(broker, outages, handlers, consumers):
    router = inbound_router(outages)
    credits.register(router, "g")
    credits.provide(broker.context, handlers, consumers, "g")
    return [router]


def _wire_notifier(broker, outages, handlers, consumers):
    clients, answers = inbound_router(outages), inbound_router(outages)
    notifier.register(clients, answers, "g")
    notifier.provide(broker.context, handlers, handlers, consumers, "g")
    return [clients, answers]


def _wire_reports(broker, outages, handlers, consumers):
    clients, answers = inbound_router(outages), inbound_router(outages)
    reports.register(clients, answers, "g")
    reports.provide(broker.context, handlers, _always_writable, consumers, "g")
    return [clients, answers]


def _booking() -> dict:
    return ev.booking_created("loc-1", "c-1", ev.unique("b"), "2026-12-24T09:00:00+00:00")


def _location() -> dict:
    return ev.location_registered(ev.unique("loc"))


# subscriber -> (topic, its consumer group, wiring, a valid event, whether it is the topic's gatekeeper)
CONSUMERS = {
    "bookings/bookings": (BOOKINGS.name, "g.bookings", _wire_bookings, _booking, True),
    "bookings/credits": (CREDITS.name, "g.credits", _wire_bookings, credit_entry, False),
    "credits/locations": (LOCATIONS.name, "g.locations", _wire_credits, _location, True),
    "reports/locations": (LOCATIONS.name, "g.locations", _wire_reports, _location, False),
    "notifier/locations": (LOCATIONS.name, "g.locations", _wire_notifier, _location, False),
    "credits/sales": (SALES.name, "g.sales", _wire_credits,
                      lambda: ev.account_transaction("loc-1", "c-1", "payment", 1000), True),
    "credits/lifecycle": (LIFECYCLE.name, "g.lifecycle", _wire_credits, _booking, True),
    "reports/clients": (CLIENTS.name, "g.clients", _wire_reports, lambda: ev.client_registered("loc-1", "c-1"), True),
    "reports/credits": (CREDITS.name, "g.credits", _wire_reports, credit_entry, False),
    "notifier/clients": (CLIENTS.name, "g.clients", _wire_notifier, lambda: ev.client_registered("loc-1", "c-1"), False),
    "notifier/credits": (CREDITS.name, "g.credits", _wire_notifier, credit_entry, False),
}


class Consumer:
    """One subscriber of a service wired as in production, with a scripted handler behind it."""

    def __init__(self, name: str, monkeypatch) -> None:
        self.topic, self.group, wire, self.valid, self.gatekeeper = CONSUMERS[name]
        self.name, self.log = name, []
        self.consumers, self.outages, self.sink = quick_consumers(self.log)
        self.handler = Script(self.log, self.outages)
        self.broker = KafkaBroker()
        for router in wire(self.broker, self.outages, self.handler, self.consumers):
            self.broker.include_router(router)
        log, original_ack = self.log, KafkaAckableMessage.ack

        async def ack(message) -> None:
            log.append("ack")
            await original_ack(message)

        monkeypatch.setattr(KafkaAckableMessage, "ack", ack)

    async def consume(self, *events: dict | bytes) -> None:
        bodies = [e if isinstance(e, bytes) else json.dumps(e).encode() for e in events]
        async with TestKafkaBroker(self.broker) as broker:
            await broker.publish_batch(*bodies, topic=self.topic)

    def dead_letters(self) -> list[dict]:
        return [headers for _, _, headers in self.sink.sent]


@pytest.fixture(params=sorted(CONSUMERS))
def consumer(request, monkeypatch) -> Consumer:
    return Consumer(request.param, monkeypatch)


async def test_an_outage_is_retried_until_it_clears_and_nothing_is_committed_before(consumer):
    first, second = consumer.valid(), consumer.valid()
    consumer.handler.outages = 3

    await consumer.consume(first, second)

    assert consumer.handler.applied == [first["event_id"], second["event_id"]]
    assert consumer.log == ["applied", "ack"] and consumer.sink.sent == []
    waiting = consumer.handler.statuses[1:4]
    assert all(s.startswith(f"retrying: {consumer.name}: OperationFailure") and "read-only" in s for s in waiting)
    assert consumer.outages.status() is True
    assert consumer.outages.retries.labels(subscriber=consumer.name, error="OperationFailure")._value.get() == 3


async def test_a_bug_costs_only_its_event_which_is_dead_lettered_with_the_error(consumer):
    first, poison, last = consumer.valid(), consumer.valid(), consumer.valid()
    consumer.handler.poison = {poison["event_id"]}

    await consumer.consume(first, poison, last)

    assert consumer.handler.applied == [first["event_id"], last["event_id"]]
    assert consumer.sink.reasons() == {poison["event_id"]: "could not be applied: ValueError: boom"}
    [headers] = consumer.dead_letters()
    assert headers["x-consumer-group"] == consumer.group and headers["x-original-topic"] == consumer.topic
    assert consumer.log[-1] == "ack" and consumer.log.count("ack") == 1


async def test_invalid_input_is_dead_lettered_by_the_gatekeeper_and_skipped_by_the_others(consumer):
    good, broken = consumer.valid(), {**consumer.valid(), "occurred_at": "yesterday"}

    await consumer.consume(broken, b"{not json", good)

    assert consumer.handler.applied == [good["event_id"]]
    if consumer.gatekeeper:
        reasons = list(consumer.sink.reasons().values())
        assert reasons[0].startswith("invalid event:") and "occurred_at" in reasons[0] and reasons[1].startswith("not valid JSON")
    else:
        assert consumer.sink.sent == []
    assert consumer.log[-1] == "ack" and consumer.log.count("ack") == 1


async def test_a_broken_rule_is_dead_lettered_with_its_reason(consumer):
    good, refused = consumer.valid(), consumer.valid()
    consumer.handler.refuse = {refused["event_id"]}

    await consumer.consume(refused, good)

    assert consumer.sink.reasons() == {refused["event_id"]: f"rule broken: {refused['event_id']} breaks a rule"}
    assert consumer.log == ["applied", "dead-letter", "ack"]
