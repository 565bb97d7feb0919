from services.reports.domain.profiles import with_full_name


def test_a_profile_carries_case_folded_copies_of_its_names_and_email_for_sorting():
    profile = with_full_name({"first_name": "ada", "last_name": "LOVELACE", "email": "Ada@Example.com", "phone": None})

    assert (profile["sort_first_name"], profile["sort_last_name"], profile["sort_full_name"], profile["sort_email"]) == (
        "ada", "lovelace", "ada lovelace", "ada@example.com")


def test_lower_and_upper_case_names_sort_together():
    names = ["bob", "Ada", "alan", "Bea"]

    keys = sorted(names, key=lambda n: with_full_name({"first_name": n})["sort_full_name"])

    assert keys == ["Ada", "alan", "Bea", "bob"]


def test_a_missing_email_has_no_sort_copy_value():
    assert with_full_name({"first_name": "Cy"})["sort_email"] is None
