"""Business time in the configured time zone: business days (weekends, public holidays), quiet hours, and
local wall-clock times turned into UTC instants. Everything stored is UTC; everything reckoned is local, so
that a reminder planned "at 09:00" stays at 09:00 across a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jalon.config import Settings

MIDNIGHT = dt.time(0, 0)


def shown(moment: dt.datetime, zone: str, pattern: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A stored instant (naive: UTC, as SQLite gives it back) as people in `zone` read it, the zone named
    (CET, CEST, UTC…) so that nobody has to guess."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(zone)).strftime(pattern)


@lru_cache(maxsize=8)
def _holidays(country: str) -> Any:
    import holidays

    return holidays.country_holidays(country)


def _clock(text: str) -> dt.time:
    hour, minute = (int(part) for part in text.split(":"))
    return dt.time(hour, minute)


@dataclass(frozen=True)
class BusinessCalendar:
    """When customer mail may leave: business days outside quiet hours, in one time zone."""

    timezone: str = "Europe/Paris"
    quiet_from: dt.time | None = dt.time(19, 0)  # quiet hours start (local)…
    quiet_until: dt.time | None = dt.time(9, 0)  # …and end: the time date-based steps go
    business_days: bool = True
    holidays_country: str = "FR"
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))

    @classmethod
    def from_settings(cls, settings: Settings) -> BusinessCalendar:
        scheduler = settings.scheduler
        quiet = scheduler.quiet_hours.split("-") if scheduler.quiet_hours else None
        return cls(
            timezone=settings.gateway.timezone,
            quiet_from=_clock(quiet[0]) if quiet else None,
            quiet_until=_clock(quiet[1]) if quiet else None,
            business_days=scheduler.business_days,
            holidays_country=scheduler.holidays,
        )

    # days ---------------------------------------------------------------------------------------------

    def is_holiday(self, day: dt.date) -> bool:
        return bool(self.holidays_country) and day in _holidays(self.holidays_country)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def add_business_days(self, day: dt.date, count: int) -> dt.date:
        """`count` business days after (or before, when negative) `day`."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_business_day(day):
                remaining -= 1
        return day

    def add_days(self, day: dt.date, count: int, *, business: bool) -> dt.date:
        return self.add_business_days(day, count) if business else day + dt.timedelta(days=count)

    # instants -----------------------------------------------------------------------------------------

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.zone)

    def today(self, instant: dt.datetime) -> dt.date:
        return self.local(instant).date()

    def at(self, day: dt.date, clock: dt.time = MIDNIGHT) -> dt.datetime:
        """The UTC instant of a local wall-clock time. A time skipped by a DST change (02:30 in spring)
        is taken as the same wall time before the change, i.e. one hour later in the new offset."""
        local = dt.datetime.combine(day, clock, tzinfo=self.zone)
        return local.astimezone(dt.UTC)

    def opening(self) -> dt.time:
        """When the sending day starts: the end of the quiet hours, or midnight without any."""
        return self.quiet_until or MIDNIGHT

    def is_quiet(self, instant: dt.datetime) -> bool:
        if self.quiet_from is None or self.quiet_until is None:
            return False
        clock = self.local(instant).time()
        if self.quiet_from <= self.quiet_until:  # e.g. 12:00-14:00
            return self.quiet_from <= clock < self.quiet_until
        return clock >= self.quiet_from or clock < self.quiet_until  # across midnight

    def is_open(self, instant: dt.datetime) -> bool:
        """May a customer mail leave at this instant?"""
        day = self.today(instant)
        if self.business_days and not self.is_business_day(day):
            return False
        return not self.is_quiet(instant)

    def next_open(self, instant: dt.datetime) -> dt.datetime:
        """The first instant at or after `instant` when customer mail may leave."""
        if self.is_open(instant):
            return instant
        local = self.local(instant)
        day = local.date()
        opening = self.opening()
        # Still before today's opening: today may do; otherwise the next day.
        if not (local.time() < opening and (not self.business_days or self.is_business_day(day))):
            day += dt.timedelta(days=1)
        for _ in range(400):
            if not self.business_days or self.is_business_day(day):
                candidate = self.at(day, opening)
                if candidate >= instant and self.is_open(candidate):
                    return candidate
                if candidate >= instant:  # the opening itself is quiet (odd hours): first minute after
                    return self._first_open_minute(candidate)
            day += dt.timedelta(days=1)
        raise ValueError("no business day within 400 days: check [scheduler] business_days and holidays")

    def _first_open_minute(self, start: dt.datetime) -> dt.datetime:
        probe = start
        for _ in range(48 * 60):
            probe += dt.timedelta(minutes=1)
            if self.is_open(probe):
                return probe
        raise ValueError("quiet hours cover the whole day: check [scheduler] quiet_hours")
