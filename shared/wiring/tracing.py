"""OpenTelemetry across HTTP and the Kafka hops, exported only when asked for.

`TRACE_FILE` appends each finished span as one JSON line; `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) sends them over OTLP/HTTP, configured by the exporter's own
`OTEL_EXPORTER_OTLP_*` variables. With neither there is no tracer provider at all: no middleware,
no instrumentation, no span is made.

Work stored now and published later (an aggregate version's outbox) keeps the W3C `traceparent`
of the span that decided it (`current_traceparent`) and is published inside it again (`resumed`),
so a relay's republish continues the trace of the message that caused the events.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import context, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.wiring.settings import Settings

_PROPAGATOR = TraceContextTextMapPropagator()
UNTRACED_URLS = "health/.*,metrics,docs,openapi.json,asyncapi.json,staff.*"


def tracer_provider(settings: Settings) -> TracerProvider | None:
    """The service's provider with a processor per configured exporter, or None when none is."""
    exporters = _exporters(settings)
    if not exporters:
        return None
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.service_name}))
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500))
    return provider


def _exporters(settings: Settings) -> list[SpanExporter]:
    exporters: list[SpanExporter] = []
    if settings.trace_file:
        exporters.append(json_lines_exporter(Path(settings.trace_file)))
    if settings.otel_exporter_otlp_endpoint or settings.otel_exporter_otlp_traces_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # only when used

        exporters.append(OTLPSpanExporter())
    return exporters


def json_lines_exporter(path: Path) -> SpanExporter:
    path.parent.mkdir(parents=True, exist_ok=True)
    return ConsoleSpanExporter(out=path.open("a", encoding="utf-8"), formatter=_json_line)


def _json_line(span: ReadableSpan) -> str:
    """The SDK's span JSON on one line; bytes attributes (Kafka keys) as text, where to_json fails."""
    return json.dumps(span_record(span), default=_text, separators=(",", ":")) + "\n"


def span_record(span: ReadableSpan) -> dict:
    return {
        "name": span.name,
        "context": _context(span.context),
        "kind": str(span.kind),
        "parent_id": _span_id(span.parent),
        "start_time": span.start_time,
        "end_time": span.end_time,
        "status": {"status_code": span.status.status_code.name, "description": span.status.description},
        "attributes": dict(span.attributes or {}),
        "events": [{"name": e.name, "timestamp": e.timestamp, "attributes": dict(e.attributes or {})}
                   for e in span.events],
        "links": [{"context": _context(link.context), "attributes": dict(link.attributes or {})} for link in span.links],
        "resource": {"attributes": dict(span.resource.attributes)},
    }


def _context(context: trace.SpanContext | None) -> dict | None:
    if context is None:
        return None
    return {"trace_id": f"0x{trace.format_trace_id(context.trace_id)}", "span_id": _span_id(context)}


def _span_id(context: trace.SpanContext | None) -> str | None:
    return None if context is None else f"0x{trace.format_span_id(context.span_id)}"


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def instrument(broker: KafkaBroker, provider: TracerProvider | None) -> None:
    """Every publish and consume of `broker` gets its spans, the context riding in the headers."""
    if provider is not None:
        broker.add_middleware(KafkaTelemetryMiddleware(tracer_provider=provider, include_messages_counters=False))


def instrument_http(app: FastAPI, provider: TracerProvider | None) -> None:
    """Each request gets a server span, current while the route runs (so its publishes are children)."""
    if provider is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=UNTRACED_URLS,
                                           exclude_spans=["receive", "send"])


def current_traceparent() -> str:
    """The W3C traceparent of the current span; "" when nothing is being traced."""
    if not trace.get_current_span().get_span_context().is_valid:
        return ""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent", "")


@contextmanager
def resumed(traceparent: str) -> Iterator[None]:
    """Runs the block inside the span `traceparent` names (nothing changes when it is empty)."""
    if not traceparent:
        yield
        return
    token = context.attach(_PROPAGATOR.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        context.detach(token)
