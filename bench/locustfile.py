"""The mixed workload of bench/load.py, for locust (also usable alone: `locust -f bench/locustfile.py`).

Three kinds of users, by weight:
- visitors (5): the public trust center, its disclosure policy and security.txt, anonymously;
- members (3): sign in once through the login form, then read the dashboard, findings, controls and the
  audit log pages;
- API clients (2): with an organization API token, list findings and controls, read the findings
  dashboard, and record a finding now and then (a write: audit-logged, deadlines from the SLA policy).
The member's e-mail and password, the token and the application id come from the environment
(TRUSTROOM_LOAD_*), which bench/load.py sets after seeding the database.
"""

from __future__ import annotations

import os
import re
import uuid

import urllib3
from locust import HttpUser, between, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

ORG = os.environ.get("TRUSTROOM_LOAD_ORG", "demo-co")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoopbackUser(HttpUser):
    """bench/load.py serves over TLS with a throwaway certificate for 127.0.0.1."""

    abstract = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.client.verify = False


class Visitor(LoopbackUser):
    weight = 5
    wait_time = between(0.5, 2.0)

    @task(6)
    def trust_center(self) -> None:
        self.client.get(f"/trust/{ORG}/", name="public trust center")

    @task(2)
    def disclosure_policy(self) -> None:
        self.client.get(f"/trust/{ORG}/disclosure/", name="public disclosure policy")

    @task(1)
    def security_txt(self) -> None:
        self.client.get(f"/trust/{ORG}/security.txt", name="public security.txt")


class Member(LoopbackUser):
    weight = 3
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.content)
        assert token is not None, "no CSRF token on the login form"
        signed_in = self.client.post(
            "/accounts/login/",
            data={
                "login": os.environ["TRUSTROOM_LOAD_EMAIL"],
                "password": os.environ["TRUSTROOM_LOAD_PASSWORD"],
                "csrfmiddlewaretoken": token.group(1).decode(),
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )
        assert "sessionid" in self.client.cookies, f"sign-in failed ({signed_in.status_code})"

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/o/{ORG}/", name="page dashboard")

    @task(3)
    def findings_dashboard(self) -> None:
        self.client.get(f"/o/{ORG}/assessments/", name="page findings dashboard")

    @task(3)
    def findings(self) -> None:
        self.client.get(f"/o/{ORG}/assessments/findings/", name="page findings")

    @task(2)
    def controls(self) -> None:
        self.client.get(f"/o/{ORG}/controls/", name="page controls")

    @task(1)
    def audit_log(self) -> None:
        self.client.get(f"/o/{ORG}/audit/", name="page audit log")


class ApiClient(LoopbackUser):
    weight = 2
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ['TRUSTROOM_LOAD_TOKEN']}"

    @task(4)
    def findings(self) -> None:
        self.client.get(f"/api/v1/orgs/{ORG}/findings/?status=open", name="API findings")

    @task(2)
    def controls(self) -> None:
        self.client.get(f"/api/v1/orgs/{ORG}/controls/", name="API controls")

    @task(2)
    def findings_dashboard(self) -> None:
        self.client.get(f"/api/v1/orgs/{ORG}/findings-dashboard/", name="API findings dashboard")

    @task(1)
    def record_finding(self) -> None:
        self.client.post(
            f"/api/v1/orgs/{ORG}/findings/",
            json={
                "application": int(os.environ["TRUSTROOM_LOAD_APPLICATION"]),
                "title": f"Load test finding {uuid.uuid4().hex[:12]}",
                "severity": "medium",
                "asset": "https://app.example/load",
            },
            name="API record finding",
        )
