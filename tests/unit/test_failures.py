"""What is an outage (waited out) and what is a bug, and how a service says it is waiting."""

import pytest
from aiokafka.errors import KafkaConnectionError, NotLeaderForPartitionError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest
from pymongo.errors import (AutoReconnect, BulkWriteError, DuplicateKeyError, ExecutionTimeout, OperationFailure,
                            WriteConcernError, WriteError)

from shared.wiring.failures import Backoff, Outages, is_outage
from shared.wiring.http import health_router


def _bulk(*codes: int, concern: bool = False) -> BulkWriteError:
    return BulkWriteError({"writeErrors": [{"index": i, "code": c, "errmsg": "x"} for i, c in enumerate(codes)],
                           "writeConcernErrors": [{"code": 64}] if concern else []})


@pytest.mark.parametrize("error", [
    OperationFailure("ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)", code=1),
    OperationFailure("ERROR: canceling statement due to statement timeout (SQLSTATE 57014)"),
    WriteError("terminating connection due to administrator command", code=1),
    ExecutionTimeout("operation exceeded time limit", code=50), WriteConcernError("waiting for replication"),
    AutoReconnect("connection reset"), _bulk(11000, 1), _bulk(11000, concern=True),
    KafkaConnectionError("broker down"), NotLeaderForPartitionError(), ConnectionResetError(), TimeoutError(),
], ids=repr)
def test_the_store_or_the_broker_failing_is_an_outage(error):
    assert is_outage(error)


@pytest.mark.parametrize("error", [
    DuplicateKeyError("E11000 duplicate key", code=11000), OperationFailure("E11000 duplicate key error"),
    _bulk(11000, 11000), ValueError("a bug"), KeyError("state"), TypeError("None"),
], ids=repr)
def test_a_duplicate_key_or_an_error_of_our_code_is_not_an_outage(error):
    assert not is_outage(error)


def test_the_backoff_grows_to_its_cap_with_jitter():
    backoff = Backoff(first=0.1, cap=5.0)

    assert 0.05 <= backoff.delay(1) <= 0.1 and 0.1 <= backoff.delay(2) <= 0.2
    assert all(2.5 <= backoff.delay(n) <= 5.0 for n in range(7, 40))
    assert len({backoff.delay(10) for _ in range(20)}) > 1


async def test_readiness_says_which_consumer_waits_on_what_since_when_and_the_metric_counts_it():
    registry = CollectorRegistry()
    outages = Outages(registry, Backoff(first=0.001, cap=0.002))
    app = FastAPI()
    app.include_router(health_router({"kafka": _true, "consumers": outages.check}, registry))
    seen = []

    async def read_only_twice():
        if len(seen) < 2:
            seen.append(TestClient(app).get("/health/ready"))
            raise OperationFailure("cannot execute INSERT in a read-only transaction")
        return "stored"

    assert await outages.outlast("credits/sales", read_only_twice) == "stored"

    assert seen[0].status_code == 200 and seen[1].status_code == 503  # before the first failure, then during
    status = seen[1].json()["checks"]
    assert status["kafka"] is True
    assert status["consumers"].startswith("retrying: credits/sales: OperationFailure: cannot execute INSERT")
    assert " since 20" in status["consumers"]
    assert TestClient(app).get("/health/ready").json() == {"ready": True, "checks": {"kafka": True, "consumers": True}}
    assert ('consumer_retries_total{error="OperationFailure",subscriber="credits/sales"} 2.0'
            in generate_latest(registry).decode())


async def test_a_bug_is_not_retried_by_the_outage_watch():
    outages = Outages(backoff=Backoff(first=0.001, cap=0.002))
    calls = []

    async def bug():
        calls.append(1)
        raise KeyError("state")

    with pytest.raises(KeyError):
        await outages.outlast("reports/clients", bug)
    assert calls == [1] and outages.status() is True


async def _true() -> bool:
    return True


async def test_a_handler_that_raises_anyway_is_run_again_rather_than_committed_past():
    from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

    from shared.wiring.kafka import consumer_options, inbound_router

    outages = Outages(backoff=Backoff(first=0.001, cap=0.002))
    router, calls = inbound_router(outages), []

    @router.subscriber("studio.sales.v1", **consumer_options("g"))
    async def handler(body: dict, msg: KafkaMessage) -> None:
        calls.append(body)
        if len(calls) < 3:
            raise RuntimeError("escaped the failure model")
        await msg.ack()

    broker = KafkaBroker()
    broker.include_router(router)
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish({"n": 1}, "studio.sales.v1")

    assert calls == [{"n": 1}] * 3 and outages.status() is True
    assert outages.retries.labels(subscriber="handler of studio.sales.v1", error="RuntimeError")._value.get() == 2


async def test_a_reports_rebuild_waits_out_a_failing_store_rather_than_ending():
    from services.reports.entrypoints.rebuild import Tally, applier

    class Projector:
        calls = 0

        async def records(self, records) -> int:
            self.calls += 1
            if self.calls < 3:
                raise OperationFailure("cannot execute INSERT in a read-only transaction")
            return len(records)

    tally, projector = Tally(), Projector()
    await applier(projector, tally, Outages(backoff=Backoff(first=0.001, cap=0.002)))(["r1", "r2"])

    assert projector.calls == 3 and tally.applied == 2
