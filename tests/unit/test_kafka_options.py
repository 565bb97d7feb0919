"""The options every inbound subscriber is declared with."""

from pydantic import TypeAdapter

from shared.wiring.kafka import LINGER_BYTES, batch_consumer_options


def test_a_lingering_subscriber_waits_for_a_fuller_fetch_and_the_others_take_what_is_there():
    lingering = batch_consumer_options("g", TypeAdapter(dict), linger_ms=250)
    eager = batch_consumer_options("g", TypeAdapter(dict))

    assert (lingering["fetch_min_bytes"], lingering["fetch_max_wait_ms"]) == (LINGER_BYTES, 250)
    assert "fetch_min_bytes" not in eager and "fetch_max_wait_ms" not in eager
    assert lingering["group_id"] == eager["group_id"] == "g" and lingering["batch"] and eager["batch"]
