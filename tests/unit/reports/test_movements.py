from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.reports.domain.errors import InvalidParameter
from services.reports.domain.movements import ENTRY_COLUMNS, bounds, movement_rows

MOVEMENT_COLUMNS = list(ENTRY_COLUMNS.values())


def test_the_range_runs_from_the_start_of_the_first_day_to_the_end_of_the_last():
    assert bounds(date(2026, 3, 1), date(2026, 3, 31)) == (datetime(2026, 3, 1, tzinfo=UTC),
                                                          datetime(2026, 4, 1, tzinfo=UTC))


def test_a_range_ending_before_it_starts_is_refused_naming_to():
    with pytest.raises(InvalidParameter) as refused:
        bounds(date(2026, 3, 2), date(2026, 3, 1))

    assert refused.value.field == "to"


def test_each_entry_type_has_its_column_and_closing_adds_them_to_the_opening():
    sums = {("l-1", "USD", "Payment"): 5000, ("l-1", "USD", "Charge"): -2000, ("l-1", "USD", "Credit Expired"): -300}

    [row] = movement_rows({("l-1", "USD"): 1000}, sums, {"l-1": "Downtown"})

    assert row == {"location_id": "l-1", "location_name": "Downtown", "currency": "USD", "opening_minor": 1000, "payment_minor": 5000,
                   "charge_minor": -2000, "refund_minor": 0, "credit_minor": 0, "manual_adjustment_minor": 0,
                   "credit_expired_minor": -300, "closing_minor": 3700}


def test_a_place_with_only_movements_opens_at_zero_and_one_with_only_an_opening_keeps_it():
    rows = movement_rows({("l-2", "EUR"): 700}, {("l-1", "USD", "Refund"): -100})

    summary = [(r["location_id"], r["opening_minor"], r["closing_minor"]) for r in rows]
    assert summary == [("l-1", 0, -100), ("l-2", 700, 700)]


places = st.tuples(st.sampled_from(["l-1", "l-2"]), st.sampled_from(["USD", "JPY"]))
amounts = st.integers(-10**9, 10**9)


typed_sums = st.dictionaries(st.tuples(places, st.sampled_from(list(ENTRY_COLUMNS))), amounts)


@given(st.dictionaries(places, amounts), typed_sums)
def test_opening_plus_movements_is_closing_always(openings, typed):
    sums = {(*place, kind): amount for (place, kind), amount in typed.items()}

    for row in movement_rows(openings, sums):
        assert row["opening_minor"] + sum(row[c] for c in MOVEMENT_COLUMNS) == row["closing_minor"]


def test_the_last_day_there_is_can_close_a_range():
    opening, closing = bounds(date(2026, 1, 1), date.max)

    assert opening.year == 2026 and closing.year == 9999 and closing > opening
