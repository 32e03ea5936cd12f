"""Triage pages under /o/<org_slug>/disclosure/: reports (filters), one report (triage, status, updates
and notes, finding link, reward), the reward ledger's status step, and the policy. Views parse input and
call the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from trustroom.assessments.models import Application, Severity
from trustroom.disclosure import services
from trustroom.disclosure.models import (
    DisclosurePolicy,
    DisclosureReport,
    ReportStatus,
    ReportUpdate,
    RewardEntry,
    Validity,
)
from trustroom.tenancy import policies
from trustroom.tenancy.views import OrgPageView


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {' '.join(m for e in errs for m in e.messages)}"
            for field, errs in error.error_dict.items()
        ]
    return list(error.messages)


class ReportListView(OrgPageView):
    model = DisclosureReport

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reports = DisclosureReport.objects.exclude(status=ReportStatus.UNVERIFIED)
        filters: dict[str, tuple[str, list[Any]]] = {
            "status": (
                request.GET.get("status", ""),
                [s for s in ReportStatus if s != ReportStatus.UNVERIFIED],
            ),
            "validity": (request.GET.get("validity", ""), [v for v in Validity if v]),
            "severity": (request.GET.get("severity", ""), list(Severity)),
        }
        for field, (value, choices) in filters.items():
            if value:
                if value not in [c.value for c in choices]:
                    return self.page(
                        "disclosure/reports.html", {"bad_filter": field, "filters": filters}, status=400
                    )
                reports = reports.filter(**{field: value})
        return self.page(
            "disclosure/reports.html",
            {
                "reports": reports.select_related("finding"),
                "filters": filters,
                "page_title": "Vulnerability reports",
            },
        )


class ReportDetailView(OrgPageView):
    model = DisclosureReport

    def get_report(self) -> DisclosureReport:
        report = (
            DisclosureReport.objects.exclude(status=ReportStatus.UNVERIFIED)
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if report is None:
            raise Http404("No such report.")
        return report

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_report())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_report()
        action = request.POST.get("action", "")
        data = request.POST
        try:
            if action == "triage":
                duplicate_of = None
                if data.get("duplicate_of"):
                    duplicate_of = DisclosureReport.objects.filter(pk=_int(data["duplicate_of"])).first()
                    if duplicate_of is None:
                        raise ValidationError({"duplicate_of": "No such report."})
                services.triage_report(
                    actor=self.principal,
                    report=report,
                    validity=data.get("validity", ""),
                    severity=data.get("severity", ""),
                    duplicate_of=duplicate_of,
                )
            elif action == "status":
                services.set_report_status(actor=self.principal, report=report, status=data.get("status", ""))
            elif action in ("update", "note"):
                services.add_update(
                    actor=self.principal, report=report, body=data.get("body", ""), public=action == "update"
                )
            elif action == "finding":
                application = Application.objects.filter(pk=_int(data.get("application", ""))).first()
                services.link_finding(actor=self.principal, report=report, application=application)
            elif action == "reward":
                services.propose_reward(
                    actor=self.principal,
                    report=report,
                    amount=data.get("amount") or None,
                    currency=data.get("currency", ""),
                    note=data.get("note", ""),
                )
            else:
                raise ValidationError({"action": "Unknown action."})
        except ValidationError as error:
            return self.render_page(report, errors=_errors(error), status=400)
        messages.success(request, "Saved.")
        return redirect("disclosure:report", org_slug=self.organization.slug, pk=report.pk)

    def render_page(
        self, report: DisclosureReport, *, errors: list[str] | None = None, status: int = 200
    ) -> HttpResponse:
        return self.page(
            "disclosure/report_detail.html",
            {
                "report": report,
                "errors": errors or [],
                "updates": report.updates.select_related("author"),
                "rewards": report.rewards.all(),
                "eligibility": services.reward_eligibility(report),
                "applications": Application.objects.order_by("name"),
                "validities": [v for v in Validity if v],
                "severities": list(Severity),
                "statuses": [s for s in ReportStatus if s != ReportStatus.UNVERIFIED],
                "others": DisclosureReport.objects.exclude(pk=report.pk).exclude(
                    status=ReportStatus.UNVERIFIED
                ),
                "can_change": self.allows("change", report),
                "can_update": self.allows("add", ReportUpdate),
                "can_reward": self.allows("add", RewardEntry),
                "page_title": f"Report #{report.pk}",
            },
            status=status,
        )


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class RewardStatusView(OrgPageView):
    model = RewardEntry
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = RewardEntry.objects.filter(pk=kwargs["pk"]).first()
        if entry is None:
            raise Http404("No such reward.")
        try:
            services.set_reward_status(
                actor=self.principal, entry=entry, status=request.POST.get("status", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        return redirect("disclosure:report", org_slug=self.organization.slug, pk=entry.report_id)


class PolicyView(OrgPageView):
    model = DisclosurePolicy

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(services.policy_or_none())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        existing = services.policy_or_none()
        policies.check(self.principal, "change" if existing else "add", existing or DisclosurePolicy)
        data = request.POST
        rewards = {}
        for severity in Severity:
            if data.get(f"reward_{severity.value}_eligible"):
                rewards[severity.value] = {
                    "eligible": True,
                    "amount": data.get(f"reward_{severity.value}_amount", ""),
                    "currency": data.get(f"reward_{severity.value}_currency", ""),
                }
        try:
            services.update_policy(
                actor=self.principal,
                published=data.get("published") == "on",
                contacts=data.get("contacts", "").splitlines(),
                scope=data.get("scope", ""),
                policy_text=data.get("policy_text", ""),
                preferred_languages=data.get("preferred_languages", "").replace(",", " ").split(),
                acknowledgments_url=data.get("acknowledgments_url", ""),
                hiring_url=data.get("hiring_url", ""),
                rewards=rewards,
                hosts=data.get("hosts", "").split(),
                openpgp_key_id=data.get("openpgp_key_id", ""),
            )
        except ValidationError as error:
            return self.render_page(existing, errors=_errors(error), status=400)
        messages.success(request, "The disclosure policy was saved.")
        return redirect("disclosure:policy", org_slug=self.organization.slug)

    def render_page(
        self, policy: DisclosurePolicy | None, *, errors: list[str] | None = None, status: int = 200
    ) -> HttpResponse:
        rows = []
        for severity in Severity:
            row = (policy.rewards if policy else {}).get(severity.value, {})
            rows.append({"value": severity.value, "label": severity.label, **row})
        return self.page(
            "disclosure/policy.html",
            {
                "policy": policy,
                "hosts": services.hosts_of(self.organization),
                "reward_rows": rows,
                "errors": errors or [],
                "can_edit": self.allows("change" if policy else "add", policy or DisclosurePolicy),
                "page_title": "Disclosure policy",
            },
            status=status,
        )
