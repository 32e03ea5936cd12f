"""Writes of alert routing's configuration: notifiers and routing rules (owners and admins).

Keyword-only, `actor` first, atomic, permission-checked and audit-logged. Secrets are sealed before they
are stored and never appear in the audit log (it records that a secret changed, not its value).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from trustroom.audit.services import record_event
from trustroom.monitoring import notifier_secrets, notifiers
from trustroom.monitoring.models import AlertSource, Severity, SourceKind
from trustroom.monitoring.routing_models import Notifier, NotifierKind, RoutingRule
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

MAX_NAME = 100
MAX_TYPE_PATTERN = 200
MAX_TAG_CONDITIONS = 20
UNSET: Any = object()  # "leave as it is" for optional update arguments


def _clean_name(
    name: str, model: type[Notifier] | type[RoutingRule], *, unique: bool, exclude: int | None
) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give a name."})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": f"Keep the name to {MAX_NAME} characters or fewer."})
    taken = model.objects.filter(name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if unique and taken.exists():
        raise ValidationError({"name": f"{name!r} is taken; choose another name."})
    return name


def _user(actor: Principal) -> Any:
    return actor.user if actor.is_member else None


# --- Notifiers ------------------------------------------------------------------------------------------


def _set_notifier_target(
    notifier: Notifier, *, actor: Principal, routing_key: str, webhook_url: str, recipients: Any
) -> list[str]:
    """Validate and store the kind's target; the names of what changed (for the audit log)."""
    changed = []
    if notifier.kind == NotifierKind.PAGERDUTY and routing_key is not UNSET:
        secret = notifiers.check_routing_key(routing_key)
    elif notifier.kind == NotifierKind.SLACK and webhook_url is not UNSET:
        secret = notifiers.check_webhook_url(webhook_url)
    else:
        secret = ""
    if secret:
        notifier.secret_sealed = notifier_secrets.seal_value(
            secret, actor=actor, record_uid=str(notifier.uid), field=notifier_secrets.NOTIFIER_SECRET
        )
        notifier.secret_hint = secret[-4:]
        changed.append("routing_key" if notifier.kind == NotifierKind.PAGERDUTY else "webhook_url")
    if notifier.kind == NotifierKind.EMAIL and recipients is not UNSET:
        notifier.recipients = notifiers.check_recipients(recipients)
        changed.append("recipients")
    return changed


@transaction.atomic
def create_notifier(
    *,
    actor: Principal,
    name: str,
    kind: str,
    routing_key: str = UNSET,
    webhook_url: str = UNSET,
    recipients: Any = UNSET,
    enabled: bool = True,
) -> Notifier:
    policies.check(actor, "add", Notifier)
    if kind not in NotifierKind.values:
        raise ValidationError({"kind": f"Kind must be one of: {', '.join(NotifierKind.values)}."})
    needed = {
        NotifierKind.PAGERDUTY: ("routing_key", routing_key),
        NotifierKind.SLACK: ("webhook_url", webhook_url),
    }
    needed_field = needed.get(NotifierKind(kind))
    if needed_field is not None and needed_field[1] is UNSET:
        raise ValidationError({needed_field[0]: "This kind of notifier needs it."})
    if kind == NotifierKind.EMAIL and recipients is UNSET:
        raise ValidationError({"recipients": "Give at least one e-mail address."})
    notifier = Notifier(
        organization=require_org(),
        uid=uuid.uuid4(),
        name=_clean_name(name, Notifier, unique=True, exclude=None),
        kind=kind,
        enabled=enabled,
        created_by=_user(actor),
    )
    _set_notifier_target(
        notifier, actor=actor, routing_key=routing_key, webhook_url=webhook_url, recipients=recipients
    )
    notifier.save()
    record_event(
        actor=actor,
        action="notifier.created",
        target=notifier,
        changes={"name": notifier.name, "kind": kind, "enabled": enabled, "recipients": notifier.recipients},
    )
    return notifier


@transaction.atomic
def update_notifier(
    *,
    actor: Principal,
    notifier: Notifier,
    name: str = UNSET,
    routing_key: str = UNSET,
    webhook_url: str = UNSET,
    recipients: Any = UNSET,
    enabled: bool = UNSET,
) -> Notifier:
    """Change what is given; a secret left out (or blank from a form) keeps its sealed value."""
    policies.check(actor, "change", notifier)
    notifier = Notifier.objects.select_for_update().get(pk=notifier.pk)
    changes: dict[str, Any] = {}
    if name is not UNSET:
        cleaned = _clean_name(name, Notifier, unique=True, exclude=notifier.pk)
        if cleaned != notifier.name:
            changes["name"] = [notifier.name, cleaned]
            notifier.name = cleaned
    if enabled is not UNSET and bool(enabled) != notifier.enabled:
        changes["enabled"] = [notifier.enabled, bool(enabled)]
        notifier.enabled = bool(enabled)
    for what in _set_notifier_target(
        notifier, actor=actor, routing_key=routing_key, webhook_url=webhook_url, recipients=recipients
    ):
        # The audit log records that a secret changed, never its value.
        changes[what] = notifier.recipients if what == "recipients" else "changed"
    if changes:
        notifier.save()
        record_event(actor=actor, action="notifier.updated", target=notifier, changes=changes)
    return notifier


@transaction.atomic
def delete_notifier(*, actor: Principal, notifier: Notifier) -> None:
    """Delete a notifier no rule sends to; its past deliveries stay (with its name)."""
    policies.check(actor, "delete", notifier)
    rules = list(RoutingRule.objects.filter(notifier=notifier).values_list("name", flat=True)[:5])
    if rules:
        raise ValidationError(
            {
                "notifier": f"Rules still send to {notifier.name}: {', '.join(rules)}. "
                "Change or delete them first."
            }
        )
    record_event(
        actor=actor,
        action="notifier.deleted",
        target=notifier,
        changes={"name": notifier.name, "kind": notifier.kind},
    )
    notifier.delete()


# --- Routing rules --------------------------------------------------------------------------------------


def _clean_criteria(
    *, source_ids: Any, source_kinds: Any, min_severity: Any, type_pattern: Any, tag_conditions: Any
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if source_ids is not UNSET:
        ids = sorted({int(value) for value in (source_ids or []) if str(value).strip().isdigit()})
        if len(ids) != len({str(value).strip() for value in (source_ids or [])}):
            raise ValidationError({"source_ids": "Give alert source ids (numbers)."})
        known = set(AlertSource.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - known:
            raise ValidationError(
                {"source_ids": f"No alert source has the id(s) {sorted(set(ids) - known)}."}
            )
        cleaned["source_ids"] = ids
    if source_kinds is not UNSET:
        kinds = sorted(set(source_kinds or []))
        if any(kind not in SourceKind.values for kind in kinds):
            raise ValidationError({"source_kinds": f"Source kinds are: {', '.join(SourceKind.values)}."})
        cleaned["source_kinds"] = kinds
    if min_severity is not UNSET:
        min_severity = (min_severity or "").strip()
        if min_severity and min_severity not in Severity.values:
            raise ValidationError({"min_severity": f"Severity is one of: {', '.join(Severity.values)}."})
        cleaned["min_severity"] = min_severity
    if type_pattern is not UNSET:
        type_pattern = (type_pattern or "").strip()
        if len(type_pattern) > MAX_TYPE_PATTERN:
            raise ValidationError({"type_pattern": f"At most {MAX_TYPE_PATTERN} characters."})
        cleaned["type_pattern"] = type_pattern
    if tag_conditions is not UNSET:
        cleaned["tag_conditions"] = clean_tag_conditions(tag_conditions)
    return cleaned


def clean_tag_conditions(value: Any) -> dict[str, str]:
    """`{key: value}`, or text with one `key=value` per line (forms)."""
    if isinstance(value, str):
        pairs: dict[str, Any] = {}
        for line in value.splitlines():
            if not line.strip():
                continue
            key, sep, tag_value = line.partition("=")
            if not sep or not key.strip():
                raise ValidationError(
                    {"tag_conditions": f"Write each condition as key=value ({line[:40]!r})."}
                )
            pairs[key.strip()] = tag_value.strip()
        value = pairs
    if not isinstance(value, dict):
        raise ValidationError({"tag_conditions": "Give an object of tag keys and values."})
    if len(value) > MAX_TAG_CONDITIONS:
        raise ValidationError({"tag_conditions": f"At most {MAX_TAG_CONDITIONS} tag conditions."})
    for key, tag_value in value.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 128:
            raise ValidationError({"tag_conditions": "Tag keys are 1-128 characters."})
        if not isinstance(tag_value, str) or len(tag_value) > 256:
            raise ValidationError(
                {"tag_conditions": f"The value of {key[:40]!r} must be text of 256 characters or fewer."}
            )
    return {key.strip(): tag_value.strip() for key, tag_value in value.items()}


def _check_notifier(notifier: Any) -> Notifier:
    if not isinstance(notifier, Notifier):
        raise ValidationError({"notifier": "Choose a notifier."})
    return notifier


def _set_routing_key(rule: RoutingRule, *, actor: Principal, routing_key: Any) -> bool:
    """Set (or, with an empty value, clear) the rule's PagerDuty routing key; whether it changed."""
    if routing_key is UNSET:
        return False
    routing_key = (routing_key or "").strip()
    if routing_key and rule.notifier.kind != NotifierKind.PAGERDUTY:
        raise ValidationError({"routing_key": "Only rules that send to PagerDuty take a routing key."})
    if not routing_key:
        changed = bool(rule.routing_key_sealed)
        rule.routing_key_sealed = rule.routing_key_hint = ""
        return changed
    key = notifiers.check_routing_key(routing_key)
    rule.routing_key_sealed = notifier_secrets.seal_value(
        key, actor=actor, record_uid=str(rule.uid), field=notifier_secrets.RULE_ROUTING_KEY
    )
    rule.routing_key_hint = key[-4:]
    return True


def rule_summary(rule: RoutingRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "position": rule.position,
        "enabled": rule.enabled,
        "notifier": rule.notifier.name,
        "source_ids": rule.source_ids,
        "source_kinds": rule.source_kinds,
        "min_severity": rule.min_severity,
        "type_pattern": rule.type_pattern,
        "tag_conditions": rule.tag_conditions,
        "stop": rule.stop,
        "routing_key": "configured" if rule.routing_key_sealed else "",
    }


@transaction.atomic
def create_rule(
    *,
    actor: Principal,
    name: str,
    notifier: Notifier,
    source_ids: Any = UNSET,
    source_kinds: Any = UNSET,
    min_severity: Any = UNSET,
    type_pattern: Any = UNSET,
    tag_conditions: Any = UNSET,
    routing_key: Any = UNSET,
    stop: bool = False,
    enabled: bool = True,
) -> RoutingRule:
    """A new rule, evaluated after the existing ones."""
    policies.check(actor, "add", RoutingRule)
    last = RoutingRule.objects.aggregate(last=Max("position"))["last"]
    rule = RoutingRule(
        organization=require_org(),
        uid=uuid.uuid4(),
        name=_clean_name(name, RoutingRule, unique=False, exclude=None),
        notifier=_check_notifier(notifier),
        position=0 if last is None else last + 1,
        stop=bool(stop),
        enabled=bool(enabled),
        created_by=_user(actor),
        **_clean_criteria(
            source_ids=source_ids,
            source_kinds=source_kinds,
            min_severity=min_severity,
            type_pattern=type_pattern,
            tag_conditions=tag_conditions,
        ),
    )
    _set_routing_key(rule, actor=actor, routing_key=routing_key)
    rule.save()
    record_event(actor=actor, action="routing_rule.created", target=rule, changes=rule_summary(rule))
    return rule


@transaction.atomic
def update_rule(*, actor: Principal, rule: RoutingRule, **fields: Any) -> RoutingRule:
    """Change the given fields (name, notifier, criteria, routing_key, stop, enabled)."""
    policies.check(actor, "change", rule)
    allowed = {"name", "notifier", "source_ids", "source_kinds", "min_severity", "type_pattern",
               "tag_conditions", "routing_key", "stop", "enabled"}  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a field of a routing rule."))
    rule = RoutingRule.objects.select_for_update().select_related("notifier").get(pk=rule.pk)
    before = rule_summary(rule)
    if "name" in fields:
        rule.name = _clean_name(fields["name"], RoutingRule, unique=False, exclude=rule.pk)
    if "notifier" in fields:
        rule.notifier = _check_notifier(fields["notifier"])
        if rule.notifier.kind != NotifierKind.PAGERDUTY:
            rule.routing_key_sealed = rule.routing_key_hint = ""
    for flag in ("stop", "enabled"):
        if flag in fields:
            setattr(rule, flag, bool(fields[flag]))
    criteria = _clean_criteria(
        **{
            name: fields.get(name, UNSET)
            for name in ("source_ids", "source_kinds", "min_severity", "type_pattern", "tag_conditions")
        }
    )
    for name, value in criteria.items():
        setattr(rule, name, value)
    key_changed = _set_routing_key(rule, actor=actor, routing_key=fields.get("routing_key", UNSET))
    after = rule_summary(rule)
    changes: dict[str, Any] = {
        name: [before[name], value] for name, value in after.items() if before[name] != value
    }
    if key_changed:
        changes["routing_key"] = "changed" if rule.routing_key_sealed else "removed"
    if changes:
        rule.save()
        record_event(actor=actor, action="routing_rule.updated", target=rule, changes=changes)
    return rule


@transaction.atomic
def move_rule(*, actor: Principal, rule: RoutingRule, direction: str) -> RoutingRule:
    """Swap the rule with its neighbour before ("up") or after ("down") it in the evaluation order."""
    policies.check(actor, "change", rule)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a rule up or down."})
    ordered = list(RoutingRule.objects.select_for_update().order_by("position", "pk"))
    index = next(i for i, one in enumerate(ordered) if one.pk == rule.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return ordered[index]
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, one in enumerate(ordered):
        if one.position != position:
            one.position = position
            one.save(update_fields=["position"])
    moved = ordered[other]
    record_event(
        actor=actor,
        action="routing_rule.moved",
        target=moved,
        changes={"name": moved.name, "position": other},
    )
    return moved


@transaction.atomic
def delete_rule(*, actor: Principal, rule: RoutingRule) -> None:
    """Delete a rule; the deliveries it made stay (without their rule)."""
    policies.check(actor, "delete", rule)
    record_event(actor=actor, action="routing_rule.deleted", target=rule, changes={"name": rule.name})
    rule.delete()
