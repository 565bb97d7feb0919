from datetime import UTC, date, datetime, timedelta

from services.notifier.domain.conditions import OWING_BALANCE
from services.notifier.domain.journeys import Journey, Step, schedule, still_wanted
from services.notifier.domain.members import new_member, with_ledger_entry
from services.notifier.domain.membership import reevaluate

ENTERED = datetime(2026, 11, 22, 9, tzinfo=UTC)
JOURNEY = Journey("jrn-1", "Reminders", "owing-balance", (Step("PT1H", "tpl-a"), Step("P3D", "tpl-b"), Step("P1M", "tpl-c")))


def owing_member(entries: int = 1) -> dict:
    m, sequence = new_member("loc-1", "cli-1"), 0
    for _ in range(entries - 1):
        m, _ = reevaluate(with_ledger_entry(m, sequence + 1, -100, "USD"), [OWING_BALANCE], date(2026, 11, 22), ENTERED)
        m, _ = reevaluate(with_ledger_entry(m, sequence + 2, 0, "USD"), [OWING_BALANCE], date(2026, 11, 22), ENTERED)
        sequence += 2
    m, _ = reevaluate(with_ledger_entry(m, sequence + 1, -100, "USD"), [OWING_BALANCE], date(2026, 11, 22), ENTERED)
    return m


def test_each_step_is_due_its_duration_after_the_entry():
    steps = schedule(JOURNEY, "loc-1", "cli-1", 1, ENTERED)
    assert [s["due_at"] for s in steps] == [ENTERED + timedelta(hours=1), ENTERED + timedelta(days=3),
                                             datetime(2026, 12, 22, 9, tzinfo=UTC)]
    assert {s["status"] for s in steps} == {"pending"}


def test_the_same_entry_always_gives_the_same_step_ids_and_another_entry_new_ones():
    first = [s["_id"] for s in schedule(JOURNEY, "loc-1", "cli-1", 1, ENTERED)]
    again = [s["_id"] for s in schedule(JOURNEY, "loc-1", "cli-1", 1, ENTERED + timedelta(minutes=5))]
    second = [s["_id"] for s in schedule(JOURNEY, "loc-1", "cli-1", 2, ENTERED)]
    assert first == again and not set(first) & set(second) and len(set(first)) == 3


def test_a_step_is_wanted_only_while_the_client_is_inside_in_the_same_entry():
    step = schedule(JOURNEY, "loc-1", "cli-1", 1, ENTERED)[0]
    inside = owing_member()
    paid, _ = reevaluate(with_ledger_entry(inside, 99, 0, "USD"), [OWING_BALANCE], date(2026, 11, 22), ENTERED)
    assert still_wanted(step, inside)
    assert not still_wanted(step, paid)
    assert not still_wanted(step, None)


def test_a_step_of_an_earlier_entry_is_not_wanted_after_re_entering():
    step_of_first_entry = schedule(JOURNEY, "loc-1", "cli-1", 1, ENTERED)[0]
    assert not still_wanted(step_of_first_entry, owing_member(entries=2))
