"""Money as clients read it: minor units formatted in the account's currency (babel)."""

from decimal import Decimal

from babel.numbers import format_currency, format_decimal, get_currency_precision

LOCALE = "en_US"


def format_money(amount_minor: int, currency: str | None, locale: str = LOCALE) -> str:
    """No float on the way: minor units shift by the currency's own precision (JPY 0, KWD 3)."""
    if currency is None:  # no ledger entry yet: nothing owed, nothing held
        return format_decimal(Decimal(amount_minor).scaleb(-2), format="#,##0.00", locale=locale)
    amount = Decimal(amount_minor).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=locale)
