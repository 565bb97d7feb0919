"""Dead letters as the tool sees them, and which of them a re-drive sends again (pure).

A dead letter is a copy of a refused record on `<topic>.dlq`, with the reason (`x-error`) and
where it came from (`x-original-topic`, `-partition`, `-offset`). Re-driving publishes the value
again, with its key, to the original topic, marked `x-redriven-from: <dlq>:<partition>:<offset>`.
Consumers keep that header on a copy they refuse again, so the tool can tell a re-drive refused
again from a first refusal, and never sends either in a loop: by default it skips a dead letter
that is itself a refused re-drive, and one whose re-drive was already refused (the DLQ holds a
copy pointing back at it); `include_refused` lifts both, for one more try after a fix.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from shared.wiring.dead_letter import REDRIVEN_FROM

NO_REASON = "(no x-error header)"


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]

    @property
    def position(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def reason(self) -> str:
        return self.headers.get("x-error", NO_REASON)

    @property
    def original_topic(self) -> str | None:
        return self.headers.get("x-original-topic") or (self.topic[:-4] if self.topic.endswith(".dlq") else None)

    @property
    def original(self) -> tuple[str | None, str | None, str | None]:
        return (self.original_topic, self.headers.get("x-original-partition"), self.headers.get("x-original-offset"))

    @property
    def redriven_from(self) -> str | None:
        """Set on a re-drive that was refused again: the position of the dead letter re-driven."""
        return self.headers.get(REDRIVEN_FROM)

    @property
    def truncated(self) -> bool:
        return "x-original-size" in self.headers


def from_record(record) -> DeadLetter:
    """From an aiokafka ConsumerRecord (header values are bytes)."""
    headers = {k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v)) for k, v in record.headers or ()}
    return DeadLetter(record.topic, record.partition, record.offset, record.timestamp, record.key, record.value,
                      headers)


@dataclass(frozen=True)
class Selection:
    partition: int | None = None
    first_offset: int | None = None
    last_offset: int | None = None  # inclusive
    reason: str | None = None  # a regular expression searched in x-error, case-insensitive
    include_refused: bool = False

    def matches(self, letter: DeadLetter) -> bool:
        return ((self.partition is None or letter.partition == self.partition)
                and (self.first_offset is None or letter.offset >= self.first_offset)
                and (self.last_offset is None or letter.offset <= self.last_offset)
                and (self.reason is None or re.search(self.reason, letter.reason, re.IGNORECASE) is not None))


def parse_offsets(text: str) -> tuple[int | None, int | None]:
    """`12`, `12-40`, `12-` or `-40` (inclusive)."""
    first, dash, last = text.partition("-")
    if not dash:
        return int(first), int(first)
    return (int(first) if first else None, int(last) if last else None)


@dataclass(frozen=True)
class Plan:
    send: list[DeadLetter]
    skipped: Counter  # why -> how many


def plan_redrive(letters: Iterable[DeadLetter], selection: Selection) -> Plan:
    """What a re-drive sends: selected letters, each original record once, no loop."""
    letters = list(letters)
    refused_again = {letter.redriven_from for letter in letters if letter.redriven_from}
    send, skipped, originals = [], Counter(), set()
    for letter in letters:
        if not selection.matches(letter):
            continue
        why = _skip_reason(letter, selection, refused_again, originals)
        if why:
            skipped[why] += 1
        else:
            originals.add(letter.original)
            send.append(letter)
    return Plan(send, skipped)


def _skip_reason(letter: DeadLetter, selection: Selection, refused_again: set[str], originals: set) -> str | None:
    if letter.truncated:
        return "truncated copy of an oversized record (the original cannot be re-driven)"
    if letter.original_topic is None:
        return "no x-original-topic header"
    if not selection.include_refused and letter.redriven_from:
        return "a re-drive refused again (--include-refused to send it once more)"
    if not selection.include_refused and letter.position in refused_again:
        return "already re-driven and refused again (--include-refused to send it once more)"
    if letter.original in originals:
        return "another dead letter of the same original record is re-driven"
    return None


def redriven_headers(letter: DeadLetter) -> dict[str, str]:
    return {REDRIVEN_FROM: letter.position}


@dataclass(frozen=True)
class Summary:
    topic: str
    count: int
    ranges: dict[int, tuple[int, int]]  # partition -> first and last offset held
    refused_redrives: int
    reasons: list[tuple[str, int]]  # most frequent first


def summarise(topic: str, letters: list[DeadLetter]) -> Summary:
    reasons = Counter(letter.reason for letter in letters)
    ranges: dict[int, tuple[int, int]] = {}
    for letter in letters:
        first, last = ranges.get(letter.partition, (letter.offset, letter.offset))
        ranges[letter.partition] = (min(first, letter.offset), max(last, letter.offset))
    return Summary(topic, len(letters), ranges, sum(1 for letter in letters if letter.redriven_from),
                   reasons.most_common())
