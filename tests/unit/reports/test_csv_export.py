import pytest

from services.reports.domain.csv_export import cell, choose_columns, header, record
from services.reports.domain.errors import InvalidParameter
from services.reports.domain.money import major_units
from services.reports.domain.reports import ACCOUNT_BALANCES


@pytest.mark.parametrize(("minor", "currency", "text"), [
    (1250, "USD", "12.50"), (-1250, "USD", "-12.50"), (5, "EUR", "0.05"), (-5, "EUR", "-0.05"),
    (0, "USD", "0.00"), (1250, "JPY", "1250"), (-1250, "JPY", "-1250"), (12345, "BHD", "12.345"),
])
def test_money_is_written_in_major_units_with_the_currencys_precision(minor, currency, text):
    assert major_units(minor, currency) == text


def test_money_columns_drop_minor_from_their_header():
    assert header(["client_id", "balance_minor", "currency"]) == ["client_id", "balance", "currency"]


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_text_cell_that_could_be_a_formula_is_neutralised(text):
    assert cell("full_name", text, "USD") == "'" + text


def test_a_negative_amount_stays_a_number_and_plain_text_is_untouched():
    row = {"full_name": "Ada Lovelace", "balance_minor": -1250, "currency": "USD", "email": None}

    assert record(row, ["full_name", "balance_minor", "email"]) == ["Ada Lovelace", "-12.50", ""]


def test_a_negative_count_is_written_as_a_plain_number():
    assert cell("credits_remaining", -1, None) == "-1"


def test_columns_are_picked_in_the_order_asked_for():
    assert choose_columns("email, client_id", ACCOUNT_BALANCES) == ["email", "client_id"]
    assert choose_columns(None, ACCOUNT_BALANCES) == list(ACCOUNT_BALANCES.columns)


@pytest.mark.parametrize("columns", ["client_id,password", "search", ","])
def test_an_unknown_column_is_refused_naming_columns(columns):
    with pytest.raises(InvalidParameter) as refused:
        choose_columns(columns, ACCOUNT_BALANCES)

    assert refused.value.field == "columns"


def test_a_money_column_may_be_named_with_or_without_minor():
    assert choose_columns("client_id,balance", ACCOUNT_BALANCES) == ["client_id", "balance_minor"]
    assert choose_columns("balance_minor,balance", ACCOUNT_BALANCES) == ["balance_minor"]
    assert header(choose_columns("balance", ACCOUNT_BALANCES)) == ["balance"]


def test_only_money_columns_take_the_short_name():
    with pytest.raises(InvalidParameter):
        choose_columns("client", ACCOUNT_BALANCES)
