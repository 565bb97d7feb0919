"""The staff search: one stored `search` text per row, matched by a literal, case-insensitive part.

Both sides are folded alike: Unicode canonical caseless matching (NFD, casefold, NFD), so `STRASSE`
finds `Straße` and `JOSÉ` finds `José` whatever form the name arrived in. The query is matched as
literal text: every ASCII character that is not a letter or digit is escaped with a backslash,
which both Go's regexp (FerretDB) and PCRE (MongoDB) read as that character itself.
"""

import unicodedata

SEARCHED = ("full_name", "email", "phone", "client_id")


def folded_text(text: str) -> str:
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())


def search_text(profile: dict) -> str:
    """What a row is found by: its name, email, phone and client id, folded, space-separated."""
    return " ".join(folded_text(str(profile[f])) for f in SEARCHED if profile.get(f))


def literal_pattern(q: str) -> str:
    """A regular expression matching the folded `q` as plain text."""
    return "".join("\\" + c if c.isascii() and not c.isalnum() else c for c in folded_text(q))
