import pytest

from services.notifier.domain.members import new_member, with_ledger_entry, with_profile
from services.notifier.domain.money import format_money
from services.notifier.domain.templates import merge_values, render, render_subject, unknown_fields


def values(first_name: str = "Ada", balance: int = -1250, currency: str = "USD") -> dict:
    m = with_profile(new_member("loc-1", "cli-1"), {"first_name": first_name, "last_name": "Lovelace"})
    return merge_values(with_ledger_entry(m, 1, balance, currency), format_money)


def test_every_merge_field_is_substituted():
    text = "{{first_name}}|{{ last_name }}|{{full_name}}|{{balance}}|{{location_id}}"
    assert render(text, values()) == "Ada|Lovelace|Ada Lovelace|-$12.50|loc-1"


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{{__class__}}", "{{ first_name.__class__ }}", "{{ balance|safe }}",
                                  "{{config}}", "Hi {{firstname}}"])
def test_anything_but_a_known_field_is_refused(text):
    assert unknown_fields(text)


def test_jinja_statements_are_plain_text():
    text = "{% for x in range(3) %}{{first_name}}{% endfor %} ${7*7} #{7*7}"
    assert unknown_fields(text) == []
    assert render(text, values()) == "{% for x in range(3) %}Ada{% endfor %} ${7*7} #{7*7}"


def test_a_value_that_looks_like_a_placeholder_stays_literal():
    assert render("Hi {{first_name}}", values(first_name="{{balance}} {{ 7*7 }}")) == "Hi {{balance}} {{ 7*7 }}"


def test_a_subject_stays_on_one_line_whatever_the_name_holds():
    assert render_subject("Hi {{first_name}}", values(first_name="Ada\r\nBcc: all@example.com")) == \
        "Hi Ada Bcc: all@example.com"


@pytest.mark.parametrize(("minor", "currency", "text"), [
    (-1250, "USD", "-$12.50"), (123456, "EUR", "€1,234.56"), (1200, "JPY", "¥1,200"), (1234, "KWD", "KWD1.234"),
    (0, None, "0.00"),
])
def test_money_is_formatted_in_the_currency_without_floats(minor, currency, text):
    assert format_money(minor, currency) == text
