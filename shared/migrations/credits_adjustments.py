"""Records, on the package and period adjustments stored before they were kept, what they changed.

Since staff may move a package's validity, each adjustment in the credits log's states records
what it changed (`changed`: "credits", "starts_on", "expires_on") and the validity after it
(`starts_on`, `expires_on`). One stored before has none of these, and the credits service no
longer fills them in when it reads one: run this once, with the credits service stopped, before
starting the new one. Each such adjustment gets what the service derived for it: `changed`
["credits"] when it moved credits (else nothing), and no validity recorded (None).

The versions are rewritten in place (their number, events and outbox fields stay): with the
service stopped nothing else writes them.

    python -m shared.migrations.credits_adjustments [--database studio_credits ...]

Without arguments it migrates the credits database named by the environment's settings. Running
it again changes nothing.
"""

from pymongo.asynchronous.database import AsyncDatabase

from shared.migrations.command import run

LOG = "client_credits"


def recorded(adjustment: dict) -> dict:
    """The adjustment with what it changed and the validity after it (None: not recorded then)."""
    changed = adjustment.get("changed") or (["credits"] if adjustment["delta"] else [])
    return {"starts_on": None, "expires_on": None, **adjustment, "changed": changed}


def with_adjustments_recorded(state: dict) -> dict:
    """The state with every package's and membership period's adjustments as `recorded` gives them."""
    packages = [{**p, "adjustments": [recorded(a) for a in p.get("adjustments", [])]}
                for p in state.get("packages", [])]
    memberships = [{**m, "periods": [{**r, "adjustments": [recorded(a) for a in r.get("adjustments", [])]}
                                     for r in m.get("periods", [])]}
                   for m in state.get("memberships", [])]
    return {**state, **({"packages": packages} if "packages" in state else {}),
            **({"memberships": memberships} if "memberships" in state else {})}


async def migrate(db: AsyncDatabase) -> int:
    """Every version of the log whose state holds an adjustment stored before these fields."""
    changed = 0
    async for doc in db[LOG].find({}, {"state": 1}):
        state = doc.get("state")
        if state and (now := with_adjustments_recorded(state)) != state:
            await db[LOG].update_one({"_id": doc["_id"]}, {"$set": {"state": now}})
            changed += 1
    return changed


if __name__ == "__main__":
    run(__doc__, ("credits",), migrate, "version(s) with their adjustments recorded in full")
