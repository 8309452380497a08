"""The dating rule: which calendar an encounter's date is in, and the two capitals' dates.

An in-person encounter carries the calendar date where it took place; a call or video call
carries Washington's date. Washington's and Beijing's dates are computed with zoneinfo from a
local start time and the zone it was stated in, never typed; without a time they are known
only where the encounter's own calendar is that capital's (a call is on Washington's date; a
meeting in Beijing is on Beijing's), and are otherwise "not recorded" unless a source states
them (then typed by hand with a note naming the source).
"""

import datetime
import functools
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError

WASHINGTON = "America/New_York"
BEIJING = "Asia/Shanghai"
# Calls are dated by Washington's calendar; a call's time without a stated zone is Washington's.
CALL_ZONE = WASHINGTON

# Zones of the places the tracker knows, for places saved without one: whole countries with a
# single zone, and cities elsewhere. Other places need their zone set by an editor.
COUNTRY_ZONES = {
    "CN": "Asia/Shanghai",
    "HK": "Asia/Hong_Kong",
    "MO": "Asia/Macau",
    "TW": "Asia/Taipei",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "SG": "Asia/Singapore",
    "VN": "Asia/Ho_Chi_Minh",
    "TH": "Asia/Bangkok",
    "MY": "Asia/Kuala_Lumpur",
    "PH": "Asia/Manila",
    "IN": "Asia/Kolkata",
    "PE": "America/Lima",
    "CH": "Europe/Zurich",
    "AT": "Europe/Vienna",
    "DE": "Europe/Berlin",
    "IT": "Europe/Rome",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "SE": "Europe/Stockholm",
    "DK": "Europe/Copenhagen",
    "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels",
    "ES": "Europe/Madrid",
    "PL": "Europe/Warsaw",
    "TR": "Europe/Istanbul",
    "KH": "Asia/Phnom_Penh",
    "LA": "Asia/Vientiane",
    "MM": "Asia/Yangon",
}
CITY_ZONES = {
    ("US", "Washington"): "America/New_York",
    ("US", "New York"): "America/New_York",
    ("US", "Pittsburgh"): "America/New_York",
    ("US", "Palm Beach"): "America/New_York",
    ("US", "Arlington"): "America/New_York",
    ("US", "Crawford"): "America/Chicago",
    ("US", "Anchorage"): "America/Anchorage",
    ("US", "Honolulu"): "Pacific/Honolulu",
    ("US", "San Francisco"): "America/Los_Angeles",
    ("US", "Woodside"): "America/Los_Angeles",
    ("US", "Seattle"): "America/Los_Angeles",
    ("US", "Rancho Mirage"): "America/Los_Angeles",
    ("ID", "Bali"): "Asia/Makassar",
    ("ID", "Nusa Dua"): "Asia/Makassar",
    ("ID", "Jakarta"): "Asia/Jakarta",
    ("AR", "Buenos Aires"): "America/Argentina/Buenos_Aires",
    ("BR", "Rio de Janeiro"): "America/Sao_Paulo",
    ("RU", "Saint Petersburg"): "Europe/Moscow",
    ("AU", "Brisbane"): "Australia/Brisbane",
    ("MX", "Los Cabos"): "America/Mazatlan",
    ("CA", "Toronto"): "America/Toronto",
}


@functools.cache
def _known_zones():
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value):
    """A field validator: the value must be an IANA time zone name, e.g. “Asia/Shanghai”."""
    if value and value not in _known_zones():
        raise ValidationError(
            "“%(value)s” is not an IANA time zone name; use one such as “America/New_York”, "
            "“Asia/Shanghai” or “Europe/Zurich”.",
            code="invalid_time_zone",
            params={"value": value},
        )


def is_time_zone(value):
    return bool(value) and value in _known_zones()


def default_place_zone(country, city):
    """The zone of a place from its country or city, or "" when the table does not know it."""
    return CITY_ZONES.get((country, city)) or COUNTRY_ZONES.get(country, "")


def same_calendar(zone_a, zone_b, date):
    """True when every moment of `date` in zone_a falls on the same date in zone_b."""
    a, b = zoneinfo.ZoneInfo(zone_a), zoneinfo.ZoneInfo(zone_b)
    for time in (datetime.time(0, 0), datetime.time(12, 0), datetime.time(23, 59)):
        moment = datetime.datetime.combine(date, time, a)
        if moment.astimezone(b).date() != date:
            return False
    return True


@dataclass(frozen=True)
class CapitalDates:
    washington: datetime.date | None
    beijing: datetime.date | None
    # Which of the two were computed (and so may not be typed by hand).
    washington_computed: bool
    beijing_computed: bool


def _instant(start_date, time, clock_zone, anchor_zone):
    """The moment the encounter began: `time` in `clock_zone` on the day that is `start_date`
    in the encounter's own calendar (`anchor_zone`)."""
    clock = zoneinfo.ZoneInfo(clock_zone)
    if not anchor_zone or anchor_zone == clock_zone:
        return datetime.datetime.combine(start_date, time, clock)
    anchor = zoneinfo.ZoneInfo(anchor_zone)
    for shift in (0, -1, 1):
        day = start_date + datetime.timedelta(days=shift)
        moment = datetime.datetime.combine(day, time, clock)
        if moment.astimezone(anchor).date() == start_date:
            return moment
    return datetime.datetime.combine(start_date, time, clock)


def capital_dates(*, remote, start_date, local_time, time_zone, place_zone, day_precision=True):
    """The two capitals' dates that the rule determines (None where it determines none).

    remote: a call or video call (dated by Washington's calendar); otherwise in person, dated
    by the place's calendar (`place_zone`, "" when unknown).
    """
    if not day_precision or start_date is None:
        return CapitalDates(None, None, True, True)
    anchor = CALL_ZONE if remote else (place_zone if is_time_zone(place_zone) else "")
    clock_zone = time_zone if is_time_zone(time_zone) else anchor
    if local_time is not None and clock_zone:
        moment = _instant(start_date, local_time, clock_zone, anchor)
        return CapitalDates(
            moment.astimezone(zoneinfo.ZoneInfo(WASHINGTON)).date(),
            moment.astimezone(zoneinfo.ZoneInfo(BEIJING)).date(),
            True,
            True,
        )
    washington = beijing = None
    if anchor and same_calendar(anchor, WASHINGTON, start_date):
        washington = start_date
    if anchor and same_calendar(anchor, BEIJING, start_date):
        beijing = start_date
    return CapitalDates(washington, beijing, washington is not None, beijing is not None)
