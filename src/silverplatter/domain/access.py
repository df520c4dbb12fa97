"""Who may do what: roles, the permissions they carry, and API token scopes.

Three roles (issue: users and security):

* **admin** manages users, tokens and settings, and may do everything else;
* **marketing** edits scoring models, content and programmes, imports and
  exports, reads every record;
* **sales** works its queue and its accounts and records qualification.

A permission is a ``area:verb`` string.  Every route names the one permission
it needs; an API token carries *scopes*, which are permissions, and acts with
the intersection of its scopes and its user's role.
"""

from __future__ import annotations

from typing import Final, Literal

Role = Literal["admin", "marketing", "sales"]
ROLES: Final[tuple[Role, ...]] = ("admin", "marketing", "sales")

#: Every permission with its one-line meaning.
PERMISSIONS: Final[dict[str, str]] = {
    "records:read": "read accounts, contacts, opportunities, meetings and events",
    "records:write": "create and change accounts, contacts, opportunities and meetings",
    "events:write": "send behaviour events",
    "queue:read": "see the sales queue and explanations",
    "queue:act": "accept, recycle or disqualify handed-over leads",
    "qualification:write": "record BANT qualification and move lifecycle stages",
    "model:read": "read the scoring model and its versions",
    "model:write": "validate, save and activate scoring models",
    "imports:write": "import CSV files",
    "exports:read": "export records as CSV",
    "dashboard:read": "see the dashboard",
    "users:manage": "manage users, roles and other people's API tokens",
    "audit:read": "read the audit log",
    "tokens:own": "create and revoke one's own API tokens",
    "capture:read": "see forms, lead magnets, tracking, the suppression list and list KPIs",
    "capture:write": "create and change forms, lead magnets and the suppression list",
    "privacy:export": "export everything held about a person (GDPR access request)",
    "privacy:erase": "erase a person (GDPR erasure request)",
    "segments:read": "see segments, their rules and their members",
    "segments:write": "create, change, snapshot and delete segments",
    "segmentation:read": "see the value pyramid, needs segments, the offer matrix and care models",
    "segmentation:write": "change value tiers, needs segments, the offer matrix and care models",
    "understanding:read": (
        "see zipper boards, worries, core questions, the needs grid, Kano studies and "
        "strategy documents"
    ),
    "understanding:write": (
        "change zipper boards, worries and their tags, core questions, the needs grid, "
        "Kano studies and strategy documents"
    ),
    "nurture:read": (
        "see e-mail templates, broadcasts and their figures, programmes, their enrolments "
        "and the tasks they give"
    ),
    "nurture:write": (
        "create and change e-mail templates, broadcasts and programmes; send, schedule, "
        "activate, pause and resume them"
    ),
    "planning:read": (
        "see marketing plans and the service level, funnel and journey analytics and the "
        "lost-lead mining report"
    ),
    "planning:write": (
        "create and activate marketing plans, enter channel costs, import people lists"
    ),
    "tasks:write": "create tasks and act on lost leads: assign, enrol, give a task",
}

_ALL = frozenset(PERMISSIONS)

GRANTS: Final[dict[Role, frozenset[str]]] = {
    "admin": _ALL,
    "marketing": frozenset(
        {
            "records:read",
            "records:write",
            "events:write",
            "queue:read",
            "model:read",
            "model:write",
            "imports:write",
            "exports:read",
            "dashboard:read",
            "tokens:own",
            "capture:read",
            "capture:write",
            "privacy:export",
            "segments:read",
            "segments:write",
            "segmentation:read",
            "segmentation:write",
            "understanding:read",
            "understanding:write",
            "nurture:read",
            "nurture:write",
            "planning:read",
            "planning:write",
            "tasks:write",
        }
    ),
    "sales": frozenset(
        {
            "records:read",
            "queue:read",
            "queue:act",
            "qualification:write",
            "model:read",
            "dashboard:read",
            "tokens:own",
            "segmentation:read",
            "understanding:read",
            "nurture:read",
            "planning:read",
            "tasks:write",
        }
    ),
}

#: Sales sees its own accounts and contacts; the other roles see every record.
OWN_RECORDS_ONLY: Final[frozenset[Role]] = frozenset({"sales"})


def permissions_of(role: str, scopes: frozenset[str] | None = None) -> frozenset[str]:
    """What a user of ``role`` may do, narrowed to ``scopes`` for an API token."""
    granted = GRANTS[role] if is_role(role) else frozenset[str]()  # type: ignore[index]
    return granted if scopes is None else granted & scopes


def unknown_scopes(scopes: frozenset[str]) -> list[str]:
    return sorted(scopes - _ALL)


def is_role(value: str) -> bool:
    return value in ROLES
