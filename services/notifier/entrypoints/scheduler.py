"""The background loop: re-judges members time has moved, turns due journey steps and newsletters
into messages, then sends.

Due work is judged by the injectable clock, so tests move time instead of sleeping. Everything it
creates has an id derived from its cause, so a sweep that a crash interrupted is simply redone.
"""

import asyncio

from datetime import date, datetime

from services.notifier.service_layer.dispatcher import Dispatcher
from services.notifier.domain.announcements import new_message
from services.notifier.domain.journeys import still_wanted
from services.notifier.domain.messages import newsletter_message_id
from services.notifier.domain.upkeep import moved_by_time, time_horizon
from services.notifier.service_layer.catalog import Catalog
from services.notifier.service_layer.members import MemberChanges
from services.notifier.adapters.store import NotifierStore
from shared.wiring.clock import Clock
from shared.wiring.locations import LocationBook
from shared.zones import end_of_day, local_date
from shared.wiring.logging import get_logger

log = get_logger(__name__)


class Scheduler:
    def __init__(self, store: NotifierStore, catalog: Catalog, dispatcher: Dispatcher, clock: Clock,
                 every: float, members: MemberChanges) -> None:
        self.store, self.catalog, self.dispatcher, self.clock, self.every = store, catalog, dispatcher, clock, every
        self.members = members
        self.locations: LocationBook = members.locations
        self.judged_on: dict[str, date] = {}  # per location, the local day its members were last judged
        # (judged at, the next local midnight after it, the zones version then): nothing to do in between
        self.quiet_until: tuple[datetime, datetime, int] | None = None
        self.wake = asyncio.Event()  # set by a one-off message so it need not wait for the next sweep

    async def run(self) -> None:
        while True:
            await self.sweep()
            try:
                await asyncio.wait_for(self.wake.wait(), self.every)
            except TimeoutError:
                pass
            self.wake.clear()

    async def sweep(self) -> None:
        await self.catalog.reload()
        await self.locations.refresh()  # zones another instance stored
        await self.rejudge_when_the_day_changes()
        await self.queue_due_steps()
        await self.queue_due_newsletters()
        await self.dispatcher.run_once()

    async def rejudge_when_the_day_changes(self) -> None:
        """Days to expiry and unexpired credits change with the date alone: on a new local day of a
        location (and at start), its members with an expiry close enough to matter to an audience
        are judged again. A zone that arrives or changes moves the location's today, and so its
        members are judged again on the day it names; nothing is looked at between midnights."""
        now = self.clock.now()
        if self.quiet_until is not None:
            judged_at, midnight, version = self.quiet_until
            if judged_at <= now < midnight and version == self.locations.version:
                return
        horizon, todays = time_horizon(list(self.catalog.audiences.values())), {}
        keys = []
        for key, expiries in self.store.book.expiries.items():
            location = key.split("|", 1)[0]
            today = todays.setdefault(location, local_date(now, self.locations.zone(location)))
            judged = self.judged_on.get(location)
            if today != judged and (judged is None or moved_by_time(expiries, judged, today, horizon or 0)):
                keys.append(key)
        if horizon is not None and keys:
            await self.members.rejudge(keys)
            log.info("members re-judged for their new local day", members=len(keys), locations=len(todays))
        self.judged_on.update(todays)
        self.quiet_until = (now, self._next_midnight(now, todays), self.locations.version)

    def _next_midnight(self, now: datetime, todays: dict[str, date]) -> datetime:
        """The first instant a location judged here (or one in UTC) starts a new local day."""
        zones = {self.locations.zone(location) for location in todays} | {self.locations.zone("")}
        return min(end_of_day(local_date(now, zone), zone) for zone in zones)

    async def queue_due_steps(self) -> None:
        now = self.clock.now()
        for step in await self.store.due_steps(now):
            # As stored, not as this instance's book has it: another instance may have folded the
            # member's latest change a moment ago (one read per due step).
            stored = await self.members.members.read(step["location_id"], step["client_id"])
            member = stored.state if stored is not None else None
            if not still_wanted(step, member):
                await self.store.set_step(step["_id"], "cancelled", "no longer in the audience when due")
                continue
            origin = ("journey", step["journey_id"])
            await self.dispatcher.queue(new_message(step["_id"], (step["location_id"], step["client_id"]),
                                                    step["template_id"], origin, now))
            await self.store.set_step(step["_id"], "queued")

    async def queue_due_newsletters(self) -> None:
        now = self.clock.now()
        for newsletter in await self.store.due_newsletters(now):
            recipients = await self.store.audience_members(newsletter["audience_id"],
                                                           newsletter.get("location_ids") or None)
            messages = [self._newsletter_message(newsletter, member, index, now)
                        for index, member in enumerate(recipients)]
            for start in range(0, len(messages), self.dispatcher.chunk):
                chunk = messages[start:start + self.dispatcher.chunk]
                queued = await self.store.insert_all_new("messages", chunk)
                await self.dispatcher.deliver_all([m for m in chunk if m["_id"] in queued])
            await self.store.set_newsletter(newsletter["_id"], "sent", len(recipients))
            log.info("newsletter sent", newsletter_id=newsletter["_id"], recipients=len(recipients))

    def _newsletter_message(self, newsletter: dict, member: dict, index: int, now) -> dict:
        """Queued, sent and recorded a chunk at a time; a chunk queued by an earlier, interrupted
        sweep (already in the database) is left to `run_once`."""
        who = (member["location_id"], member["client_id"])
        chunk = f"{newsletter['_id']}#{index // self.dispatcher.chunk}"
        return new_message(newsletter_message_id(newsletter["_id"], *who), who, newsletter["template_id"],
                           ("newsletter", newsletter["_id"]), now, chunk)
