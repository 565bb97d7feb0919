"""Minor units to major units as text, with the currency's own precision (USD 2, JPY 0, BHD 3)."""

from babel.numbers import get_currency_precision


def major_units(amount_minor: int, currency: str | None) -> str:
    """`1250, "USD"` → `"12.50"`; integer arithmetic only, so no float ever rounds money."""
    digits = get_currency_precision(currency) if currency else 2
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"
