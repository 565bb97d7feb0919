"""Reading topics between two positions with plain aiokafka: manual assignment, no consumer group,
nothing committed; each fetched batch (several partitions, each in order) is applied at once."""

from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from services.reports.domain.positions import Positions, behind
from shared.contract.topics import Topic

Apply = Callable[[list[ConsumerRecord]], Awaitable[None]]
BATCH = 500


class TopicReader:
    def __init__(self, bootstrap_servers: str, topics: list[Topic]) -> None:
        self.topics = topics
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None,
                                         enable_auto_commit=False, auto_offset_reset="earliest")

    async def start(self) -> None:
        await self.consumer.start()

    async def stop(self) -> None:
        await self.consumer.stop()

    def partitions(self) -> list[TopicPartition]:
        return [TopicPartition(t.name, p) for t in self.topics for p in range(t.partitions)]

    async def beginnings(self) -> Positions:
        return _positions(await self.consumer.beginning_offsets(self.partitions()))

    async def ends(self) -> Positions:
        return _positions(await self.consumer.end_offsets(self.partitions()))

    async def replay(self, start: Positions, end: Positions, apply: Apply) -> None:
        """Apply every record from `start` up to (not including) `end`."""
        todo = behind(start, end)
        self.consumer.assign([TopicPartition(*key) for key in todo])
        for key, offset in todo.items():
            self.consumer.seek(TopicPartition(*key), offset)
        while todo:
            batch = await self.consumer.getmany(timeout_ms=1000, max_records=BATCH)
            wanted = [record for tp, records in batch.items() for record in records
                      if record.offset < end[(tp.topic, tp.partition)]]
            if wanted:
                await apply(wanted)
            await self._drop_finished(todo, end)

    async def _drop_finished(self, todo: Positions, end: Positions) -> None:
        for key in list(todo):
            if await self.consumer.position(TopicPartition(*key)) >= end[key]:
                del todo[key]
                self.consumer.pause(TopicPartition(*key))


def _positions(offsets: dict[TopicPartition, int]) -> Positions:
    return {(tp.topic, tp.partition): offset for tp, offset in offsets.items()}
