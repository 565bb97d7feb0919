"""A profile other writers keep changing is not a bug of the event: the batch is tried again."""

from services.reports.adapters.profiles import ProfileContended
from shared.wiring.failures import is_outage


def test_a_profile_changed_by_others_at_every_try_is_waited_out_like_an_outage():
    assert is_outage(ProfileContended("the profile l-1|c-1 changed at each of 10 tries"))
