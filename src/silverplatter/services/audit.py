"""The audit log of sensitive actions: role changes, model activation, exports, erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.storage import access as store

#: The actions the audit log records, with their meaning.
ACTIONS: Final[dict[str, str]] = {
    "user.created": "a user was created",
    "user.role_changed": "a user's role changed",
    "user.deactivated": "a user was deactivated",
    "user.reactivated": "a user was reactivated",
    "user.password_changed": "a user's password was set",
    "user.locked": "a user was locked out after repeated failed sign-ins",
    "token.created": "an API token was issued",
    "token.revoked": "an API token was revoked",
    "model.activated": "a scoring model version was activated",
    "export.run": "records were exported",
    "contact.exported": "everything held about a contact was exported (access request)",
    "contact.erased": "a contact was erased",
    "import.run": "records were imported",
    "zipper_board.created": "a zipper board was created",
    "zipper_board.changed": "a zipper board's name, slug or needs segment changed",
    "zipper_board.restored": "an earlier version of a zipper board was saved again",
    "zipper_board.deleted": "a zipper board was deleted with its history",
    "strategy_document.created": "a strategy document was created",
    "strategy_document.restored": "an earlier version of a strategy document was saved again",
    "strategy_document.deleted": "a strategy document was deleted with its history",
    "form.created": "a capture form was created",
    "form.changed": "a capture form was changed",
    "suppression.added": "an address was put on the suppression list by hand",
    "suppression.lifted": "an address was taken off the suppression list",
    "segment.created": "a segment was created",
    "segment.changed": "a segment's name, description or rule changed",
    "segment.deleted": "a segment was deleted",
    "segment.snapshot": "a static segment's members were replaced by a snapshot of its rule",
    "value_tiers.policy_saved": "a value-tier policy was saved",
    "value_tiers.applied": "a value-tier policy was applied to the accounts",
    "needs_segments.assigned": "accounts were assigned to their needs segments",
    "worry.created": "a worry was created",
    "worry.changed": "a worry's name, description or talking point changed",
    "worry.deleted": "a worry was deleted",
    "worry.tagged": "content was tagged with a worry",
    "worry.untagged": "a worry's tag was removed from content",
    "worry_profiles.recomputed": "worry profiles were recomputed from the event log",
    "grid.created": "a needs and competitor grid was created",
    "grid.changed": "a needs grid's needs or competitors changed",
    "grid.deleted": "a needs and competitor grid was deleted",
    "grid.rated": "a rater's weights and scores were saved in a needs grid",
    "grid.rater_removed": "a rater and their ratings were removed from a needs grid",
    "grid.imported": "survey answers were imported into a needs grid",
    "kano.created": "a Kano study was created",
    "kano.imported": "questionnaire answers were imported into a Kano study",
    "kano.deleted": "a Kano study was deleted",
    "programme.created": "a nurture programme was created",
    "programme.changed": "a nurture programme's definition was saved as a new version",
    "programme.activated": "a nurture programme was activated",
    "programme.paused": "a nurture programme and its enrolments were paused",
    "programme.resumed": "a nurture programme and its enrolments were resumed",
    "programme.archived": "a nurture programme was archived; its enrolments exited",
    "task.created": "a task was given to an owner",
    "task.done": "a task was marked done",
    "channel_cost.saved": "what a channel cost in a month was entered or changed",
    "channel_cost.deleted": "what a channel cost in a month was deleted",
    "mining.assigned": "lost leads from the mining report were given to an owner",
    "mining.enrolled": "lost leads from the mining report were enrolled in a programme",
    "plan.created": "a marketing plan was computed from a sales target and saved",
    "plan.changed": "a marketing plan was recomputed from new inputs",
    "plan.activated": "a marketing plan became marketing's service level",
    "plan.deleted": "a marketing plan was deleted",
    "champion_move.marked": "a contact was marked by hand as moved to another account",
    "people_list.imported": "a list of social followers or NPS respondents was imported",
    "people_list.deleted": "an imported people list was deleted",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and from where; ``user_id`` is None for the command line."""

    user_id: int | None
    ip_address: str | None = None


#: Work the system does by itself (the worker's periodic jobs); shown as "system".
SYSTEM: Final = Actor(None, "system")


def record(
    connection: Connection,
    action: str,
    subject: str,
    *,
    actor: Actor,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one audit entry in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    store.insert_audit(
        connection,
        occurred_at=now,
        user_id=actor.user_id,
        action=action,
        subject=subject[:300],
        details=details or {},
        ip_address=actor.ip_address,
    )
