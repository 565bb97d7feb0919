"""The credits view lists every package and period adjustment with its note, actor and time."""

from datetime import UTC, date, datetime

from services.reports.domain.credits import memberships_view, package_categories, package_row, period_row
from services.reports.domain.folding import fold
from shared.contract.credits import MembershipPeriodChanged, PackageChanged, StaffAdjustment

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
EXTENDED = StaffAdjustment(adjustment_id="cmd-1", at=T0, action=None, credits=None, starts_on=date(2026, 1, 1),
                           expires_on=date(2026, 6, 30), note="paused for an injury", actor="staff-7",
                           changed=["expires_on"])


def package(version: int, adjustments: list[StaffAdjustment]) -> PackageChanged:
    return PackageChanged(event_id=f"e-{version}", occurred_at=T0, location_id="l-1", client_id="c-1",
                          package_id="p-1", package_name="10 classes", version=version, credits_purchased=10,
                          credits_adjusted=0, total=10, consumed=0, holds=[], starts_on=date(2026, 1, 1),
                          expires_on=date(2026, 6, 30), adjustments=adjustments)


def test_a_package_extension_is_listed_with_its_note_actor_and_time():
    [listed] = package_categories(package_row(package(2, [EXTENDED])), T0, T0.date())["adjustments"]

    assert listed == {"adjustment_id": "cmd-1", "at": "2026-03-01T12:00:00Z", "action": None, "credits": None,
                      "starts_on": "2026-01-01", "expires_on": "2026-06-30", "note": "paused for an injury",
                      "actor": "staff-7", "changed": ["expires_on"]}


def test_an_adjustment_event_applied_twice_is_listed_once():
    folded = fold([package(2, [EXTENDED]), package(2, [EXTENDED]), package(2, [EXTENDED, EXTENDED])])

    assert len(folded.rows["packages"]["l-1|c-1|p-1"].fields["adjustments"]) == 1


def test_a_package_event_from_before_adjustments_were_announced_lists_none():
    row = package_row(package(1, []))
    del row["adjustments"]  # a row the projection wrote before this field existed

    assert package_categories(row, T0, T0.date())["adjustments"] == []


def test_a_period_adjustment_is_listed_under_its_period():
    event = MembershipPeriodChanged(event_id="e-p", occurred_at=T0, location_id="l-1", client_id="c-1",
                                    membership_id="m-1", membership_name="8 a month", period_key=date(2026, 3, 1),
                                    version=1, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), used=0,
                                    max=9, adjustments=[EXTENDED.model_copy(update={"changed": ["credits"]})])

    [membership] = memberships_view([period_row(event)], [], date(2026, 3, 5))

    assert [(a["note"], a["actor"]) for a in membership["periods"][0]["adjustments"]] == [
        ("paused for an injury", "staff-7")]
