"""security.txt: RFC 9116 format and fields, expiry never served past, renewal job, host binding."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.disclosure.helpers import org_with_owner, publish_policy
from trustroom.disclosure import services
from trustroom.disclosure.models import DisclosurePolicy
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

# RFC 9116 section 4 (ABNF), the parts that matter: field-name ":" SP value, comments start with "#",
# known field names, Expires as an RFC 3339 date-time.
FIELD = re.compile(r"^([A-Za-z0-9!#$%&'*+\-.^_`|~]+): (\S.*)$")
KNOWN = {
    "Acknowledgments",
    "Canonical",
    "Contact",
    "Encryption",
    "Expires",
    "Hiring",
    "Policy",
    "Preferred-Languages",
}
EXPIRES = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def parse(body: bytes) -> list[tuple[str, str]]:
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    fields = []
    for line in text.split("\r\n")[:-1]:
        assert "\n" not in line and "\r" not in line
        if line.startswith("#") or not line:
            continue
        match = FIELD.match(line)
        assert match, f"not a field line: {line!r}"
        fields.append((match.group(1), match.group(2)))
    return fields


def test_security_txt_has_the_rfc_9116_fields() -> None:
    org, _owner, actor = org_with_owner()
    publish_policy(
        org, actor, acknowledgments_url="https://acme.test/thanks", hiring_url="https://acme.test/jobs"
    )
    response = Client().get("/trust/acme/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = parse(response.content)
    names = [name for name, _ in fields]
    assert set(names) <= KNOWN
    assert names.count("Expires") == 1
    values = dict(fields)
    contacts = [v for n, v in fields if n == "Contact"]
    assert contacts == ["mailto:security@acme.test", "https://acme.test/report"]
    assert EXPIRES.match(values["Expires"])
    expires = dt.datetime.strptime(values["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert timezone.now() < expires < timezone.now() + dt.timedelta(days=365)
    assert values["Policy"].endswith("/trust/acme/disclosure/")
    assert values["Canonical"].endswith("/trust/acme/security.txt")
    assert values["Preferred-Languages"] == "en, de"
    assert values["Acknowledgments"] == "https://acme.test/thanks"
    assert values["Hiring"] == "https://acme.test/jobs"


def test_unpublished_or_missing_policy_is_404() -> None:
    org, _owner, actor = org_with_owner()
    assert Client().get("/trust/acme/security.txt").status_code == 404
    publish_policy(org, actor, published=False)
    assert Client().get("/trust/acme/security.txt").status_code == 404
    assert Client().get("/trust/acme/disclosure/").status_code == 404


def test_expired_security_txt_is_never_served() -> None:
    org, _owner, actor = org_with_owner()
    publish_policy(org, actor)
    with org_scope(org):
        DisclosurePolicy.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/trust/acme/security.txt").status_code == 404


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("contacts", {"contacts": []}),
        ("contacts", {"contacts": ["security@acme.test"]}),
        ("contacts", {"contacts": ["http://acme.test/report"]}),
        ("preferred_languages", {"preferred_languages": ["english!"]}),
        ("expires_at", {"expires_at": timezone.now() + dt.timedelta(days=400)}),
        ("expires_at", {"expires_at": timezone.now() - dt.timedelta(days=1)}),
        ("rewards", {"rewards": {"high": {"eligible": True, "amount": "-5", "currency": "USD"}}}),
        ("hosts", {"hosts": ["not a host"]}),
    ],
)
def test_bad_policy_input_names_the_field_and_writes_nothing(field: str, changes: dict) -> None:
    org, _owner, actor = org_with_owner()
    with pytest.raises(ValidationError) as caught, transaction.atomic():
        publish_policy(org, actor, **changes)
    assert field in caught.value.message_dict
    with org_scope(org):
        assert not DisclosurePolicy.objects.exists()


def test_renewal_job_renews_within_30_days_and_is_idempotent() -> None:
    org, _owner, actor = org_with_owner()
    now = timezone.now()
    publish_policy(org, actor, expires_at=now + dt.timedelta(days=31))
    assert services.renew_security_txt(now=now).renewed == 0  # 31 days out: not yet
    later = now + dt.timedelta(days=2)
    out = StringIO()
    call_command("disclosure", "renew-security-txt", "--at", later.isoformat(), stdout=out)
    assert "1 renewed" in out.getvalue()
    with org_scope(org):
        expires = DisclosurePolicy.objects.get().expires_at
    assert expires == later + dt.timedelta(days=364)
    assert services.renew_security_txt(now=later).renewed == 0  # second run: nothing to do
    with org_scope(org):
        assert DisclosurePolicy.objects.get().expires_at == expires


def test_renewal_job_revives_an_expired_file() -> None:
    org, _owner, actor = org_with_owner()
    publish_policy(org, actor)
    with org_scope(org):
        DisclosurePolicy.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert Client().get("/trust/acme/security.txt").status_code == 404
    services.renew_security_txt()
    assert Client().get("/trust/acme/security.txt").status_code == 200


def test_well_known_security_txt_is_bound_to_the_request_host(settings: object) -> None:
    settings.ALLOWED_HOSTS = ["*"]  # type: ignore[attr-defined]
    acme, _o, acme_actor = org_with_owner("acme")
    other, _o2, other_actor = org_with_owner("other")
    publish_policy(acme, acme_actor, hosts=["security.acme.test"])
    publish_policy(other, other_actor, contacts=["mailto:sec@other.test"], hosts=["www.other.test"])
    response = Client().get("/.well-known/security.txt", HTTP_HOST="security.acme.test")
    assert response.status_code == 200
    fields = parse(response.content)
    assert ("Contact", "mailto:security@acme.test") in fields
    assert ("Canonical", "http://security.acme.test/.well-known/security.txt") in fields
    other_response = Client().get("/.well-known/security.txt", HTTP_HOST="www.other.test:443")
    assert ("Contact", "mailto:sec@other.test") in parse(other_response.content)
    assert Client().get("/.well-known/security.txt", HTTP_HOST="unknown.test").status_code == 404
    # A host cannot be claimed by a second organization.
    with pytest.raises(ValidationError) as caught, transaction.atomic():
        publish_policy(other, other_actor, hosts=["security.acme.test"])
    assert "hosts" in caught.value.message_dict


def test_trust_center_links_the_organizations_security_txt() -> None:
    from trustroom.trustcenter.public_views import security_txt_url

    org, _owner, actor = org_with_owner()
    with org_scope(org):
        assert security_txt_url(org) is None
    publish_policy(org, actor)
    with org_scope(org):
        assert security_txt_url(org) == "/trust/acme/security.txt"


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed")
def test_clear_signed_when_a_key_is_configured(tmp_path: object, settings: object) -> None:
    import subprocess

    home = str(tmp_path)
    settings.TRUSTROOM_GPG_HOME = home  # type: ignore[attr-defined]
    subprocess.run(
        [
            "gpg",
            "--homedir",
            home,
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "sec@acme.test",
            "ed25519",
            "sign",
            "1d",
        ],
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        ["gpg", "--homedir", home, "--with-colons", "--list-keys"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr"))
    org, _owner, actor = org_with_owner()
    publish_policy(org, actor, openpgp_key_id=fingerprint)
    body = Client().get("/trust/acme/security.txt").content.decode()
    assert body.startswith("-----BEGIN PGP SIGNED MESSAGE-----")
    assert "Contact: mailto:security@acme.test" in body
    assert "-----BEGIN PGP SIGNATURE-----" in body


def test_trust_center_page_links_the_policy_and_report_form_once_published(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.test import Client

    from tests.trustcenter.access.helpers import publish_trust_center

    org, _owner, actor = org_with_owner()
    publish_trust_center(org, actor)
    before = Client().get("/trust/acme/").content.decode()  # now cached
    assert "/trust/acme/disclosure/" not in before
    with django_capture_on_commit_callbacks(execute=True):  # publishing invalidates the cached page
        publish_policy(org, actor)
    page = Client().get("/trust/acme/").content.decode()
    assert 'href="/trust/acme/disclosure/"' in page
    assert 'href="/trust/acme/disclosure/report/"' in page
    assert 'href="/trust/acme/security.txt"' in page
