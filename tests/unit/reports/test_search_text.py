"""Search is case-insensitive for every script and reads the query as plain text."""

import re

import pytest

from services.reports.domain.profiles import with_full_name
from services.reports.domain.search import folded_text, literal_pattern


def _finds(q: str, **profile) -> bool:
    return re.search(literal_pattern(q), with_full_name(profile)["search"]) is not None


@pytest.mark.parametrize(("q", "profile"), [
    ("STRASSE", {"first_name": "Jörg", "last_name": "Straße"}),
    ("josé", {"first_name": "JOSE\u0301"}),  # decomposed é in the name, composed in the query
    ("ΣΟΦΊΑ", {"first_name": "σοφία"}),
    ("C-7", {"first_name": "Ada", "client_id": "c-7"}),
    ("+44 (20)", {"first_name": "Ada", "phone": "+44 (20) 7946"}),
    ("a.b*c", {"first_name": "Ada", "email": "a.b*c@example.com"}),
])
def test_a_client_is_found_by_any_casing_of_any_part(q, profile):
    assert _finds(q, **profile)


@pytest.mark.parametrize("q", ["a.c", ".*", "[ab]", "a|z", "\\d", "(", "^ada"])
def test_regex_characters_match_only_themselves(q):
    assert not _finds(q, first_name="Ada", last_name="Abc", email="abc@example.com")


def test_folding_is_the_same_for_composed_and_decomposed_forms():
    assert folded_text("Éclair") == folded_text("E\u0301CLAIR")
