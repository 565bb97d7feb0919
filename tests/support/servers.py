"""Where the tests find real Kafka and a real MongoDB-protocol server.

In order: KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL from the environment; else, if a Docker engine
answers, testcontainers (Kafka and MongoDB images); else the local servers that
`deploy/local/servers.sh start` runs (`make test` starts them first).
"""

import os
from contextlib import ExitStack
from dataclasses import dataclass


@dataclass(frozen=True)
class Servers:
    kafka: str
    mongodb: str


def _docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


def find_servers(stack: ExitStack) -> Servers:
    kafka, mongodb = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if kafka and mongodb:
        return Servers(kafka, mongodb)
    if _docker_available():
        from testcontainers.kafka import KafkaContainer
        from testcontainers.mongodb import MongoDbContainer

        kafka = kafka or stack.enter_context(KafkaContainer().with_kraft()).get_bootstrap_server()
        mongodb = mongodb or stack.enter_context(MongoDbContainer("mongo:8.0")).get_connection_url()
        return Servers(kafka, mongodb)
    return Servers(kafka or "127.0.0.1:9092", mongodb or "mongodb://127.0.0.1:27017")
