"""A batch through the one failure model: each record judged alone, outages waited out, a bug
costing its event only, and the offsets committed only after all of it."""

from aiokafka.errors import CommitFailedError, KafkaConnectionError
from pydantic import TypeAdapter
from pymongo.errors import AutoReconnect

from shared.contract.sales import SalesEvent
from shared.wiring.batches import BatchConsumer, batch_decoder
from shared.wiring.dead_letter import DeadLetters, NotApplied, describe
from tests.support import events as ev
from tests.support.consumers import Batch, Script, Sink, quick_consumers

SALES = TypeAdapter(SalesEvent)


def _payment(**fields) -> dict:
    return {**ev.account_transaction("loc-1", "c-1", "payment", 1000), **fields}


def _consumer(gatekeeper: bool = True) -> tuple[BatchConsumer, Script, Sink, list]:
    log: list = []
    consumers, outages, sink = quick_consumers(log)
    script = Script(log, outages)
    return consumers("credits/sales", "g.sales", SALES, script.apply, gatekeeper), script, sink, log


async def _consume(consumer: BatchConsumer, batch: Batch) -> None:
    await consumer(await batch_decoder(SALES)(batch), batch)


async def test_bad_records_are_dead_lettered_alone_and_the_rest_applies_before_the_commit():
    consumer, script, sink, log = _consumer()
    t1, t2, t3 = _payment(), _payment(currency="XYZ"), _payment()
    script.refuse = {t3["event_id"]}

    await _consume(consumer, Batch(log, t1, b"{not json", t2, t3))

    assert script.applied == [t1["event_id"], t3["event_id"]]
    reasons = [headers["x-error"] for _, _, headers in sink.sent]
    assert "JSON" in reasons[0] and "currency" in reasons[1] and reasons[2].endswith("breaks a rule")
    assert log[-1] == "ack" and log.count("ack") == 1


async def test_a_dead_letter_that_cannot_be_published_is_retried_and_nothing_is_committed_before():
    consumer, script, sink, log = _consumer()
    down = [KafkaConnectionError("broker down"), KafkaConnectionError("broker down")]

    async def flaky_send(topic, value, key, headers):
        if down:
            log.append("send failed")
            raise down.pop(0)
        await sink.send_raw(topic, value, key, headers)

    consumer.dead_letters = DeadLetters(flaky_send)
    await _consume(consumer, Batch(log, b"{not json", _payment()))

    assert log == ["send failed", "send failed", "dead-letter", "applied", "ack"]
    assert consumer.outages.retries.labels(subscriber="credits/sales", error="KafkaConnectionError")._value.get() == 2


async def test_a_bug_that_goes_away_on_a_second_try_loses_nothing():
    consumer, script, sink, log = _consumer()
    flaky = _payment()
    tries = []

    async def apply(events):
        if flaky["event_id"] in {e.event_id for e in events} and len(tries) < 2:
            tries.append(1)
            raise RuntimeError("flaky")
        return await script.apply(events)

    consumer.apply = apply
    await _consume(consumer, Batch(log, _payment(), flaky))

    assert flaky["event_id"] in script.applied and sink.sent == [] and log[-1] == "ack"


async def test_a_bug_is_tried_a_bounded_number_of_times_then_dead_lettered():
    consumer, script, sink, log = _consumer()
    poison = _payment()
    script.poison = {poison["event_id"]}

    await _consume(consumer, Batch(log, poison))

    assert len(script.statuses) == 1 + consumer.bug_tries  # the batch, then the event alone
    assert sink.reasons() == {poison["event_id"]: "could not be applied: ValueError: boom"}


async def test_an_outage_while_isolating_a_bug_is_waited_out_too():
    consumer, script, sink, log = _consumer()
    good, poison = _payment(), _payment()
    script.poison = {poison["event_id"]}
    calls = []

    async def store_sick_once(events):
        calls.append(len(events))
        if len(calls) == 2:  # the first event tried alone
            raise AutoReconnect("store restarting")
        return await script.apply(events)

    consumer.apply = store_sick_once
    await _consume(consumer, Batch(log, good, poison))

    assert calls[:3] == [2, 1, 1] and script.applied == [good["event_id"]]
    assert list(sink.reasons()) == [poison["event_id"]] and log[-1] == "ack"


async def test_a_commit_after_a_rebalance_is_given_up_as_the_next_owner_reads_the_batch_again():
    consumer, script, sink, log = _consumer()
    batch = Batch(log, _payment())
    batch.failures = [KafkaConnectionError("down"), CommitFailedError("rebalanced")]

    await _consume(consumer, batch)

    assert log == ["applied"] and consumer.outages.status() is True


def test_a_failure_names_its_kind():
    try:
        raise ValueError("boom")
    except ValueError:
        error = NotApplied.from_current()

    assert describe(error) == "could not be applied: ValueError: boom"


async def test_a_validation_error_raised_by_our_own_code_is_a_bug_not_a_refusal():
    from pydantic import BaseModel

    class Outgoing(BaseModel):
        amount_minor: int

    consumer, script, sink, log = _consumer()
    event = _payment()

    async def apply(events):
        Outgoing(amount_minor="not a number")  # our model, our mistake

    consumer.apply = apply
    await _consume(consumer, Batch(log, event))

    assert sink.reasons()[event["event_id"]].startswith("could not be applied: ValidationError")
