"""`trustroom assessments send-sla-notifications` and `trustroom assessments expire-risk-acceptances`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.assessments import sla_notifications
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = (
        "VAPT programme jobs (both idempotent; the periodic jobs do the same). "
        "`assessments send-sla-notifications [--org SLUG] [--at ISO-DATETIME]` tells assignees and the "
        "security team about findings whose SLA is approaching or breached, once each. "
        "`assessments expire-risk-acceptances [--org SLUG]` reopens risk acceptances past their expiry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        send = subcommands.add_parser(
            "send-sla-notifications", help="Notify approaching and breached remediation deadlines."
        )
        send.add_argument("--org", metavar="SLUG", help="Only this organization (default: every one).")
        send.add_argument(
            "--at",
            metavar="ISO-DATETIME",
            help="Act as at this moment, e.g. 2026-03-02T09:00:00+00:00 (catching up, testing).",
        )
        expire = subcommands.add_parser(
            "expire-risk-acceptances", help="Reopen risk acceptances whose expiry has passed."
        )
        expire.add_argument("--org", metavar="SLUG", help="Only this organization (default: every one).")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self._organization(options.get("org"))
        if options["subcommand"] == "send-sla-notifications":
            now = self._moment(options.get("at"))
            run = sla_notifications.send_sla_notifications(now=now, organization=organization)
            self.stdout.write(
                f"SLA notifications: {run.approaching} approaching, {run.breached} breached; "
                f"{run.notifications_sent} notifications sent across {run.organizations} organization(s)."
            )
        else:
            expiry = sla_notifications.expire_risk_acceptances(organization=organization)
            self.stdout.write(
                f"Risk acceptances: {expiry.reopened} expired and reopened "
                f"across {expiry.organizations} organization(s)."
            )

    def _organization(self, slug: str | None) -> Organization | None:
        if slug is None:
            return None
        organization = organization_by_slug(slug)
        if organization is None:
            raise CommandError(f"No organization has the slug {slug!r}.")
        return organization

    def _moment(self, value: str | None) -> dt.datetime | None:
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                "Give --at as an ISO date and time, e.g. 2026-03-02T09:00:00+00:00."
            ) from error
        if moment.tzinfo is None:
            raise CommandError("Give --at with a time zone, e.g. 2026-03-02T09:00:00+00:00 or ...Z.")
        return moment.astimezone(dt.UTC)
