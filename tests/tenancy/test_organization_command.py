"""`trustroom organization create|list`: the first organization and owner of an installation, all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.factories import UserFactory
from trustroom.audit.models import AuditEvent
from trustroom.audit.verify import verify_chain
from trustroom.tenancy.models import Membership, Organization, Role
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 7"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("organization", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def piped_stdin(monkeypatch: Any) -> Any:
    """Standard input as a pipe holding `text` (the command reads `sys.stdin`, as at a shell)."""

    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def test_create_makes_the_organization_and_a_new_owner_who_can_sign_in(piped_stdin: Any) -> None:
    piped_stdin(PASSWORD + "\n")
    out = run(
        "create",
        "acme",
        "--name",
        "Acme Ltd",
        "--owner",
        "Ada@Acme.test",
        "--owner-name",
        "Ada L",
        "--password-stdin",
    )
    assert "Created Acme Ltd (acme), owned by ada@acme.test (a new account)." in out  # stored lowercase
    org = Organization.objects.get(slug="acme")
    owner = get_user_model().objects.get(email="ada@acme.test")
    assert owner.full_name == "Ada L" and not owner.is_staff and not owner.is_superuser
    assert Membership.objects.get(organization=org).role == Role.OWNER
    assert EmailAddress.objects.get(user=owner).primary
    with org_scope(org):
        assert AuditEvent.objects.filter(action="organization.created").count() == 1
        assert verify_chain().ok
    client = Client()
    assert client.login(email="ada@acme.test", password=PASSWORD)
    assert client.get("/o/acme/").status_code == 200


def test_an_existing_account_becomes_the_owner_without_a_password() -> None:
    existing = UserFactory(email="grace@acme.test")
    before = existing.password
    out = run("create", "acme", "--name", "Acme", "--owner", "GRACE@acme.test")
    assert "(an existing account)" in out
    existing.refresh_from_db()
    assert existing.password == before
    assert Membership.objects.get(organization__slug="acme").user == existing


@pytest.mark.parametrize(
    ("slug", "owner", "password", "message"),
    [
        ("taken", "new@acme.test", PASSWORD, "slug: Organization with this Slug already exists."),
        ("Not A Slug", "new@acme.test", PASSWORD, "slug:"),
        ("acme", "not-an-address", PASSWORD, "owner: 'not-an-address' is not an e-mail address."),
        ("acme", "new@acme.test", "short", "password: This password is too short."),
        ("acme", "new@acme.test", "", "--password-stdin: standard input held no password."),
    ],
)
def test_bad_input_is_named_and_nothing_is_created(
    piped_stdin: Any, slug: str, owner: str, password: str, message: str
) -> None:
    Organization.objects.create(slug="taken", name="Taken")
    piped_stdin(password + "\n")
    with pytest.raises(CommandError) as refused:
        run("create", slug, "--name", "Acme", "--owner", owner, "--password-stdin")
    assert str(refused.value).startswith("Nothing was created.")
    assert message in str(refused.value)
    assert list(Organization.objects.values_list("slug", flat=True)) == ["taken"]
    assert not get_user_model().objects.filter(email__in=["new@acme.test", "not-an-address"]).exists()
    assert not EmailAddress.objects.exists()


def test_a_new_owner_without_a_password_source_is_refused_off_a_terminal(piped_stdin: Any) -> None:
    piped_stdin("")  # a pipe, not a terminal: nobody to ask
    with pytest.raises(CommandError) as refused:
        run("create", "acme", "--name", "Acme", "--owner", "new@acme.test")
    assert "No account has the e-mail new@acme.test: give its password" in str(refused.value)
    assert not Organization.objects.exists()


def test_list_shows_each_organization_with_its_member_count() -> None:
    assert run("list").strip() == "No organizations yet (trustroom organization create makes one)."
    run("create", "bravo", "--name", "Bravo", "--owner", UserFactory(email="b@bravo.test").email)
    run("create", "alpha", "--name", "Alpha", "--owner", UserFactory(email="a@alpha.test").email)
    assert run("list").splitlines() == ["alpha\tAlpha\t1 member", "bravo\tBravo\t1 member"]
