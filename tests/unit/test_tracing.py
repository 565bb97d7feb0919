"""Tracing is off unless an exporter is configured; spans go to TRACE_FILE as JSON lines; a
stored traceparent resumes the span it names; a batch consume links to each message's producer."""

import json

from faststream.kafka import KafkaBroker, TestKafkaBroker
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.wiring.settings import Settings
from shared.wiring.tracing import current_traceparent, instrument, resumed, tracer_provider


def test_without_an_exporter_there_is_no_tracer_provider():
    assert tracer_provider(Settings(service_name="credits")) is None


def test_spans_are_appended_to_the_trace_file_as_json_lines_named_by_service(tmp_path):
    path = tmp_path / "spans" / "credits.jsonl"
    provider = tracer_provider(Settings(service_name="credits", trace_file=str(path)))
    tracer = provider.get_tracer("test")

    with tracer.start_as_current_span("outer", attributes={"messaging.kafka.message.key": b"cli-1"}):
        with tracer.start_as_current_span("inner"):
            pass
    provider.shutdown()

    spans = {s["name"]: s for s in map(json.loads, path.read_text().splitlines())}
    assert spans["inner"]["parent_id"] == spans["outer"]["context"]["span_id"]
    assert spans["outer"]["attributes"] == {"messaging.kafka.message.key": "cli-1"}
    assert spans["outer"]["resource"]["attributes"]["service.name"] == "credits"


def test_a_stored_traceparent_resumes_its_span(tmp_path):
    provider = tracer_provider(Settings(service_name="credits", trace_file=str(tmp_path / "t.jsonl")))
    with provider.get_tracer("test").start_as_current_span("deciding") as deciding:
        stored = current_traceparent()

    with resumed(stored):
        resumed_context = trace.get_current_span().get_span_context()

    assert (resumed_context.trace_id, resumed_context.span_id) == (deciding.get_span_context().trace_id,
                                                                   deciding.get_span_context().span_id)
    provider.shutdown()


def test_nothing_traced_stores_nothing_and_resumes_nothing():
    assert current_traceparent() == ""
    with resumed(""):
        assert not trace.get_current_span().get_span_context().is_valid


async def test_a_batch_consume_links_to_each_producer_and_its_publishes_are_its_children():
    spans, provider = InMemorySpanExporter(), TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    broker = KafkaBroker()
    instrument(broker, provider)

    @broker.subscriber("facts", batch=True)
    async def judge(batch: list[dict]) -> None:
        await broker.publish({"judged": len(batch)}, "lifecycle")

    @broker.subscriber("lifecycle")
    async def apply(event: dict) -> None:
        pass

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish({"fact": 1}, "facts")

    by_name = {(s.kind.name, s.name): s for s in spans.get_finished_spans()}
    produced = by_name[("PRODUCER", "facts create")]
    batch_created, batch = by_name[("CONSUMER", "facts create")], by_name[("CONSUMER", "facts process")]
    published, applied = by_name[("PRODUCER", "lifecycle create")], by_name[("CONSUMER", "lifecycle process")]
    assert [link.context.span_id for link in batch_created.links] == [produced.context.span_id]
    assert batch.parent.span_id == batch_created.context.span_id
    assert published.parent.span_id == batch.context.span_id
    assert applied.parent.span_id == published.context.span_id
