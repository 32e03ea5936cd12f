"""Evidence of an access review for auditors: a CSV (one row per item) and a PDF (summary, then the
table). Both are made by the server with server-made file names, and every export is audit-logged."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.access import review_state
from trustroom.access.models import AccessReviewCampaign, AccessReviewItem, ReviewDecision
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.web.exports import Export, safe_cell

FORMATS = ("csv", "pdf")
CSV_HEADER = [
    "system",
    "environment",
    "person",
    "privilege",
    "decision",
    "new privilege",
    "reviewer",
    "decided at",
    "comment",
    "revocation task",
    "revocation completed at",
]


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


def evidence_rows(campaign: AccessReviewCampaign) -> list[list[str]]:
    tasks = review_state.review_tasks(campaign)
    rows = []
    items = AccessReviewItem.objects.filter(campaign=campaign).select_related("decided_by")
    for item in items:
        task = tasks.get(item.grant_id) if item.decision == ReviewDecision.REVOKE else None
        status = "" if task is None else ("completed" if task.completed_at else "open")
        rows.append(
            [
                item.system_name,
                item.environment_label,
                item.person_email,
                item.privilege,
                item.decision,
                item.new_privilege,
                getattr(item.decided_by, "email", "") if item.decided_by else "",
                _when(item.decided_at),
                item.comment,
                status,
                _when(task.completed_at) if task is not None else "",
            ]
        )
    return rows


def _csv(campaign: AccessReviewCampaign) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in evidence_rows(campaign):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def _pdf(campaign: AccessReviewCampaign, organization_name: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    progress = review_state.campaign_progress(campaign)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Access review evidence: {campaign.name}",
        author=organization_name,
    )

    def p(text: str, style: object = small) -> Paragraph:
        from xml.sax.saxutils import escape

        return Paragraph(escape(text), style)

    story: list[object] = [
        p(f"Access review evidence: {campaign.name}", styles["Title"]),
        p(organization_name, styles["Heading3"]),
    ]
    summary = [
        ["Opened", _when(campaign.opened_at)],
        ["Due", _when(campaign.due_at)],
        ["Closed", _when(campaign.closed_at) or "not closed"],
        ["Completion", f"{progress.percent} % ({progress.decided} of {progress.total} items decided)"],
        *[
            [f"Decision: {label}", str(progress.by_decision.get(value, 0))]
            for value, label in ReviewDecision.choices
        ],
        ["Revocations outstanding", str(progress.revocations_outstanding)],
        ["Exported", _when(timezone.now())],
    ]
    table = Table(summary, colWidths=[55 * mm, 120 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9), ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")])
    )
    story += [table, Spacer(1, 6 * mm)]
    header = [p(h.capitalize()) for h in CSV_HEADER]
    body = [[p(cell) for cell in row] for row in evidence_rows(campaign)]
    widths = [m * mm for m in (24, 22, 38, 15, 15, 16, 34, 24, 50, 17, 24)]
    items = Table([header, *body], colWidths=widths, repeatRows=1)
    items.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(items)
    doc.build(story)
    return buffer.getvalue()


@transaction.atomic
def export_campaign(*, actor: Principal, campaign: AccessReviewCampaign, fmt: str) -> Export:
    """The campaign's evidence as CSV or PDF, with a server-made file name; audit-logged."""
    policies.check(actor, "view", campaign)
    if fmt not in FORMATS:
        raise ValidationError({"format": f"Format must be one of: {', '.join(FORMATS)}."})
    stem = f"access-review-{campaign.pk}-{campaign.opened_at:%Y%m%d}"
    if fmt == "csv":
        export = Export(_csv(campaign), f"{stem}.csv", "text/csv; charset=utf-8")
    else:
        export = Export(_pdf(campaign, actor.organization.name), f"{stem}.pdf", "application/pdf")
    record_event(
        actor=actor,
        action="access.review_exported",
        target=campaign,
        changes={"format": fmt, "filename": export.filename, "bytes": len(export.content)},
    )
    return export
