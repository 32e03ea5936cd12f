"""Demo Co's VAPT programme as data: vendors, applications, engagements and a year of findings (loaded
by `assessments/demo.py`). Times are relative to the day the demo is first loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustroom.assessments.models import ScopeArea

EMPANELLED = "Kestrel Security Labs"
VENDORS = {
    EMPANELLED: (
        "CERT-In empanelled information security auditing organisation, empanelment no. CERT-In/EMP/2024/117",
        "Anita Rao, engagement lead — anita.rao@kestrel-labs.example, +91 80 4000 1170",
    ),
    "Northbeam Offensive Security": (
        "CREST accredited penetration testing provider",
        "Tom Ellery, delivery manager — tom@northbeam.example",
    ),
}

PORTAL, PARTNER_API, MOBILE = "Customer Portal", "Partner API", "Mobile Backend"
APPLICATIONS = {
    PORTAL: (
        "critical",
        "twice_a_year",
        "Where customers sign in, manage their account and download invoices.",
    ),
    PARTNER_API: ("high", "quarterly", "REST API used by resellers to provision and bill their customers."),
    MOBILE: ("critical", "twice_a_year", "Backend of the iOS and Android apps (device registration, push)."),
}
WEB_SCOPE: list[str] = [
    ScopeArea.AUTHENTICATION,
    ScopeArea.AUTHORIZATION,
    ScopeArea.SQL_INJECTION,
    ScopeArea.XSS,
    ScopeArea.OTHER_INJECTION,
    ScopeArea.PLATFORM,
    ScopeArea.OWASP_TOP_10,
]
API_SCOPE: list[str] = [
    ScopeArea.AUTHENTICATION,
    ScopeArea.AUTHORIZATION,
    ScopeArea.OTHER_INJECTION,
    ScopeArea.OWASP_TOP_10,
]


@dataclass(frozen=True)
class DemoEngagement:
    application: str
    vendor: str
    name: str
    ended_days_ago: int  # negative: planned, starting in that many days
    scope: list[str]
    report: bool = False


ENGAGEMENTS = (
    DemoEngagement(PARTNER_API, EMPANELLED, "Partner API VAPT Q1", 300, API_SCOPE),
    DemoEngagement(MOBILE, "Northbeam Offensive Security", "Mobile Backend VAPT H1", 200, API_SCOPE),
    DemoEngagement(PARTNER_API, "Northbeam Offensive Security", "Partner API VAPT Q2", 210, API_SCOPE),
    DemoEngagement(PORTAL, EMPANELLED, "Customer Portal VAPT H1", 245, WEB_SCOPE),
    DemoEngagement(PARTNER_API, EMPANELLED, "Partner API VAPT Q3", 120, API_SCOPE),
    DemoEngagement(PORTAL, EMPANELLED, "Customer Portal VAPT H2", 40, WEB_SCOPE, report=True),
    DemoEngagement(MOBILE, "Northbeam Offensive Security", "Mobile Backend VAPT H2", 20, API_SCOPE),
    DemoEngagement(PARTNER_API, EMPANELLED, "Partner API VAPT Q4 (rescheduled)", -10, API_SCOPE),
)

# Steps after detection, each (action, hours after detection[, hours of the risk acceptance's expiry]):
# fix, pass (retest passed), fail (retest failed: reopened), accept, false_positive.
Step = tuple[Any, ...]


@dataclass(frozen=True)
class DemoFinding:
    key: str  # the fingerprint suffix: stable across runs
    engagement: str | None  # found in this engagement (at its end), else by a scanner
    application: str
    title: str
    severity: str
    cwe: int | None
    asset: str
    steps: tuple[Step, ...] = ()
    detected_days_ago: float | None = None  # scanner findings only
    assigned: bool = False


# A typical base vector for each severity (vendors score their findings; informational ones carry none).
CVSS_BY_SEVERITY = {
    "critical": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    "high": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N",
    "medium": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "low": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N",
}

CLOSED_IN_TIME_CRITICAL = (("fix", 3), ("pass", 6 * 24))
CLOSED_IN_TIME_HIGH = (("fix", 30), ("pass", 10 * 24))
FINDINGS = (
    # Customer Portal, first half: everything closed, one medium late, one reopened by a failed retest.
    DemoFinding(
        "cp-1",
        "Customer Portal VAPT H1",
        PORTAL,
        "SQL injection in order search",
        "critical",
        89,
        "https://portal.demo-co.example/orders?q=",
        CLOSED_IN_TIME_CRITICAL,
    ),
    DemoFinding(
        "cp-2",
        "Customer Portal VAPT H1",
        PORTAL,
        "Stored XSS in support ticket subject",
        "high",
        79,
        "https://portal.demo-co.example/support",
        CLOSED_IN_TIME_HIGH,
    ),
    DemoFinding(
        "cp-3",
        "Customer Portal VAPT H1",
        PORTAL,
        "Session cookie without the Secure flag",
        "medium",
        614,
        "portal.demo-co.example",
        (("fix", 20 * 24), ("pass", 27 * 24)),
    ),
    DemoFinding(
        "cp-4",
        "Customer Portal VAPT H1",
        PORTAL,
        "Verbose stack traces on server errors",
        "low",
        209,
        "https://portal.demo-co.example/",
        (("fix", 9 * 24), ("pass", 20 * 24)),
    ),
    DemoFinding(
        "cp-5",
        "Customer Portal VAPT H1",
        PORTAL,
        "No rate limit on password reset",
        "medium",
        307,
        "https://portal.demo-co.example/reset",
        (("fix", 5 * 24), ("fail", 12 * 24), ("fix", 30 * 24), ("pass", 40 * 24)),
    ),
    # Customer Portal, second half (40 days ago): nothing critical or high left open.
    DemoFinding(
        "cp-6",
        "Customer Portal VAPT H2",
        PORTAL,
        "IDOR on invoice download",
        "high",
        639,
        "https://portal.demo-co.example/invoices/{id}.pdf",
        (("fix", 20), ("pass", 5 * 24)),
    ),
    DemoFinding(
        "cp-7",
        "Customer Portal VAPT H2",
        PORTAL,
        "Privilege escalation through the role parameter",
        "critical",
        269,
        "https://portal.demo-co.example/api/users",
        CLOSED_IN_TIME_CRITICAL,
    ),
    DemoFinding(
        "cp-8",
        "Customer Portal VAPT H2",
        PORTAL,
        "Outdated jQuery with known XSS issues",
        "medium",
        1104,
        "portal.demo-co.example/static/js",
        (
            (
                "accept",
                3 * 24,
                100 * 24,
                "Only used on the legacy help pages, which are removed next quarter.",
            ),
        ),
    ),
    DemoFinding(
        "cp-9",
        "Customer Portal VAPT H2",
        PORTAL,
        "Clickjacking on account settings",
        "low",
        1021,
        "https://portal.demo-co.example/settings",
        assigned=True,
    ),
    DemoFinding(
        "cp-10",
        "Customer Portal VAPT H2",
        PORTAL,
        "TLS 1.0 enabled on a legacy endpoint",
        "medium",
        326,
        "legacy.portal.demo-co.example:443",
        (
            (
                "false_positive",
                2 * 24,
                "The endpoint was retired before the test; the scanner hit a stale DNS record.",
            ),
        ),
    ),
    DemoFinding(
        "cp-11",
        None,
        PORTAL,
        "Open redirect after sign-out",
        "medium",
        601,
        "https://portal.demo-co.example/logout?next=",
        (("fix", 5 * 24),),
        detected_days_ago=9,
    ),
    DemoFinding(
        "cp-12",
        "Customer Portal VAPT H2",
        PORTAL,
        "Server banner discloses the web server version",
        "info",
        200,
        "portal.demo-co.example",
    ),
    DemoFinding(
        "cp-13",
        "Customer Portal VAPT H2",
        PORTAL,
        "Missing HSTS header on the marketing redirect",
        "low",
        319,
        "http://demo-co.example",
        (("accept", 2 * 24, 35 * 24, "Redirect only; the HSTS preload request is pending."),),
    ),
    # Mobile Backend: the first half closed (one critical late); the second half still has work open.
    DemoFinding(
        "mb-1",
        "Mobile Backend VAPT H1",
        MOBILE,
        "JWT signature not verified on token refresh",
        "critical",
        347,
        "https://api.demo-co.example/v2/auth/refresh",
        (("fix", 9), ("pass", 4 * 24)),
    ),
    DemoFinding(
        "mb-2",
        "Mobile Backend VAPT H1",
        MOBILE,
        "Broken object level authorization on /devices",
        "high",
        639,
        "https://api.demo-co.example/v2/devices/{id}",
        CLOSED_IN_TIME_HIGH,
    ),
    DemoFinding(
        "mb-3",
        "Mobile Backend VAPT H1",
        MOBILE,
        "Push tokens written to application logs",
        "medium",
        532,
        "mobile-backend (log pipeline)",
        (("fix", 6 * 24), ("pass", 15 * 24)),
    ),
    DemoFinding(
        "mb-4",
        "Mobile Backend VAPT H1",
        MOBILE,
        "Certificate pinning not enforced",
        "low",
        295,
        "iOS and Android apps",
        (("fix", 30 * 24), ("pass", 45 * 24)),
    ),
    DemoFinding(
        "mb-5",
        "Mobile Backend VAPT H2",
        MOBILE,
        "Mass assignment on profile update",
        "high",
        915,
        "https://api.demo-co.example/v2/me",
        assigned=True,
    ),
    DemoFinding(
        "mb-6",
        "Mobile Backend VAPT H2",
        MOBILE,
        "GraphQL introspection enabled in production",
        "medium",
        200,
        "https://api.demo-co.example/graphql",
        assigned=True,
    ),
    DemoFinding(
        "mb-7",
        "Mobile Backend VAPT H2",
        MOBILE,
        "No rate limit on OTP verification",
        "high",
        307,
        "https://api.demo-co.example/v2/auth/otp",
        (("fix", 40),),
    ),
    DemoFinding(
        "mb-8",
        "Mobile Backend VAPT H2",
        MOBILE,
        "IDOR in push notification settings",
        "medium",
        639,
        "https://api.demo-co.example/v2/push/settings",
        (("fix", 2 * 24), ("fail", 10 * 24)),
    ),
    DemoFinding(
        "mb-9",
        "Mobile Backend VAPT H2",
        MOBILE,
        "Debug endpoint exposed",
        "critical",
        489,
        "https://api.demo-co.example/_debug",
        (("fix", 3), ("pass", 5 * 24)),
    ),
    DemoFinding(
        "mb-10",
        "Mobile Backend VAPT H2",
        MOBILE,
        "Security headers missing on API responses",
        "low",
        693,
        "https://api.demo-co.example/",
    ),
    DemoFinding(
        "mb-11",
        None,
        MOBILE,
        "Image library with a known heap overflow",
        "high",
        787,
        "mobile-backend container image",
        detected_days_ago=30 / 24,
        assigned=True,
    ),
    DemoFinding(
        "mb-12",
        None,
        MOBILE,
        "CSRF token not rotated after sign-in",
        "medium",
        352,
        "https://api.demo-co.example/web",
        detected_days_ago=10,
    ),
    # Partner API: its quarterly test is overdue.
    DemoFinding(
        "pa-1",
        "Partner API VAPT Q1",
        PARTNER_API,
        "XML external entity in bulk import",
        "critical",
        611,
        "https://partners.demo-co.example/v1/import",
        CLOSED_IN_TIME_CRITICAL,
    ),
    DemoFinding(
        "pa-2",
        "Partner API VAPT Q2",
        PARTNER_API,
        "API keys accepted in the query string",
        "medium",
        598,
        "https://partners.demo-co.example/v1/*",
        (("fix", 25 * 24), ("pass", 32 * 24)),
    ),
    DemoFinding(
        "pa-3",
        "Partner API VAPT Q3",
        PARTNER_API,
        "Excessive data exposure in the partner list",
        "high",
        213,
        "https://partners.demo-co.example/v1/partners",
        CLOSED_IN_TIME_HIGH,
    ),
    DemoFinding(
        "pa-4",
        "Partner API VAPT Q3",
        PARTNER_API,
        "No page size limit on list endpoints",
        "medium",
        770,
        "https://partners.demo-co.example/v1/customers",
        (("accept", 5 * 24, 150 * 24, "Partners are contractually limited; a gateway quota is planned."),),
    ),
    DemoFinding(
        "pa-5",
        "Partner API VAPT Q3",
        PARTNER_API,
        "Weak TLS cipher suites offered",
        "low",
        327,
        "partners.demo-co.example:443",
    ),
    DemoFinding(
        "pa-6",
        "Partner API VAPT Q3",
        PARTNER_API,
        "Stack trace in an error response",
        "info",
        209,
        "https://partners.demo-co.example/v1/orders",
    ),
    DemoFinding(
        "pa-7",
        "Partner API VAPT Q3",
        PARTNER_API,
        "Reflected XSS in the API documentation page",
        "high",
        79,
        "https://partners.demo-co.example/docs",
        (
            (
                "false_positive",
                24,
                "The documentation page is static and escapes the parameter; not exploitable.",
            ),
        ),
    ),
)
