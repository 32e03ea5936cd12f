"""Key rotation: `trustroom vault rotate-keys` keeps every document readable."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import OrganizationFactory, member, principal_for
from tests.vault.conftest import store, stored_files
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.vault import crypto
from trustroom.vault.models import Document, OrganizationKey
from trustroom.vault.selectors import document_bytes

ROTATION = pytest.mark.django_db(transaction=True, databases=["default", "owner"])


def _keys(org: Any) -> list[OrganizationKey]:
    with org_scope(org):
        return list(OrganizationKey.objects.order_by("version"))


def _fresh(doc: Document) -> Document:
    with org_scope(doc.organization):
        return Document.objects.get(pk=doc.pk)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("vault", "rotate-keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _keyset(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


@ROTATION
def test_rotate_rewraps_every_key_and_documents_stay_readable(
    actor_a: Any, actor_b: Any, kek_file: Path, storage_dir: Path
) -> None:
    docs = [store(actor_a, "A one"), store(actor_a, "A two", pages=3), store(actor_b, "B one")]
    plaintexts = {doc.pk: document_bytes(doc) for doc in docs}
    before = {
        k.pk: (bytes(k.wrapped_key), k.kek_version)
        for org in (actor_a.organization, actor_b.organization)
        for k in _keys(org)
    }
    assert {v for _, v in before.values()} == {1}

    output = _run()

    assert "new primary version 2" in output
    keyset = _keyset(kek_file)
    assert keyset["primary"] == 2
    assert sorted(k["version"] for k in keyset["keys"]) == [1, 2]  # old version kept without --retire-old
    for org in (actor_a.organization, actor_b.organization):
        for key in _keys(org):
            assert key.kek_version == 2
            assert key.rotated_at is not None
            assert bytes(key.wrapped_key) != before[key.pk][0]
        with org_scope(org):
            assert AuditEvent.objects.filter(action="organization_key.rewrapped").count() == 1
    for doc in docs:
        assert document_bytes(_fresh(doc)) == plaintexts[doc.pk]


@ROTATION
def test_retire_old_removes_old_versions_only_after_rewrap(
    actor_a: Any, kek_file: Path, storage_dir: Path
) -> None:
    doc = store(actor_a, "A one")
    plaintext = document_bytes(doc)
    _run()
    _run("--retire-old")
    keyset = _keyset(kek_file)
    assert keyset["primary"] == 3
    assert [k["version"] for k in keyset["keys"]] == [3]
    crypto.get_kek().reload()
    assert document_bytes(_fresh(doc)) == plaintext


@ROTATION
def test_retire_old_refuses_while_a_key_still_uses_an_old_version(
    actor_a: Any, actor_b: Any, kek_file: Path, storage_dir: Path
) -> None:
    doc_a = store(actor_a, "A one")
    doc_b = store(actor_b, "B one")
    # Only organization A is re-wrapped: B's key still uses version 1, so version 1 must stay.
    with pytest.raises(CommandError, match="bravo-co"):
        _run("--org", actor_a.organization.slug, "--retire-old")
    keyset = _keyset(kek_file)
    assert sorted(k["version"] for k in keyset["keys"]) == [1, 2]
    assert document_bytes(_fresh(doc_a))
    assert document_bytes(_fresh(doc_b))


@ROTATION
def test_without_the_old_version_an_unrewrapped_key_cannot_be_read(
    actor_a: Any, kek_file: Path, storage_dir: Path
) -> None:
    """The control for the retire check: removing a version still in use loses the documents."""
    doc = store(actor_a, "A one")
    kek = crypto.get_kek()
    kek.add_primary_version()
    kek.retire_versions(keep=set())
    with pytest.raises(crypto.KeysetError):
        document_bytes(_fresh(doc))


@ROTATION
def test_data_key_rotation_reencrypts_documents(
    actor_a: Any, actor_b: Any, kek_file: Path, storage_dir: Path
) -> None:
    docs = [store(actor_a, "A one"), store(actor_a, "A two"), store(actor_b, "B one")]
    plaintexts = {doc.pk: document_bytes(doc) for doc in docs}
    old_files = {doc.pk: (storage_dir / doc.storage_name).read_bytes() for doc in docs}
    old_key_a = _keys(actor_a.organization)[0]

    _run("--data-keys", "--retire-old")

    keys_a = _keys(actor_a.organization)
    assert [k.version for k in keys_a] == [2]
    assert keys_a[0].is_active and keys_a[0].pk != old_key_a.pk
    for doc in docs:
        fresh = _fresh(doc)
        assert fresh.storage_name != doc.storage_name
        assert (storage_dir / fresh.storage_name).read_bytes() != old_files[doc.pk]
        assert document_bytes(fresh) == plaintexts[doc.pk]
    assert len(stored_files()) == len(docs)  # the old ciphertexts are gone
    # The old data key is gone with its row; the documents now use the new one.
    fresh_a = _fresh(docs[0])
    assert old_key_a.pk not in {k.pk for k in keys_a}
    with org_scope(actor_a.organization):
        assert AuditEvent.objects.filter(action="organization_key.rotated").count() == 1
        assert fresh_a.data_key_id == keys_a[0].pk


@ROTATION
def test_many_organizations_show_progress(kek_file: Path, storage_dir: Path) -> None:
    orgs = [OrganizationFactory() for _ in range(22)]
    for org in orgs[:3]:
        store(principal_for(member(org, "owner"), org), "Report")
    err = io.StringIO()
    call_command("vault", "rotate-keys", stdout=io.StringIO(), stderr=err)
    assert "Re-wrapping data keys" in err.getvalue()
    for org in orgs[:3]:
        assert all(k.kek_version == 2 for k in _keys(org))


@ROTATION
def test_unknown_org(kek_file: Path) -> None:
    with pytest.raises(CommandError, match="No organization"):
        _run("--org", "nope")


@ROTATION
def test_a_different_keyset_is_named_in_the_error(
    actor_a: Any, kek_file: Path, storage_dir: Path, settings: Any, tmp_path: Path
) -> None:
    doc = store(actor_a, "A one")
    settings.TRUSTROOM_KEK_PATH = tmp_path / "other" / "kek.json"  # e.g. a wrong path after a move
    with pytest.raises(crypto.KeysetError, match="TRUSTROOM_KEK_PATH"):
        document_bytes(_fresh(doc))


@ROTATION
def test_sweep_removes_only_old_orphans(actor_a: Any, kek_file: Path, storage_dir: Path) -> None:
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    doc = store(actor_a, "Kept")
    org_id = actor_a.organization.pk
    old_orphan = default_storage.save(f"vault/{org_id}/orphan.enc", ContentFile(b"x"))
    gone_org = default_storage.save("vault/987654/left-behind.enc", ContentFile(b"x"))
    young_orphan = default_storage.save(f"vault/{org_id}/young.enc", ContentFile(b"x"))
    two_hours_ago = time.time() - 7200
    for name in (old_orphan, gone_org, doc.storage_name):
        os.utime(storage_dir / name, (two_hours_ago, two_hours_ago))

    out = io.StringIO()
    call_command("vault", "sweep", "--dry-run", stdout=out)
    assert "2 orphan(s) would be removed" in out.getvalue()
    assert (storage_dir / old_orphan).exists()

    call_command("vault", "sweep", stdout=io.StringIO())
    assert not (storage_dir / old_orphan).exists()
    assert not (storage_dir / gone_org).exists()
    assert (storage_dir / young_orphan).exists()
    assert document_bytes(_fresh(doc))


@ROTATION
def test_mfa_secrets_are_rewrapped_and_retiring_waits_for_them(
    actor_a: Any, kek_file: Path, storage_dir: Path, monkeypatch: Any
) -> None:
    """TOTP secrets are sealed under the KEK itself: a full rotation re-wraps them; --retire-old refuses
    while one is still on an old version (an --org rotation leaves people's secrets alone)."""
    from allauth.mfa.models import Authenticator
    from django.test import Client

    from tests.factories import UserFactory
    from tests.identity.auth_helpers import MFA_AUTHENTICATE, enrol_totp, frozen_clock, post_login, totp_code
    from trustroom.identity.mfa_adapter import decrypt_mfa_secret

    frozen_clock(monkeypatch)
    user = UserFactory(email="rotating@example.test")
    _client, secret = enrol_totp(user)
    with pytest.raises(CommandError, match="mfa secrets"):
        _run("--org", actor_a.organization.slug, "--retire-old")
    assert sorted(k["version"] for k in _keyset(kek_file)["keys"]) == [1, 2]

    output = _run("--retire-old")

    assert "2 mfa secrets re-wrapped" in output  # the TOTP secret and the recovery codes' seed
    assert [k["version"] for k in _keyset(kek_file)["keys"]] == [3]
    crypto.get_kek().reload()
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert stored.startswith("trmfa1:3:")
    seed = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).data["seed"]
    assert seed.startswith("trmfa1:3:")
    assert decrypt_mfa_secret(stored) == secret
    browser = Client()
    assert post_login(browser, user.email)["Location"].startswith(MFA_AUTHENTICATE)
    assert browser.post(MFA_AUTHENTICATE, {"code": totp_code(secret)}).status_code == 302
    assert "_auth_user_id" in browser.session  # the re-wrapped secret still signs in
