"""A customer questionnaire for Demo Co's demo, imported through the services (called by `answers.demo`).

"Northwind Bank vendor security assessment": a workbook laid out the way customers send them (a title
row merged across the table, a note, the header on row 4, domain section rows, a "Vendor response" column
to fill and a "Comments" column), so the demo shows the import, the answers with their citations and
confidence, abstentions on questions the bank does not cover, and a review in progress (a few answers
already accepted). Fictional: Northwind Bank does not exist.

Idempotent: imported only when no questionnaire of this title exists.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from trustroom.answers.models import ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.answers.questionnaires import services
from trustroom.tenancy.principal import Principal

TITLE = "Northwind Bank vendor security assessment"
CUSTOMER = "Northwind Bank"
FILENAME = "northwind-vendor-assessment.xlsx"
ACCEPTED = 4  # answers the demo's reviewer has already accepted

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Identity and access",
        (
            "Is single sign-on supported for our staff, and can multi-factor authentication be enforced?",
            "Describe how requests for access to production are approved.",
            "How frequently are user entitlements recertified?",
            "Can access to the service be restricted to our corporate IP ranges?",
        ),
    ),
    (
        "Data protection",
        (
            "Is customer data encrypted at rest? Please state the algorithm.",
            "Which TLS versions are accepted for data in transit?",
            "In which country or cloud region will our data be stored?",
            "Do vendor employees have access to customer data? Under what conditions?",
            "Is customer data shared with any third parties?",
        ),
    ),
    (
        "Assurance",
        (
            "Please provide your most recent SOC 2 Type II report.",
            "Are you certified to ISO/IEC 27001?",
            "When was the last independent penetration test of the application?",
            "What are your remediation timelines for critical and high vulnerabilities?",
        ),
    ),
    (
        "Resilience and operations",
        (
            "How often is the disaster recovery plan tested?",
            "Do you have a vulnerability disclosure programme?",
            "Do you carry cyber liability insurance, and for what amount?",
            "Describe the physical security controls at your office premises.",
        ),
    ),
)


def workbook_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Assessment"
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "Please answer every question in the Vendor response column."
    header_fill = PatternFill("solid", fgColor="1F3864")
    for column, name in enumerate(("No.", "Domain", "Question", "Vendor response", "Comments"), start=1):
        cell = sheet.cell(row=4, column=column, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
    for letter, width in zip("ABCDE", (6, 22, 70, 60, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    row, number = 5, 1
    for section, questions in SECTIONS:
        sheet.cell(row=row, column=1, value=section).font = Font(bold=True)
        row += 1
        for question in questions:
            sheet.cell(row=row, column=1, value=number)
            sheet.cell(row=row, column=2, value=section)
            sheet.cell(row=row, column=3, value=question).alignment = Alignment(wrap_text=True)
            row, number = row + 1, number + 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def load_demo_questionnaire(principal: Principal, *, today: dt.date) -> None:
    if Questionnaire.objects.filter(title=TITLE).exists():
        return
    questionnaire = services.import_questionnaire(
        actor=principal,
        content=workbook_bytes(),
        filename=FILENAME,
        title=TITLE,
        customer=CUSTOMER,
        due_on=today + dt.timedelta(days=14),
    )
    generated = QuestionnaireItem.objects.filter(
        questionnaire=questionnaire, status=ItemStatus.GENERATED
    ).order_by("position")[:ACCEPTED]
    for item in generated:
        services.accept_item(actor=principal, item=item)
