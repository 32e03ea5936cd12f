"""`trustroom evidence verify`: a fresh package passes; each kind of tampering is named; unsafe ZIPs are
refused before anything is read; exit codes; `evidence export` from the command line."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.controls.audit_factories import built_package, link, make_period, pdf_evidence, soc2_control
from trustroom.controls import evidence_package
from trustroom.controls.package_verify import verify_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def package_zip(actor: Any) -> bytes:
    control = soc2_control(actor)
    period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    pdf_evidence(actor, control, "Quarterly access review")
    link(actor, control, "https://alpha.example/review", days_ago=2)
    return evidence_package.package_bytes(built_package(actor, period))


def rewrite(original: bytes, change: Callable[[dict[str, bytes]], None], extra: Any = ()) -> bytes:
    """The package with its members changed by `change` (name -> bytes), plus raw extra members."""
    source = zipfile.ZipFile(io.BytesIO(original))
    members = {name: source.read(name) for name in source.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
        for info, data in extra:
            target.writestr(info, data)
    return out.getvalue()


def manifest_of(members: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(members["manifest.json"])


def first_file(members: dict[str, bytes]) -> str:
    return next(name for name in members if "/files/" in name)


def problems(data: bytes) -> list[tuple[str, str]]:
    return [(p.kind, p.path) for p in verify_package(io.BytesIO(data)).problems]


def test_a_fresh_package_passes(package_zip: bytes) -> None:
    assert problems(package_zip) == []


def test_a_tampered_file_is_a_hash_mismatch(package_zip: bytes) -> None:
    names: list[str] = []

    def tamper(members: dict[str, bytes]) -> None:
        name = first_file(members)
        names.append(name)
        data = bytearray(members[name])
        data[-10] ^= 0x01  # same size, different bytes
        members[name] = bytes(data)

    assert problems(rewrite(package_zip, tamper)) == [("hash mismatch", names[0])]


def test_an_extra_file_is_named(package_zip: bytes) -> None:
    def add(members: dict[str, bytes]) -> None:
        members["controls/AC-1/files/planted.pdf"] = b"%PDF-1.4 planted"

    assert problems(rewrite(package_zip, add)) == [("extra file", "controls/AC-1/files/planted.pdf")]


def test_a_removed_file_is_named(package_zip: bytes) -> None:
    names: list[str] = []

    def remove(members: dict[str, bytes]) -> None:
        names.append(first_file(members))
        del members[names[0]]

    assert problems(rewrite(package_zip, remove)) == [("missing file", names[0])]


def test_a_manifest_edit_is_caught(package_zip: bytes) -> None:
    def edit(members: dict[str, bytes]) -> None:
        manifest = manifest_of(members)
        manifest["files"][0]["sha256"] = hashlib.sha256(b"something else").hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()

    found = problems(rewrite(package_zip, edit))
    assert len(found) == 1 and found[0][0] == "hash mismatch"

    def garble(members: dict[str, bytes]) -> None:
        members["manifest.json"] = b"{not json"

    assert problems(rewrite(package_zip, garble)) == [("bad manifest", "manifest.json")]

    def unlist(members: dict[str, bytes]) -> None:
        manifest = manifest_of(members)
        manifest["files"].append(dict(manifest["files"][0]))
        members["manifest.json"] = json.dumps(manifest).encode()

    assert problems(rewrite(package_zip, unlist)) == [("bad manifest", "manifest.json")]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", ".."),
        ("controls/../../evil.txt", ".."),
        ("/etc/evil", "absolute"),
        ("C:/evil", "absolute"),
    ],
)
def test_unsafe_member_names_are_refused(package_zip: bytes, name: str, reason: str) -> None:
    report = verify_package(io.BytesIO(rewrite(package_zip, lambda m: None, [(zipfile.ZipInfo(name), b"x")])))
    assert [(p.kind, p.path) for p in report.problems] == [("unsafe member", name)]
    assert reason in report.problems[0].detail


def test_a_symlink_and_a_duplicate_name_are_refused(package_zip: bytes) -> None:
    link_info = zipfile.ZipInfo("controls/link")
    link_info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = rewrite(package_zip, lambda m: None, [(link_info, b"/etc/passwd"), ("index.csv", b"again")])
    found = problems(data)
    assert ("unsafe member", "controls/link") in found and ("unsafe member", "index.csv") in found


def test_a_zip_bomb_ratio_is_refused_before_reading(package_zip: bytes) -> None:
    bomb = zipfile.ZipInfo("controls/AC-1/files/bomb.bin")
    bomb.compress_type = zipfile.ZIP_DEFLATED
    found = verify_package(
        io.BytesIO(rewrite(package_zip, lambda m: None, [(bomb, b"\0" * (8 * 1024 * 1024))]))
    )
    assert [(p.kind, p.path) for p in found.problems] == [("unsafe member", "controls/AC-1/files/bomb.bin")]
    assert "expands" in found.problems[0].detail
    assert found.files_checked == 0


def test_not_a_zip_is_named() -> None:
    assert problems(b"not a zip at all") == [("bad zip", "")]


# --- The command -------------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("evidence", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_verify_exit_codes(package_zip: bytes, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    good.write_bytes(package_zip)
    code, output = run("verify", str(good), "--org", "alpha-co")
    assert code == 0 and "OK:" in output and "chain verifies" in output
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rewrite(package_zip, lambda m: m.pop(first_file(m))))
    code, output = run("verify", str(bad))
    assert code == 1 and "PROBLEM missing file controls/AC-1/files/" in output
    assert run("verify", str(tmp_path / "absent.zip"))[0] == 2
    assert run("verify", str(good), "--org", "no-such-org")[0] == 2


def test_verify_with_org_refuses_a_head_not_in_the_chain(package_zip: bytes, tmp_path: Path) -> None:
    def forge(members: dict[str, bytes]) -> None:
        manifest = manifest_of(members)
        manifest["audit_chain_head"]["hash"] = "f" * 64
        members["manifest.json"] = json.dumps(manifest).encode()

    path = tmp_path / "forged.zip"
    path.write_bytes(rewrite(package_zip, forge))
    assert run("verify", str(path))[0] == 0  # the files still match: only the chain shows the forgery
    code, output = run("verify", str(path), "--org", "alpha-co")
    assert code == 1 and "chain head" in output


def test_export_writes_a_package_that_verifies(actor: Any, tmp_path: Path) -> None:
    control = soc2_control(actor)
    make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    link(actor, control, "https://alpha.example/review", days_ago=2)
    output = tmp_path / "out.zip"
    args = ["export", "--org", "alpha-co", "--period", "SOC 2 Type II 2026", "--output", str(output)]
    code, text = run(*args, "--no-progress")
    assert code == 0 and output.is_file() and "Wrote" in text
    assert verify_package(str(output)).ok
    assert run("export", "--org", "alpha-co", "--period", "Nope", "--output", str(output))[0] == 2
