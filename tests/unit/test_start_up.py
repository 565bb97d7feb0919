"""A service started while its broker or store is restarting waits for them instead of exiting
(the fault run restarts a service and Kafka at once; before, the service died at start-up)."""

from types import SimpleNamespace

from aiokafka.errors import KafkaConnectionError
from pymongo.errors import AutoReconnect

from shared.wiring import service as service_module
from shared.wiring.failures import Backoff, Outages
from shared.wiring.service import Service


class Flaky:
    """Fails `times` times with `error`, then passes; counts its calls."""

    def __init__(self, error: Exception, times: int) -> None:
        self.error, self.left, self.calls = error, times, 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.left:
            self.left -= 1
            raise self.error


async def _nothing() -> None:
    return None


async def test_a_broker_and_a_store_down_at_start_up_are_waited_for(monkeypatch):
    topics = Flaky(KafkaConnectionError("restarting"), 2)
    monkeypatch.setattr(service_module, "create_topics", lambda servers: topics())
    indexes, broker_start = Flaky(AutoReconnect("ferretdb restarting"), 2), Flaky(KafkaConnectionError("down"), 3)
    wiring = SimpleNamespace(
        settings=SimpleNamespace(kafka_bootstrap_servers="127.0.0.1:1", port=0),
        outages=Outages(backoff=Backoff(first=0.001, cap=0.001)),
        broker=SimpleNamespace(start=broker_start, stop=_nothing),
        mongo_client=SimpleNamespace(close=_nothing), tracer_provider=None)

    async with service_module._lifespan(wiring, Service(on_start=[indexes]))(None):
        started = (topics.calls, indexes.calls, broker_start.calls)

    assert started == (3, 3, 4)
    assert await wiring.outages.check() is True
