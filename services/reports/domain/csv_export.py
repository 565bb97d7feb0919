"""How report rows become CSV cells: chosen columns, money in major units, no formulas.

Money columns (`*_minor`) drop the suffix from their header and hold major units with the
currency's precision; `columns=` takes either name (`balance_minor` or `balance`). Text cells that a spreadsheet would read as a formula (starting with
`=`, `+`, `-`, `@`, tab or CR) get a leading `'`. Only text is neutralised: money, counts, dates
and instants are written by this code from typed values and cannot carry a formula, so a
negative balance stays the number `-12.50` that finance can add up.
"""

from datetime import date, datetime

from services.reports.domain.errors import InvalidParameter
from services.reports.domain.money import major_units
from services.reports.domain.reports import ReportSpec

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_SUFFIX = "_minor"


def choose_columns(text: str | None, spec: ReportSpec) -> list[str]:
    if not text:
        return list(spec.columns)
    chosen = [_column(name.strip(), spec) for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in spec.columns]
    if unknown or not chosen:
        raise InvalidParameter("columns", f"unknown {', '.join(unknown) or '(none given)'}; "
                                          f"choose from {', '.join(spec.columns)}")
    return list(dict.fromkeys(chosen))


def _column(name: str, spec: ReportSpec) -> str:
    """A money column by either name: `balance_minor` or `balance`, as its CSV header reads."""
    if name not in spec.columns and f"{name}{MONEY_SUFFIX}" in spec.columns:
        return f"{name}{MONEY_SUFFIX}"
    return name


def header(columns: list[str]) -> list[str]:
    return [name.removesuffix(MONEY_SUFFIX) for name in columns]


def record(row: dict, columns: list[str]) -> list[str]:
    return [cell(name, row.get(name), row.get("currency")) for name in columns]


def cell(name: str, value, currency: str | None) -> str:
    if value is None:
        return ""
    if name.endswith(MONEY_SUFFIX):
        return major_units(value, currency)
    if isinstance(value, (int, date, datetime)):
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return neutralised(str(value))


def neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
