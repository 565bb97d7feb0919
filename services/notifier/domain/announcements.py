"""What the notifier publishes on `studio.notifier.v1`, with ids derived from the cause."""

import hashlib

from services.notifier.domain.membership import Transition
from shared.contract.notifier import AudienceEntered, AudienceLeft, MessageFailed, MessageSent, MessageSkipped

OUTCOMES = {"sent": MessageSent, "skipped": MessageSkipped, "failed": MessageFailed}


def transition_event(member: dict, transition: Transition) -> AudienceEntered | AudienceLeft:
    kind = AudienceEntered if transition.entered else AudienceLeft
    cause = f"{kind.__name__}|{member['_id']}|{transition.audience_id}|{transition.entry}"
    event = kind(event_id="aud-" + hashlib.sha256(cause.encode()).hexdigest()[:40], occurred_at=transition.at,
                 location_id=member["location_id"], client_id=member["client_id"],
                 audience_id=transition.audience_id, entry=transition.entry)
    return event


def outcome_event(message: dict) -> dict:
    kind = OUTCOMES[message["status"]]
    fields = {"reason": message["reason"]} if kind is not MessageSent else {}
    event = kind(event_id=f"{message['_id']}:{message['status']}", occurred_at=message["updated_at"],
                 location_id=message["location_id"], client_id=message["client_id"], message_id=message["_id"],
                 template_id=message["template_id"], origin=message["origin"], origin_id=message["origin_id"],
                 **fields)
    return event.model_dump(mode="json")


def new_message(message_id: str, member_of: tuple[str, str], template_id: str | None,
                origin: tuple[str, str | None], now, chunk: str | None = None, text: dict | None = None) -> dict:
    """`chunk` names the messages that are queued, sent and recorded together (default: alone);
    `text` ({subject, body}) is a free-text message's own template."""
    (location_id, client_id), (kind, origin_id) = member_of, origin
    return {"_id": message_id, "location_id": location_id, "client_id": client_id, "template_id": template_id,
            "origin": kind, "origin_id": origin_id, "status": "queued", "reason": None,
            "created_at": now, "updated_at": now, "published": True, "chunk": chunk or message_id,
            **({"text": text} if text else {})}
