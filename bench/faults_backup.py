"""`bench/faults.py backup`: back up while writes go on, restore into an empty database, measure RPO/RTO.

1. A private PostgreSQL with the demo organization (`trustroom demo`), --findings generated findings and
   --documents vault documents (encrypted under the keyset in the data directory).
2. A writer keeps creating findings through the services (one commit each, every --write-every s).
3. The backup, as the documented procedure does it: `pg_dump -Fc` as the backup role (BYPASSRLS: under
   forced row-level security the owner's pg_dump would see no rows), plus a copy of the keyset file
   and the file store. The dump runs in a snapshot exported by this script, which counts the rows of
   every table in that same snapshot, so the counts can be compared exactly while writes go on.
4. RPO: how much the backup loses. The newest write included in the dump against the newest write
   committed when the dump finished (and when the snapshot was taken).
5. Restore, timed from an empty database: CREATE DATABASE, `pg_restore --no-owner --role=<owner>` as the
   owner, `trustroom migrate` (grants the application role again), the keyset and files put back, granian
   started; RTO ends at the first 200 of a signed-in API read and the public trust center.
Pass: per-table row counts of the restored database equal the snapshot's; `trustroom audit verify` passes
for every organization; every vault document decrypts to a PDF with the restored keyset.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import requests
from faultkit import (
    APP,
    BACKUP,
    BIN,
    DATABASE,
    OWNER,
    organization_with_token,
    run_trustroom,
    stack,
    wait_until,
)
from faults import verdict

RESTORED = "trustroom_restored"
DECRYPT_ALL = """
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.vault.selectors import document_bytes, documents
total = bad = 0
for organization in Organization.objects.all():
    with org_scope(organization):
        docs = list(documents())
    for document in docs:
        total += 1
        bad += not document_bytes(document).startswith(b"%PDF")
print(f"decrypted {total} {bad}")
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--findings", type=int, default=1000, help="generated findings besides the demo")
    parser.add_argument("--documents", type=int, default=5, help="vault documents")
    parser.add_argument("--write-every", type=float, default=0.05, help="seconds between writes meanwhile")


def _generate(world: dict[str, Any], findings: int, documents: int) -> None:
    from trustroom.assessments.models import Application
    from trustroom.assessments.services import create_finding
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.vault.samples import sample_pdf
    from trustroom.vault.services import store_document

    org = world["org"]
    with org_scope(org):
        actor = Principal(organization=org, role="owner", user=world["user"])
        app = Application.objects.get(pk=world["application"])
        for n in range(findings):
            create_finding(actor=actor, application=app, title=f"generated {n}", severity="low")
        for n in range(documents):
            pdf = sample_pdf(title=f"Report {n}", lines=[f"Backup bench document {n}."])
            store_document(actor=actor, title=f"Report {n}", content=pdf, filename=f"report-{n}.pdf")


class Writer(threading.Thread):
    """Findings created one commit at a time; remembers when each committed."""

    def __init__(self, world: dict[str, Any], every: float) -> None:
        super().__init__(daemon=True)
        self.world, self.every = world, every
        self.committed: dict[str, float] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from trustroom.assessments.models import Application
        from trustroom.assessments.services import create_finding
        from trustroom.tenancy.principal import Principal
        from trustroom.tenancy.scope import org_scope

        org = self.world["org"]
        n = 0
        try:
            while not self.halt.is_set():
                with org_scope(org):
                    actor = Principal(organization=org, role="owner", user=self.world["user"])
                    app = Application.objects.get(pk=self.world["application"])
                    title = f"rpo-write-{n:06d}"
                    create_finding(actor=actor, application=app, title=title, severity="low")
                self.committed[title] = time.time()
                n += 1
                time.sleep(self.every)
        finally:
            connection.close()


def _tables(conn: Any) -> list[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def _counts(conn: Any) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables(conn)}  # noqa: S608


def backup(args: argparse.Namespace) -> bool:
    import psycopg

    with stack() as made:
        pg = made.start_postgres()
        data = made.root / "data"
        env = made.app_env(data_dir=data)
        made.migrate()
        run_trustroom(env, "demo")
        made.setup_django(env)
        world = organization_with_token("backup-co")
        started = time.monotonic()
        _generate(world, args.findings, args.documents)
        print(
            f"generated {args.findings} findings and {args.documents} documents "
            f"in {time.monotonic() - started:.0f} s"
        )

        as_owner = subprocess.run(  # noqa: S603
            [pg.tool("pg_dump"), "-Fc", "-d", pg.url(OWNER), "-f", "/dev/null"],
            capture_output=True,
            text=True,
        )
        owner_line = next((x for x in as_owner.stderr.splitlines() if "error" in x), "no error")
        print(f"pg_dump as the owner {OWNER} (for comparison): exit {as_owner.returncode}: {owner_line}")

        writer = Writer(world, args.write_every)
        writer.start()
        time.sleep(2)
        backup_dir = made.root / "backup"
        backup_dir.mkdir()
        dump = backup_dir / "trustroom.dump"
        with psycopg.connect(pg.url(BACKUP)) as snap:
            snap.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = snap.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            snapshot_at = time.time()
            newest_in_snapshot = snap.execute(
                "SELECT max(title) FROM assessments_finding WHERE title LIKE 'rpo-write-%%'"
            ).fetchone()[0]  # type: ignore[index]
            started = time.monotonic()
            subprocess.run(  # noqa: S603
                [pg.tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-d", pg.url(BACKUP), "-f", str(dump)],
                check=True,
            )
            dump_seconds = time.monotonic() - started
            dump_done_at = time.time()
            expected = _counts(snap)
            snap.execute("COMMIT")
        # The keyset and the file store, copied after the dump: files are only ever added, so every
        # document the dump refers to is there.
        shutil.copytree(data / "keys", backup_dir / "keys")
        shutil.copytree(data / "files", backup_dir / "files")
        newest_written = max((t for t, at in writer.committed.items() if at <= dump_done_at), default=None)
        writer.halt.set()
        writer.join(30)
        rpo_at_dump_end = dump_done_at - writer.committed.get(newest_in_snapshot or "", snapshot_at)
        lost = sum(
            1 for t, at in writer.committed.items() if at <= dump_done_at and (newest_in_snapshot or "") < t
        )

        restore_data = made.root / "restored-data"
        restore_env = made.app_env(RESTORED, restore_data)
        started = time.monotonic()
        pg.sql(f"CREATE DATABASE {RESTORED} OWNER {OWNER}", role=OWNER)
        subprocess.run(  # noqa: S603
            [
                pg.tool("pg_restore"),
                "--no-owner",
                f"--role={OWNER}",
                "--exit-on-error",
                "-d",
                pg.url(OWNER, RESTORED),
                str(dump),
            ],
            check=True,
        )
        made.migrate(RESTORED, restore_data)
        restore_data.mkdir(exist_ok=True)
        shutil.copytree(backup_dir / "keys", restore_data / "keys")
        shutil.copytree(backup_dir / "files", restore_data / "files")
        restored_at = time.monotonic() - started
        _, base = made.serve(restore_env, 2)
        slug = world["org"].slug
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {world['token']}"
        wait_until(
            lambda: api.get(f"{base}/api/v1/orgs/{slug}/findings/?limit=1", timeout=5).status_code == 200,
            60,
            "the API",
        )
        wait_until(
            lambda: requests.get(f"{base}/trust/demo-co/", timeout=5).status_code == 200,
            60,
            "the trust center",
        )
        rto = time.monotonic() - started

        with psycopg.connect(pg.url(BACKUP, RESTORED)) as conn:
            restored = _counts(conn)
        differing = {
            t: (expected.get(t), restored.get(t))
            for t in set(expected) | set(restored)
            if expected.get(t) != restored.get(t)
        }
        verify = subprocess.run(  # noqa: S603
            [str(BIN / "trustroom"), "audit", "verify"], env=restore_env, capture_output=True, text=True
        )
        decrypt = subprocess.run(  # noqa: S603
            [str(BIN / "trustroom"), "shell", "-c", DECRYPT_ALL],
            env=restore_env,
            capture_output=True,
            text=True,
        )
        line = next((x for x in decrypt.stdout.splitlines() if x.startswith("decrypted")), "decrypted 0 -1")
        documents, undecryptable = (int(x) for x in line.split()[1:])
        organizations = verify.stdout.count("\n")

        print()
        print(
            f"backup: {sum(expected.values()):,} rows in {len(expected)} tables; "
            f"pg_dump -Fc as {BACKUP} took "
            f"{dump_seconds:.2f} s ({Path(dump).stat().st_size / 1e6:.1f} MB) while {len(writer.committed)} "
            f"findings were written one commit at a time"
        )
        print(
            f"  RPO: the newest write in the dump ({newest_in_snapshot}) committed {rpo_at_dump_end:.2f} s "
            f"before the dump finished; {lost} write(s) committed by then are not in it "
            f"(newest: {newest_written}). A dump loses what was written since its snapshot: "
            f"the RPO of dumps alone is the time between them"
        )
        print(
            f"  RTO: {rto:.1f} s from an empty database to serving 200s (restore + migrate + files "
            f"{restored_at:.1f} s, then granian start and first answers)"
        )
        print(f"  audit verify (exit {verify.returncode}): {organizations} organization line(s)")
        for row in verify.stdout.strip().splitlines():
            print(f"    {row}")
        print(f"  vault: {documents} documents, {undecryptable} that do not decrypt to a PDF")
        if differing:
            print(f"  tables whose counts differ (snapshot, restored): {differing}")
        return verdict(
            [
                (f"row counts of all {len(expected)} tables match the dump's snapshot", not differing),
                (
                    "`trustroom audit verify` passes for every organization",
                    verify.returncode == 0 and organizations >= 2,
                ),
                (
                    f"every vault document decrypts with the restored keyset ({documents})",
                    documents >= args.documents and not undecryptable,
                ),
                ("the restored installation serves the API and the trust center", True),
            ]
        )


__all__ = ["APP", "DATABASE", "backup"]
