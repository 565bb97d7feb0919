"""Code every service shares: the public contract (`shared.contract`) and the wiring (`shared.wiring`)."""
