"""Reactions (exact toggles under concurrency) and actions (a button pressed, an option chosen)."""

from __future__ import annotations

from shared.clock import now_iso
from shared.errors import Conflict, InvalidInput
from shared.experience import blocks, views
from shared.experience import message_repository as repository
from shared.experience.messages import visible_message
from shared.experience.models import ActionItem
from shared.experience.retry import backoff
from shared.experience.schemas import (
    ActionOut,
    ActionRequest,
    ReactionRequest,
    ReactionToggleOut,
    ReactionUsersOut,
    UserRef,
)
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

MAX_DISTINCT_EMOJI = 50
ATTEMPTS = 20


def _deleted() -> Conflict:
    return Conflict("This message was deleted", code="MESSAGE_DELETED")


def toggle_reaction(caller: Principal, message_id: str, request: ReactionRequest) -> ReactionToggleOut:
    """Adds the caller's reaction, or removes it if present. Each attempt is one transaction
    conditioned on the reaction item, with the count changed in it, so concurrent toggles by
    many people leave exact counts. Raises :class:`NotFound`, :class:`Conflict`
    ``MESSAGE_DELETED``, :class:`InvalidInput` ``TOO_MANY_REACTIONS``."""
    message, _thread, _member = visible_message(caller, message_id)
    if message.deleted:
        raise _deleted()
    reaction = repository.new_reaction(message, request.emoji, caller.user_id, caller.user.name, now_iso())
    added: bool | None = None
    for attempt in range(ATTEMPTS):
        removed = repository.remove_reaction(message, reaction)
        if removed:
            added = False
            break
        if removed is None:
            backoff(attempt)
            continue
        current = repository.get(message.thread_id, message.message_id)
        if current is None or current.deleted:
            raise _deleted()
        active = set(views.reaction_counts(current))
        if request.emoji not in active and len(active) >= MAX_DISTINCT_EMOJI:
            raise InvalidInput(
                f"A message holds at most {MAX_DISTINCT_EMOJI} different reactions",
                code="TOO_MANY_REACTIONS",
                errors={"emoji": [f"at most {MAX_DISTINCT_EMOJI} different emoji per message"]},
            )
        if repository.add_reaction(message, reaction):
            added = True
            break
        backoff(attempt)
    if added is None:
        raise Conflict("The reaction is busy; retry", code="REACTION_BUSY")
    fresh = repository.get(message.thread_id, message.message_id) or message
    mine = {emoji for _mid, emoji in repository.my_reactions(caller.user_id, message.thread_id, [message_id])}
    mine = (mine | {request.emoji}) if added else (mine - {request.emoji})
    return ReactionToggleOut(added=added, reactions=views.reaction_summaries(fresh, mine))


def list_reactions(caller: Principal, message_id: str) -> list[ReactionUsersOut]:
    """Who reacted with what, most used emoji first."""
    message, _thread, _member = visible_message(caller, message_id)
    grouped: dict[str, list[UserRef]] = {}
    for reaction in repository.reactions(message.thread_id, message.message_id):
        grouped.setdefault(reaction.emoji, []).append(UserRef(id=reaction.user_id, name=reaction.user_name))
    found = [ReactionUsersOut(emoji=e, count=len(users), users=users) for e, users in grouped.items()]
    return sorted(found, key=lambda r: (-r.count, r.emoji))


def record_action(caller: Principal, message_id: str, request: ActionRequest) -> ActionOut:
    """By anyone in the thread; the action id must be one of the message's interactive elements
    and a select's value one of its options. Raises :class:`NotFound`, :class:`InvalidInput`
    (``UNKNOWN_ACTION``, ``INVALID_ACTION_VALUE``), :class:`Conflict` ``MESSAGE_DELETED``."""
    message, _thread, _member = visible_message(caller, message_id)
    if message.deleted:
        raise _deleted()
    spec = blocks.action_index(message.blocks).get(request.action_id)
    if spec is None:
        raise InvalidInput(
            "This message has no such action",
            code="UNKNOWN_ACTION",
            errors={"actionId": ["is not an action of this message"]},
        )
    if spec.options is not None and request.value not in spec.options:
        raise InvalidInput(
            "The value is not one of the options",
            code="INVALID_ACTION_VALUE",
            errors={"value": ["must be one of the options"]},
        )
    action = repository.new_action(
        message,
        new_id(),
        action_id=request.action_id,
        value=request.value,
        user_id=caller.user_id,
        user_name=caller.user.name,
        created_at=now_iso(),
    )
    repository.put_action(action)
    return views.action_out(action)


def list_actions(caller: Principal, message_id: str, *, limit: int, cursor: str | None) -> ItemsPage[ActionOut]:
    """Oldest first (how an assistant learns a button was pressed)."""
    message, _thread, _member = visible_message(caller, message_id)
    scope = f"actions|{message_id}"
    page = repository.actions_page(message, limit=limit, position=decode_cursor(cursor, scope))
    items = [views.action_out(a) for a in page.items if isinstance(a, ActionItem)]
    return ItemsPage[ActionOut](items=items, next_cursor=encode_cursor(page.next_position, scope))
