"""Scenario time: fixed by the scenario (or the run's start), moved only by its events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SimClock:
    """Scenario time: each event arrives a second after the previous one."""

    def __init__(self, start: datetime):
        self._now = start.astimezone(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self._now

    def tick(self) -> datetime:
        """The time of an event that happens now; the next one comes a second later."""
        moment = self._now
        self._now += timedelta(seconds=1)
        return moment

    def advance(self, by: timedelta) -> None:
        self._now += by
