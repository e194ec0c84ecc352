"""Measures: durations, windows and ranks computed from profiles against a date."""

from __future__ import annotations

import doctest
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from zhunru.solver.measures import months_between, window_years

from zhunru import api

dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))


def test_years_are_met_on_the_anniversary() -> None:
    """ "5年以上" includes 5: met on the fifth anniversary, not the day before."""
    assert months_between(date(2021, 11, 24), date(2026, 11, 24)) == 60
    assert months_between(date(2021, 11, 25), date(2026, 11, 24)) == 59


def test_month_end_and_leap_days() -> None:
    assert months_between(date(2024, 1, 31), date(2024, 2, 29)) == 0
    assert months_between(date(2024, 1, 31), date(2024, 3, 31)) == 2
    assert months_between(date(2020, 2, 29), date(2021, 2, 28)) == 11
    assert months_between(date(2020, 2, 29), date(2021, 3, 1)) == 12


@given(dates, dates)
def test_months_between_is_never_negative_and_bounded(start: date, end: date) -> None:
    months = months_between(start, end)
    assert months >= 0
    if end >= start:
        assert months * 28 <= (end - start).days + 1
        assert (end - start).days < (months + 1) * 31 + 1


@given(dates, st.integers(min_value=0, max_value=400))
def test_months_between_is_monotone_in_the_end_date(start: date, extra: int) -> None:
    end = start + timedelta(days=extra)
    later = end + timedelta(days=1)
    assert months_between(start, later) >= months_between(start, end)


def test_windows_are_completed_calendar_years() -> None:
    assert list(window_years(date(2026, 11, 24), 5)) == [2021, 2022, 2023, 2024, 2025]
    assert list(window_years(date(2012, 1, 1), 5)) == [2007, 2008, 2009, 2010, 2011]
    assert list(window_years(date(2026, 1, 1), 1)) == [2025]


def test_api_doctest() -> None:
    import zhunru.api

    failures, tried = doctest.testmod(zhunru.api, verbose=False)
    assert tried > 0 and failures == 0


def test_kb_is_loaded_once() -> None:
    assert api.engine() is api.engine()
    assert api.engine().kb is api.knowledge_base()
