"""Positions in topics, as (topic, partition) -> offset, and the arithmetic a replay needs."""

import json

Positions = dict[tuple[str, int], int]


def remaining(start: Positions, end: Positions) -> int:
    """How many offsets lie between start and end, over every partition of `end`."""
    return sum(max(0, offset - start.get(key, 0)) for key, offset in end.items())


def behind(start: Positions, end: Positions) -> Positions:
    """The partitions that have records left before `end`, with where to start reading them."""
    return {key: start.get(key, 0) for key, offset in end.items() if start.get(key, 0) < offset}


def later_of(first: Positions, second: Positions) -> Positions:
    return {key: max(first.get(key, 0), second.get(key, 0)) for key in first.keys() | second.keys()}


def parse_positions(text: str) -> Positions:
    """`{"<topic>": {"<partition>": offset}}` (JSON) as Positions."""
    return {(topic, int(partition)): int(offset)
            for topic, partitions in json.loads(text).items() for partition, offset in partitions.items()}
