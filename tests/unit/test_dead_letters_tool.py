"""What a re-drive sends: the selection, each original record once, and never a loop."""

import pytest

from shared.tools.dead_letters.__main__ import describe, parser
from shared.tools.dead_letters.letters import DeadLetter, Selection, parse_offsets, plan_redrive, summarise

DLQ = "studio.sales.v1.dlq"


def letter(offset: int, reason: str = "rule broken: unknown booking", original_offset: int | None = None,
           **headers: str) -> DeadLetter:
    origin = {"x-original-topic": "studio.sales.v1", "x-original-partition": "0",
              "x-original-offset": str(original_offset if original_offset is not None else 100 + offset)}
    return DeadLetter(DLQ, 0, offset, 1_767_000_000_000, b"c-1", b'{"a": 1}', {"x-error": reason, **origin, **headers})


def test_a_selection_by_reason_and_offsets_sends_only_those():
    letters = [letter(1), letter(2, "invalid event: credits: too small"), letter(3), letter(9)]

    plan = plan_redrive(letters, Selection(first_offset=2, last_offset=5, reason="UNKNOWN"))

    assert [x.offset for x in plan.send] == [3] and not plan.skipped


def test_a_re_drive_refused_again_is_not_sent_again_nor_the_letter_it_came_from():
    first = letter(1)
    refused_again = letter(2, original_offset=500, **{"x-redriven-from": first.position})

    plan = plan_redrive([first, refused_again], Selection())

    assert plan.send == [] and sum(plan.skipped.values()) == 2


def test_include_refused_sends_a_refused_re_drive_once_more():
    first = letter(1)
    refused_again = letter(2, original_offset=500, **{"x-redriven-from": first.position})

    plan = plan_redrive([first, refused_again], Selection(include_refused=True))

    assert [x.offset for x in plan.send] == [1, 2]


def test_two_dead_letters_of_one_record_re_drive_it_once():
    plan = plan_redrive([letter(1, original_offset=7), letter(2, original_offset=7)], Selection())

    assert [x.offset for x in plan.send] == [1] and list(plan.skipped.values()) == [1]


def test_a_truncated_copy_of_an_oversized_record_is_never_re_driven():
    plan = plan_redrive([letter(1, **{"x-original-size": "2000000"})], Selection())

    assert plan.send == [] and "truncated" in next(iter(plan.skipped))


@pytest.mark.parametrize(("text", "expected"), [("12", (12, 12)), ("12-40", (12, 40)), ("12-", (12, None)),
                                                 ("-40", (None, 40))])
def test_offset_ranges_read_as_operators_write_them(text, expected):
    assert parse_offsets(text) == expected


def test_a_summary_counts_per_reason_most_frequent_first():
    summary = summarise(DLQ, [letter(1, "a"), letter(2, "b"), letter(3, "b"),
                              letter(4, "b", **{"x-redriven-from": "x:0:1"})])

    assert (summary.count, summary.ranges, summary.refused_redrives) == (4, {0: (1, 4)}, 1)
    assert summary.reasons == [("b", 3), ("a", 1)]


def test_showing_a_letter_gives_its_headers_and_its_value():
    shown = describe(letter(5))

    assert "x-error: rule broken: unknown booking" in shown and "x-original-offset: 105" in shown
    assert '"a": 1' in shown and "studio.sales.v1.dlq:0:5" in shown


def test_every_command_has_help():
    for command in ("list", "show", "redrive"):
        with pytest.raises(SystemExit) as done:
            parser().parse_args([command, "--help"])
        assert done.value.code == 0
