"""Whatever a client's profile holds, a CSV export never carries a formula and a message never
runs a template expression or gains a header (properties over any text hypothesis can make)."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifier.domain.templates import MERGE_FIELDS, render, render_subject
from services.reports.domain.csv_export import FORMULA_STARTS
from services.reports.domain.reports import CLIENTS_WITH_CREDIT
from services.reports.entrypoints.responses import csv_chunks, each

hostile_text = st.one_of(
    st.text(max_size=60),
    st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS + ("\n", " ", "'", '"')),
              st.text(max_size=30)),
    st.sampled_from(['=HYPERLINK("http://evil","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                     "\t=1", "\r=1", '"=1"', "=1\n=2", "{{balance}}", "{{ 7*7 }}", "{% raw %}", "${7*7}"]),
)

TEXT_COLUMNS = ("location_id", "client_id", "full_name", "first_name", "last_name", "email", "phone")


async def _exported(row: dict) -> list[list[str]]:
    text = "".join([chunk async for chunk in csv_chunks(each([row]), list(CLIENTS_WITH_CREDIT.columns))])
    return list(csv.reader(io.StringIO(text, newline="")))


@settings(max_examples=300, deadline=None)
@given(values=st.fixed_dictionaries({name: hostile_text for name in TEXT_COLUMNS}),
       balance=st.integers(-(10**13), 10**13))
async def test_no_exported_text_cell_starts_like_a_formula(values, balance):
    row = {**values, "account_credit_balance_minor": balance, "currency": "USD", "join_date": None}

    header, cells = await _exported(row)

    for name, text in zip(header, cells, strict=True):
        if name in TEXT_COLUMNS:
            assert not text.startswith(FORMULA_STARTS)
            assert text in (values[name], "'" + values[name])


@settings(max_examples=300, deadline=None)
@given(values=st.fixed_dictionaries({name: hostile_text for name in MERGE_FIELDS}))
def test_merge_values_are_inserted_as_text_and_never_expanded(values):
    template = "Hi {{first_name}} {{last_name}} / {{ full_name }} owes {{balance}} at {{location_id}}."

    rendered = render(template, values)

    assert rendered == "Hi {first_name} {last_name} / {full_name} owes {balance} at {location_id}.".format(**values)


@settings(max_examples=300, deadline=None)
@given(values=st.fixed_dictionaries({name: hostile_text for name in MERGE_FIELDS}))
def test_a_subject_is_one_line_whatever_the_values_hold(values):
    subject = render_subject("Your balance, {{full_name}}: {{balance}}", values)

    assert not set(subject) & {"\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}
