"""A corpus of hostile uploads, each driven through the real upload endpoints (page and API).

Every file must be refused with a clear error (a form error on the page, a 400 naming the field in the
API, or a failed import job that says why) within TIME_LIMIT_SECONDS and without the web process
allocating more than MEMORY_LIMIT_BYTES while handling it (tracemalloc peak; the parsers themselves run
in child processes under their own CPU and memory limits). The unit tests of each safeguard live with
its app (tests/answers/formats/test_safety.py, tests/assessments/importers/, tests/vault/); this corpus
proves each one is wired to every endpoint that accepts such a file.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.assessments.helpers import application
from tests.assessments.importers.samples import SAMPLES
from tests.factories import principal_for
from tests.security import hostile_files
from trustroom.answers.models import Questionnaire
from trustroom.assessments.models import Application, FindingImport, ImportStatus
from trustroom.identity.services import create_api_token
from trustroom.tenancy.scope import org_scope
from trustroom.vault.models import Document

pytestmark = pytest.mark.django_db

TIME_LIMIT_SECONDS = 10.0  # per upload, parse included; the child processes' own wall limit is 30 s
MEMORY_LIMIT_BYTES = 64 * 1024 * 1024  # peak Python allocations in the web process per upload
TRIVY = next(s for s in SAMPLES if s.path == "trivy/legacy_many_vulns.json")
QUESTIONNAIRE_CSV = b"Question,Answer\nDo you encrypt data at rest?,\n"


_WARMED_UP: list[bool] = []


@dataclass(frozen=True)
class World:
    org: Any
    page: Client
    api: Client
    application: Application


@pytest.fixture
def world(org_a: Any, owner_a: Any, storage_dir: Path, django_capture_on_commit_callbacks: Any) -> World:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        _, raw = create_api_token(actor=actor, name="corpus", scope="write")
        app = application(actor, name="Portal")
    page = Client()
    page.force_login(owner_a)
    world = World(org=org_a, page=page, api=Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), application=app)
    if not _WARMED_UP:  # so that no measured upload pays for first-use imports or template compilation
        for where, extension, _builder in UPLOADS:
            _post_named(world, where, f"warm-up.{extension}", b"x", django_capture_on_commit_callbacks)
        _WARMED_UP.append(True)
    return world


# --- endpoints: each posts one file and answers the error text shown for it ---------------------------


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/octet-stream")


def _page_error(response: Any) -> str:
    assert response.status_code in (200, 400), (response.status_code, response.get("Location"))
    body = response.content.decode()
    assert 'class="errorlist' in body or 'role="alert"' in body, "the form shows no error"
    return body


def _api_error(response: Any) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert "file" in body, body  # the error names the field
    return str(body["file"])


def _failed_job(world: World) -> str:
    with org_scope(world.org):
        job = FindingImport.objects.order_by("-pk").first()
        assert job is not None
        assert job.status == ImportStatus.FAILED, (job.status, job.error)
        assert job.created_count == 0
        return job.error


def vault_page(world: World, name: str, data: bytes, _: Any) -> str:
    url = f"/o/{world.org.slug}/vault/upload/"
    return _page_error(world.page.post(url, {"title": "Report", "file": _upload(name, data)}))


def vault_api(world: World, name: str, data: bytes, _: Any) -> str:
    url = f"/api/v1/orgs/{world.org.slug}/documents/"
    return _api_error(world.api.post(url, {"title": "Report", "file": _upload(name, data)}))


def questionnaire_page(world: World, name: str, data: bytes, _: Any) -> str:
    url = f"/o/{world.org.slug}/answers/questionnaires/new/"
    return _page_error(world.page.post(url, {"title": "Q", "file": _upload(name, data)}))


def questionnaire_api(world: World, name: str, data: bytes, _: Any) -> str:
    url = f"/api/v1/orgs/{world.org.slug}/questionnaires/"
    return _api_error(world.api.post(url, {"file": _upload(name, data)}))


def finding_import_page(world: World, name: str, data: bytes, on_commit: Any) -> str:
    url = f"/o/{world.org.slug}/assessments/imports/new/"
    with on_commit(execute=True):
        response = world.page.post(
            url, {"application": world.application.pk, "format": "auto", "file": _upload(name, data)}
        )
    assert response.status_code == 302, response.status_code
    return _failed_job(world)


def finding_import_api(world: World, name: str, data: bytes, on_commit: Any) -> str:
    url = f"/api/v1/orgs/{world.org.slug}/finding-imports/"
    with on_commit(execute=True):
        response = world.api.post(url, {"application": world.application.pk, "file": _upload(name, data)})
    assert response.status_code == 202, response.content[:300]
    return _failed_job(world)


Endpoint = Callable[[World, str, bytes, Any], str]
VAULT = (vault_page, vault_api)
QUESTIONNAIRES = (questionnaire_page, questionnaire_api)
FINDING_IMPORTS = (finding_import_page, finding_import_api)

# (case, file name, builder, endpoints, what the error must say)
CORPUS: list[tuple[str, str, Callable[[], bytes], tuple[Endpoint, ...], str]] = [
    ("zip bomb as xlsx", "q.xlsx", hostile_files.zip_bomb, QUESTIONNAIRES, r"zip bomb|compressed [\d,]+:1"),
    ("zip bomb as docx", "q.docx", lambda: hostile_files.zip_bomb("word/document.xml"), QUESTIONNAIRES, ""),
    ("zip bomb as zip", "report.zip", hostile_files.zip_bomb, FINDING_IMPORTS, ""),
    ("billion laughs xlsx", "q.xlsx", hostile_files.laughs_workbook, QUESTIONNAIRES, "DOCTYPE or ENTITY"),
    ("billion laughs nessus", "scan.nessus", lambda: hostile_files.NESSUS_LAUGHS, FINDING_IMPORTS, ""),
    ("billion laughs burp", "burp.xml", lambda: hostile_files.BURP_LAUGHS, FINDING_IMPORTS, ""),
    ("billion laughs zap", "zap.xml", lambda: hostile_files.ZAP_LAUGHS, FINDING_IMPORTS, ""),
    ("nested flate pdf", "report.pdf", hostile_files.nested_flate_pdf, VAULT, "too long or too much memory"),
    ("html as pdf", "report.pdf", lambda: hostile_files.HTML_AS_PDF, VAULT, "not a PDF"),
    ("html pdf polyglot", "report.pdf", lambda: hostile_files.HTML_PDF_POLYGLOT, VAULT, "could not be read"),
    ("macro workbook xlsm", "q.xlsm", hostile_files.macro_workbook, QUESTIONNAIRES, "macro"),
    ("macro workbook as xlsx", "q.xlsx", hostile_files.macro_workbook, QUESTIONNAIRES, "macro"),
]


def _measured(call: Callable[[], str]) -> tuple[str, float, int]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        text = call()
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return text, elapsed, peak


@pytest.mark.parametrize(
    ("name", "builder", "endpoint", "says"),
    [
        pytest.param(name, builder, endpoint, says, id=f"{case} -> {endpoint.__name__}")
        for case, name, builder, endpoints, says in CORPUS
        for endpoint in endpoints
    ],
)
def test_hostile_file_is_refused_quickly_and_cheaply(
    world: World,
    django_capture_on_commit_callbacks: Any,
    name: str,
    builder: Callable[[], bytes],
    endpoint: Endpoint,
    says: str,
) -> None:
    data = builder()
    text, elapsed, peak = _measured(lambda: endpoint(world, name, data, django_capture_on_commit_callbacks))
    assert text.strip(), "the refusal says nothing"
    if says:
        assert re.search(says, text), text[:2000]
    assert elapsed < TIME_LIMIT_SECONDS, f"took {elapsed:.1f} s"
    assert peak < MEMORY_LIMIT_BYTES, f"peak {peak / 1024 / 1024:.0f} MiB"
    with org_scope(world.org):
        assert not Document.objects.exists() and not Questionnaire.objects.exists()


# --- file names: a path or a NUL byte never reaches a stored or shown name -------------------------


def _stored_names(world: World) -> list[str]:
    with org_scope(world.org):
        return [
            *Document.objects.values_list("original_filename", flat=True),
            *Questionnaire.objects.values_list("filename", flat=True),
            *FindingImport.objects.values_list("original_filename", flat=True),
        ]


UPLOADS: list[tuple[str, str, Callable[[], bytes]]] = [
    ("vault page", "pdf", hostile_files.plain_pdf),
    ("vault api", "pdf", hostile_files.plain_pdf),
    ("questionnaire page", "csv", lambda: QUESTIONNAIRE_CSV),
    ("questionnaire api", "csv", lambda: QUESTIONNAIRE_CSV),
    ("finding import page", "json", lambda: TRIVY.file.read_bytes()),
    ("finding import api", "json", lambda: TRIVY.file.read_bytes()),
]


def _post_named(world: World, where: str, name: str, data: bytes, on_commit: Any) -> int:
    slug = world.org.slug
    upload = _upload(name, data)
    with on_commit(execute=True):
        if where == "vault page":
            return world.page.post(f"/o/{slug}/vault/upload/", {"title": "R", "file": upload}).status_code
        if where == "vault api":
            return world.api.post(
                f"/api/v1/orgs/{slug}/documents/", {"title": "R", "file": upload}
            ).status_code
        if where == "questionnaire page":
            return world.page.post(f"/o/{slug}/answers/questionnaires/new/", {"file": upload}).status_code
        if where == "questionnaire api":
            return world.api.post(f"/api/v1/orgs/{slug}/questionnaires/", {"file": upload}).status_code
        fields = {"application": world.application.pk, "file": upload}
        if where == "finding import page":
            return world.page.post(
                f"/o/{slug}/assessments/imports/new/", {**fields, "format": "auto"}
            ).status_code
        return world.api.post(f"/api/v1/orgs/{slug}/finding-imports/", fields).status_code


@pytest.mark.parametrize("hostile_name", hostile_files.TRAVERSAL_NAMES, ids=repr)
@pytest.mark.parametrize(("where", "extension", "builder"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_path_and_nul_file_names_are_reduced_to_a_bare_name(
    world: World,
    django_capture_on_commit_callbacks: Any,
    storage_dir: Path,
    hostile_name: str,
    where: str,
    extension: str,
    builder: Callable[[], bytes],
) -> None:
    name = hostile_name if hostile_name.endswith(".pdf") else f"{hostile_name}.{extension}"
    status = _post_named(world, where, name, builder(), django_capture_on_commit_callbacks)
    assert status in (200, 201, 202, 302, 400), status  # accepted under a bare name, or refused clearly
    for stored in _stored_names(world):
        assert "/" not in stored and "\\" not in stored and "\x00" not in stored, stored
        assert not stored.startswith(".."), stored
    # Stored files get server-made names inside the file store, whatever the upload was called.
    for path in storage_dir.rglob("*"):
        assert path.resolve().is_relative_to(storage_dir.resolve())
        assert "passwd" not in path.name and "win.ini" not in path.name and "cron" not in path.name
