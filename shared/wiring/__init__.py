"""Wiring every service reuses: settings, clock, Kafka, dead letters, MongoDB, auth, HTTP basics."""
