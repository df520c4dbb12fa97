"""The rule builder's form: flat form fields ↔ a rule document, and the tree the page draws.

Each node of the rule has a form id: ``r`` for the top, ``r.2`` for its third
child, ``r.2.0`` below that; an event's property tests are ``r.1/w0``.  Its
fields are ``<id>:kind`` (all, any, not, field, event) and, by kind,
``:field :op :value :low :high`` or ``:event :within_days :count_op :times
:channel``.  The page posts them all; ``document_from_form`` reads them back,
``apply_action`` adds or removes a node, and ``builder_tree`` lays the
document out for the template with each error of ``domain/segment_rules.py``
placed at the node its path names.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from silverplatter.domain.segment_fields import (
    EVENT_PROPERTY_OPERATORS,
    OPERATOR_SHAPES,
    FieldSpec,
)
from silverplatter.domain.segment_rules import RuleError

#: Form values by name, each a list (as a form may repeat a name).
FormValues = Mapping[str, Sequence[str]]

NEW_FIELD: Final[dict[str, Any]] = {"field": "contact.country", "op": "equals"}
NEW_EVENT: Final[dict[str, Any]] = {"event": "email_click", "within_days": 30}
NEW_WHERE: Final[dict[str, Any]] = {"property": "path", "op": "starts_with"}
GROUPS: Final = ("all", "any", "not")


def _one(form: FormValues, name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def _children(form: FormValues, node: str) -> list[str]:
    pattern = re.compile(re.escape(node) + r"\.(\d+):kind$")
    found = sorted(int(m.group(1)) for name in form if (m := pattern.match(name)))
    return [f"{node}.{number}" for number in found]


def document_from_form(form: FormValues, node: str = "r") -> dict[str, Any]:
    """The rule document the builder's fields describe (checked later, not here)."""
    kind = _one(form, f"{node}:kind") or "all"
    if kind in ("all", "any"):
        return {kind: [document_from_form(form, child) for child in _children(form, node)]}
    if kind == "not":
        inner = [document_from_form(form, child) for child in _children(form, node)]
        return {"not": inner[0] if len(inner) == 1 else {"all": inner}}
    if kind == "event":
        return _event(form, node)
    return _condition(form, node)


def _condition(form: FormValues, node: str) -> dict[str, Any]:
    found: dict[str, Any] = {"field": _one(form, f"{node}:field"), "op": _one(form, f"{node}:op")}
    shape = OPERATOR_SHAPES.get(found["op"], "one")
    if shape == "pair":
        found["value"] = [_one(form, f"{node}:low"), _one(form, f"{node}:high")]
    elif shape == "list":
        values: list[str] = []
        for item in form.get(f"{node}:value") or []:
            values.extend(line.strip() for line in item.splitlines())
        found["value"] = [value for value in values if value]
    elif shape != "none":
        found["value"] = _one(form, f"{node}:value")
    return found


def _event(form: FormValues, node: str) -> dict[str, Any]:
    found: dict[str, Any] = {"event": _one(form, f"{node}:event")}
    for key, name in (("within_days", "within_days"), ("op", "count_op"), ("times", "times")):
        text = _one(form, f"{node}:{name}")
        if text:
            found[key] = int(text) if text.isdigit() else text
    if _one(form, f"{node}:channel"):
        found["channel"] = _one(form, f"{node}:channel")
    pattern = re.compile(re.escape(node) + r"/w(\d+):property$")
    rows = sorted(int(m.group(1)) for name in form if (m := pattern.match(name)))
    where = []
    for row in rows:
        prefix = f"{node}/w{row}"
        test: dict[str, Any] = {
            "property": _one(form, f"{prefix}:property"),
            "op": _one(form, f"{prefix}:op"),
        }
        text = _one(form, f"{prefix}:value")
        test["value"] = (
            [v.strip() for v in text.split("\n") if v.strip()] if test["op"] == "in" else text
        )
        where.append(test)
    if where:
        found["where"] = where
    return found


# ---------------------------------------------------------------- actions


def _locate(document: dict[str, Any], node: str) -> tuple[dict[str, Any], list[Any] | None, int]:
    """The node with form id ``node``, the list holding it (None for a 'not'/top) and its place."""
    current, holder, place = document, None, 0
    for part in node.split(".")[1:]:
        place = int(part)
        kind = next((key for key in GROUPS if key in current), None)
        if kind is None:
            raise KeyError(node)
        if kind == "not":
            holder, current = None, current["not"]
        else:
            holder = current[kind]
            current = holder[place]
    return current, holder, place


def apply_action(
    document: dict[str, Any], action: str, fields: Mapping[str, FieldSpec]
) -> dict[str, Any]:
    """A copy of the document after a builder button: add-field, add-event, add-group,
    add-where, remove (a node or a property test); unchanged for an unknown action."""
    document = copy.deepcopy(document)
    verb, _, target = action.partition(":")
    node, _, row = target.partition("/w")
    try:
        found, holder, place = _locate(document, node)
    except (KeyError, IndexError, TypeError):
        return document
    group = next((key for key in ("all", "any") if key in found), None)
    if verb in ("add-field", "add-event", "add-group") and group is not None:
        new = {"add-field": NEW_FIELD, "add-event": NEW_EVENT}.get(verb) or {
            "any": [dict(NEW_FIELD)]
        }
        found[group].append(dict(new))
    elif verb == "add-where" and "event" in found:
        found.setdefault("where", []).append(dict(NEW_WHERE))
    elif verb == "remove" and row and isinstance(found.get("where"), list):
        if row.isdigit() and int(row) < len(found["where"]):
            del found["where"][int(row)]
    elif verb == "remove" and holder is not None:
        del holder[place]
    elif verb == "remove" and "." in node:
        # The only part of a 'not' goes with the 'not' itself.
        return apply_action(document, f"remove:{node.rpartition('.')[0]}", fields)
    return document


def settle(document: Any, fields: Mapping[str, FieldSpec]) -> Any:
    """Fit each condition's operator to its field (a field just changed keeps no stale operator),
    and a group's children to its kind (a group turned into 'not' keeps its children inside)."""
    if not isinstance(document, dict):
        return document
    for kind in ("all", "any"):
        if isinstance(document.get(kind), list):
            return {kind: [settle(item, fields) for item in document[kind]]}
    if "not" in document:
        return {"not": settle(document["not"], fields)}
    spec = fields.get(str(document.get("field", "")))
    if spec is not None and document.get("op") not in spec.operators:
        return {"field": spec.name, "op": spec.operators[0]}
    return document


# ---------------------------------------------------------------- the tree


@dataclass
class BuilderNode:
    """One node as the template draws it."""

    id: str
    path: str
    kind: str
    document: dict[str, Any]
    children: list[BuilderNode] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    spec: FieldSpec | None = None

    @property
    def shape(self) -> str:
        return OPERATOR_SHAPES.get(str(self.document.get("op", "")), "one")

    @property
    def value_list(self) -> list[str]:
        value = self.document.get("value")
        return [str(item) for item in value] if isinstance(value, list) else []

    @property
    def value_text(self) -> str:
        value = self.document.get("value")
        if value is None or isinstance(value, list | dict):
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def pair(self, index: int) -> str:
        values = self.value_list
        return values[index] if len(values) == 2 else ""

    @property
    def where(self) -> list[dict[str, Any]]:
        rows = self.document.get("where")
        return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []

    def where_text(self, row: dict[str, Any]) -> str:
        value = row.get("value")
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return "" if value is None else str(value)


def builder_tree(
    document: Any,
    fields: Mapping[str, FieldSpec],
    errors: Sequence[RuleError] = (),
    node: str = "r",
    path: str = "rule",
) -> BuilderNode:
    """The document laid out for the builder, each error at the deepest node its path names."""
    tree = _tree(document if isinstance(document, dict) else {"all": []}, fields, node, path)
    for error in errors:
        _place(tree, error)
    return tree


def _tree(
    document: dict[str, Any], fields: Mapping[str, FieldSpec], node: str, path: str
) -> BuilderNode:
    for kind in ("all", "any"):
        if kind in document:
            items = document[kind] if isinstance(document[kind], list) else []
            children = [
                _tree(
                    item if isinstance(item, dict) else {},
                    fields,
                    f"{node}.{n}",
                    f"{path}.{kind}[{n}]",
                )
                for n, item in enumerate(items)
            ]
            return BuilderNode(node, path, kind, document, children)
    if "not" in document:
        inner = document["not"] if isinstance(document["not"], dict) else {}
        return BuilderNode(
            node, path, "not", document, [_tree(inner, fields, f"{node}.0", f"{path}.not")]
        )
    if "event" in document:
        return BuilderNode(node, path, "event", document)
    spec = fields.get(str(document.get("field", "")))
    return BuilderNode(node, path, "field", document, spec=spec)


def _place(tree: BuilderNode, error: RuleError) -> None:
    for child in tree.children:
        if error.path == child.path or error.path.startswith((child.path + ".", child.path + "[")):
            _place(child, error)
            return
    rest = error.path[len(tree.path) :].lstrip(".")
    tree.errors.append((rest, error.message))


def error_count(tree: BuilderNode) -> int:
    return len(tree.errors) + sum(error_count(child) for child in tree.children)


__all__ = [
    "EVENT_PROPERTY_OPERATORS",
    "BuilderNode",
    "apply_action",
    "builder_tree",
    "document_from_form",
    "error_count",
    "settle",
]
