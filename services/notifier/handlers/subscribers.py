"""Kafka subscribers of the notifier: profiles and credits in, member documents kept current.

Neither topic is ours to police: refused records are skipped here (their gatekeepers
dead-letter them). Offsets are committed only after the change and its effects are stored.
"""

from faststream.kafka import KafkaMessage, KafkaRouter

from services.notifier.handlers.members import MemberChanges
from shared.contract.clients import ClientEvent
from shared.contract.credits import CreditsEvent
from shared.contract.topics import CLIENTS, CREDITS
from shared.wiring.kafka import consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"clients": CLIENTS.name, "credits": CREDITS.name}


def register(clients_router: KafkaRouter, credits_router: KafkaRouter, members: MemberChanges, group: str) -> None:
    @clients_router.subscriber(CLIENTS.name, **consumer_options(f"{group}.clients"), title="notifier/clients")
    async def on_client(event: ClientEvent, msg: KafkaMessage) -> None:
        await members.apply_client(event)
        await msg.ack()

    @credits_router.subscriber(CREDITS.name, **consumer_options(f"{group}.credits"), title="notifier/credits")
    async def on_credits(event: CreditsEvent, msg: KafkaMessage) -> None:
        await members.apply_credits(event)
        await msg.ack()
