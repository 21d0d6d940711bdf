"""The one rule for date-times from outside: offsets both databases store, sane years."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.utils import translation
from pydantic import BaseModel, ValidationError

from civicgrid.core.datetimes import DataTime, FilterTime, Kind, TimeRefused, check

NOW = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_time_with_an_offset_comes_back_in_utc():
    assert check(at("2026-11-22T09:30:00+08:00"), Kind.DATA, now=NOW) == NOW
    assert check(at("2026-11-22T09:30:00+15:59"), Kind.FILTER).utcoffset() == timedelta(0)


def test_a_time_without_an_offset_is_in_the_site_time_zone():
    assert check(at("2026-11-22T09:30:00"), Kind.DATA, now=NOW) == NOW


@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+20:00", "-23:59"])
@pytest.mark.parametrize("kind", list(Kind))
def test_it_refuses_an_offset_of_16_hours_or_more(offset, kind):
    with pytest.raises(TimeRefused) as refused:
        check(at(f"2026-11-22T09:30:00{offset}"), kind, now=NOW)
    assert refused.value.code == "time_zone_offset"


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+08:00",
        "0001-01-01T00:00:00",
        "1999-12-31T23:59:59Z",
        "2026-11-23T01:30:01Z",  # a day and a second ahead
        "3000-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-08:00",
    ],
)
def test_it_refuses_data_times_before_2000_or_more_than_a_day_ahead(text):
    with pytest.raises(TimeRefused):
        check(at(text), Kind.DATA, now=NOW)


def test_a_data_time_up_to_a_day_ahead_is_taken_for_clock_skew():
    assert check(at("2026-11-23T01:30:00Z"), Kind.DATA, now=NOW)


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+14:00", "1899-12-31T00:00:00Z", "9999-12-31T23:59:59-14:00"]
)
def test_it_refuses_filter_years_outside_1900_to_2999(text):
    with pytest.raises(TimeRefused) as refused:
        check(at(text), Kind.FILTER)
    assert refused.value.code == "year_out_of_range"


def test_a_filter_may_name_a_moment_long_ago_or_far_ahead():
    assert check(at("1900-01-01T12:00:00Z"), Kind.FILTER).year == 1900
    assert check(at("2999-01-01T00:00:00+08:00"), Kind.FILTER).year == 2998


class Report(BaseModel):
    seen: DataTime
    since: FilterTime | None = None


def test_schemas_apply_the_same_rule_with_a_message_in_the_callers_language():
    assert Report(seen="2026-11-22T09:30:00+08:00").seen.tzinfo == UTC
    with translation.override("en"), pytest.raises(ValidationError) as error:
        Report(seen="2026-11-22T09:30:00+20:00", since="0001-01-01T00:00:00+08:00")
    problems = {e["loc"][0]: (e["type"], e["msg"]) for e in error.value.errors()}
    assert problems["seen"] == (
        "time_zone_offset",
        "The time zone offset must be less than 16 hours, e.g. +08:00 or Z.",
    )
    assert problems["since"][0] == "year_out_of_range"
    assert "1900" in problems["since"][1]


def test_the_rule_keeps_an_aware_time_of_any_zone():
    moment = datetime(2026, 11, 22, 1, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert check(moment, Kind.FILTER) == moment
