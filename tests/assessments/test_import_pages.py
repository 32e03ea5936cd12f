"""Scanner import pages and the finding-imports API: upload, 202 + job, progress, counts, errors, roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.assessments.clients import logged_in
from tests.assessments.helpers import application
from tests.assessments.importers.samples import SAMPLES
from tests.factories import member, principal_for
from tests.identity.factories import api_token, bearer
from trustroom.assessments.models import Finding, FindingImport, ImportStatus
from trustroom.assessments.tasks.imports import run_finding_import
from trustroom.audit.models import AuditEvent
from trustroom.identity.services import revoke_api_token
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
TRIVY = next(s for s in SAMPLES if s.path == "trivy/legacy_many_vulns.json")
BROKEN = b'{"version": "2.1.0", "runs": [{"results": [{"ruleId": '


@pytest.fixture
def app(org_a: Any, owner_a: Any) -> Any:
    with org_scope(org_a):
        return application(principal_for(owner_a, org_a), name="GSP portal")


def report(data: bytes | None = None, name: str = "trivy.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TRIVY.file.read_bytes() if data is None else data)


def base(org: Any) -> str:
    return f"/o/{org.slug}/assessments/imports/"


def test_upload_page_runs_the_import_and_shows_counts(
    org_a: Any, owner_a: Any, app: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner_a)
    empty = client.get(base(org_a))
    assert empty.status_code == 200
    assert 'role="status"' in empty.content.decode() and "No scanner reports" in empty.content.decode()
    form = client.get(base(org_a) + "new/").content.decode()
    assert 'enctype="multipart/form-data"' in form and "GSP portal" in form and 'for="id_file"' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            base(org_a) + "new/", {"application": app.pk, "format": "auto", "file": report()}
        )
    assert response.status_code == 302
    with org_scope(org_a):
        job = FindingImport.objects.get()
        assert Finding.objects.filter(application=app).count() == TRIVY.count
    assert response["Location"] == f"{base(org_a)}{job.pk}/"
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == TRIVY.count

    detail = client.get(f"{base(org_a)}{job.pk}/").content.decode()
    assert "trivy.json" in detail and 'id="import-progress"' in detail
    assert "hx-trigger" not in detail  # finished: no more polling
    progress = client.get(f"{base(org_a)}{job.pk}/progress/").content.decode()
    assert f"<td>{TRIVY.count}</td>" in progress and "Succeeded" in progress
    listing = client.get(base(org_a)).content.decode()
    assert "trivy.json" in listing and "GSP portal" in listing


def test_progress_element_polls_while_running(org_a: Any, owner_a: Any, app: Any) -> None:
    client = logged_in(owner_a)
    response = client.post(base(org_a) + "new/", {"application": app.pk, "format": "trivy", "file": report()})
    assert response.status_code == 302
    with org_scope(org_a):
        job = FindingImport.objects.get()
        assert job.status == ImportStatus.QUEUED  # the task runs after commit
        FindingImport.objects.filter(pk=job.pk).update(status="running", bytes_done=50, bytes_total=200)
    progress = client.get(f"{base(org_a)}{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in progress and f"{base(org_a)}{job.pk}/progress/" in progress
    assert 'value="25"' in progress and "<progress" in progress and 'aria-live="polite"' in progress


def test_failed_import_shows_where_it_broke(
    org_a: Any, owner_a: Any, app: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(base(org_a) + "new/", {"application": app.pk, "format": "sarif", "file": report(BROKEN)})
    with org_scope(org_a):
        job = FindingImport.objects.get()
        assert Finding.objects.count() == 0
    page = client.get(f"{base(org_a)}{job.pk}/").content.decode()
    assert 'role="alert"' in page and "SARIF: invalid JSON near byte" in page


def test_form_errors_name_the_field(org_a: Any, owner_a: Any, app: Any) -> None:
    client = logged_in(owner_a)
    missing = client.post(base(org_a) + "new/", {"application": app.pk, "format": "auto"})
    assert missing.status_code == 400 and "id_file_error" in missing.content.decode()
    empty = client.post(base(org_a) + "new/", {"application": app.pk, "format": "auto", "file": report(b"")})
    assert empty.status_code == 400
    bad_format = client.post(base(org_a) + "new/", {"application": app.pk, "format": "csv", "file": report()})
    assert bad_format.status_code == 400 and "id_format_error" in bad_format.content.decode()
    with org_scope(org_a):
        assert FindingImport.objects.count() == 0


def test_viewers_see_but_cannot_upload(org_a: Any, app: Any) -> None:
    viewer = logged_in(member(org_a, "viewer"))
    assert viewer.get(base(org_a)).status_code == 200
    assert "Import a report" not in viewer.get(base(org_a)).content.decode()
    assert viewer.get(base(org_a) + "new/").status_code == 403
    response = viewer.post(base(org_a) + "new/", {"application": app.pk, "format": "auto", "file": report()})
    assert response.status_code == 403
    with org_scope(org_a):
        assert FindingImport.objects.count() == 0


# --- API ------------------------------------------------------------------------------------------


def api(org: Any) -> str:
    return f"/api/v1/orgs/{org.slug}/finding-imports/"


def test_api_upload_answers_202_and_the_job_finishes(
    org_a: Any, owner_a: Any, app: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(api(org_a), {"application": app.pk, "file": report(), "close_missing": "true"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["application"] == app.pk and body["close_missing"] is True
    assert body["original_filename"] == "trivy.json" and body["size_bytes"] == TRIVY.file.stat().st_size
    done = client.get(f"{api(org_a)}{body['id']}/").json()
    assert done["status"] == "succeeded" and done["format"] == "trivy"
    assert done["counts"] == {
        "created": TRIVY.count,
        "updated": 0,
        "unchanged": 0,
        "closed": 0,
        "reopened": 0,
    }
    assert done["percent_done"] == 100 and done["created_by"] == owner_a.email
    listed = client.get(api(org_a)).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [body["id"]]


def test_a_ci_pipelines_write_token_uploads_and_the_worker_imports_as_that_token(
    org_a: Any, owner_a: Any, app: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _token, plaintext = api_token(org_a, owner_a, scope="write", name="CI pipeline")
    pipeline = bearer(plaintext)
    with django_capture_on_commit_callbacks(execute=True):
        response = pipeline.post(api(org_a), {"application": app.pk, "file": report()})
    assert response.status_code == 202, response.content
    done = pipeline.get(f"{api(org_a)}{response.json()['id']}/").json()
    assert (done["status"], done["error"]) == ("succeeded", "")
    assert done["counts"]["created"] == TRIVY.count
    assert done["created_by"] is None and done["created_by_token"].startswith("CI pipeline (")
    page = logged_in(owner_a).get(f"{base(org_a)}{done['id']}/").content.decode()
    assert "by API token CI pipeline" in page
    with org_scope(org_a):
        imported = AuditEvent.objects.get(action="finding.import")
        assert imported.actor_label.startswith("API token CI pipeline")


def test_a_token_revoked_before_the_worker_runs_imports_nothing(
    org_a: Any, owner_a: Any, app: Any, django_capture_on_commit_callbacks: Any
) -> None:
    token, plaintext = api_token(org_a, owner_a, scope="write", name="CI pipeline")
    response = bearer(plaintext).post(api(org_a), {"application": app.pk, "file": report()})
    assert response.status_code == 202  # the job waits for a worker (its task is not run here)
    with org_scope(org_a):
        revoke_api_token(actor=principal_for(owner_a, org_a), token=token)
    assert run_finding_import(response.json()["id"], org_a.pk) == "failed"
    with org_scope(org_a):
        job = FindingImport.objects.get(pk=response.json()["id"])
        assert job.status == ImportStatus.FAILED
        assert job.error == "The API token that uploaded this report was revoked or has expired."
        assert not Finding.objects.exists()


def test_api_validation_names_the_field(org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, app: Any) -> None:
    client = logged_in(owner_a)
    assert "file" in client.post(api(org_a), {"application": app.pk}).json()
    bad_format = client.post(api(org_a), {"application": app.pk, "file": report(), "format": "csv"})
    assert bad_format.status_code == 400 and "format" in bad_format.json()
    with org_scope(org_b):
        foreign = application(principal_for(owner_b, org_b), name="Bravo app")
    cross = client.post(api(org_a), {"application": foreign.pk, "file": report()})
    assert cross.status_code == 400 and "application" in cross.json()
    unknown = client.post(api(org_a), {"application": app.pk, "file": report(), "colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json()
    empty = client.post(api(org_a), {"application": app.pk, "file": report(b"")})
    assert empty.status_code == 400 and "file" in empty.json()
    with org_scope(org_a):
        assert FindingImport.objects.count() == 0


def test_api_viewer_cannot_upload(org_a: Any, app: Any) -> None:
    viewer = logged_in(member(org_a, "viewer"))
    assert viewer.get(api(org_a)).status_code == 200
    assert viewer.post(api(org_a), {"application": app.pk, "file": report()}).status_code == 403


def test_api_list_filters_by_application(org_a: Any, owner_a: Any, app: Any) -> None:
    client = logged_in(owner_a)
    with org_scope(org_a):
        other = application(principal_for(owner_a, org_a), name="Other app")
    first = client.post(api(org_a), {"application": app.pk, "file": report()}).json()
    second = client.post(api(org_a), {"application": other.pk, "file": report()}).json()

    def ids(query: str) -> list[int]:
        data = client.get(api(org_a) + query).json()
        return [r["id"] for r in (data["results"] if isinstance(data, dict) else data)]

    assert ids("") == [second["id"], first["id"]]
    assert ids(f"?application={app.pk}") == [first["id"]]
