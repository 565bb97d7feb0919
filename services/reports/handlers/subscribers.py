"""Kafka subscribers of the reports service: thin edges that decode and call the store."""

from faststream.kafka import KafkaMessage, KafkaRouter

from services.reports.domain.credits import package_row, period_row
from services.reports.domain.profiles import profile_changes
from services.reports.store import ReportsStore
from shared.contract.clients import ClientEvent
from shared.contract.credits import AccountEntryRecorded, CreditsEvent, MembershipPeriodChanged, PackageChanged
from shared.contract.topics import CLIENTS, CREDITS
from shared.wiring.kafka import consumer_options


# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"clients": CLIENTS.name, "credits": CREDITS.name}


def register(clients_router: KafkaRouter, credits_router: KafkaRouter, store: ReportsStore, group: str) -> None:
    @clients_router.subscriber(CLIENTS.name, **consumer_options(f"{group}.clients"), title="reports/clients")
    async def on_client(event: ClientEvent, msg: KafkaMessage) -> None:
        await store.apply_profile(event.location_id, event.client_id, profile_changes(event))
        await store.advance_as_of(event.occurred_at)
        await msg.ack()

    @credits_router.subscriber(CREDITS.name, **consumer_options(f"{group}.credits"), title="reports/credits")
    async def on_credits(event: CreditsEvent, msg: KafkaMessage) -> None:
        if isinstance(event, PackageChanged):
            await store.apply_package(event.version, package_row(event))
        elif isinstance(event, MembershipPeriodChanged):
            await store.apply_period(event.version, period_row(event))
        elif isinstance(event, AccountEntryRecorded):
            await store.apply_entry(event)
        await store.advance_as_of(event.occurred_at)
        await msg.ack()
