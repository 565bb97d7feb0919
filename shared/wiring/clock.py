"""The injectable clock: every rule that depends on time asks one of these, never datetime.now()."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """For tests: time stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant


class FileClock:
    """For end-to-end tests of real processes: 'now' is the instant written in a file.

    Lets a test move a running service's time forward (credit expiry, journey steps) without
    sleeping. Falls back to the system clock while the file is missing or empty.
    """

    def __init__(self, path: str) -> None:
        self._path = Path(path)

    def now(self) -> datetime:
        try:
            text = self._path.read_text().strip()
        except FileNotFoundError:
            text = ""
        return datetime.fromisoformat(text) if text else datetime.now(UTC)


def clock_from(clock_file: str | None) -> Clock:
    return FileClock(clock_file) if clock_file else SystemClock()
