"""`bench/faults.py kill`: web and worker processes killed with SIGKILL under load; nothing acknowledged
is lost or doubled.

granian (--web-workers, respawned when they die) and a Celery worker (--concurrency processes, late acks,
reject on worker lost, prefetch 1) against a private PostgreSQL and Redis. Client threads write findings
through the API, each with a unique title, and upload scanner reports (SARIF, --results results whose
titles name the job) whose import runs in the worker. Meanwhile a killer sends SIGKILL --kills times, one
every --interval seconds on average, to a random target: a granian worker process, a Celery pool process
(the one running tasks), or the whole Celery worker (its process group; it is started again). The load
stops after the last kill; then the jobs get --settle seconds to finish.

Pass: every write answered 201 is stored exactly once and no title is stored twice; every import
answered 202 succeeded exactly once: status succeeded, exactly --results findings, one `finding.import`
audit event. Requests cut by a kill (no answer, or a 5xx) are allowed; the client does not retry them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import threading
import time
from collections import Counter
from typing import Any

from faultkit import Recorder, age, children, client_sessions, organization_with_token, stack, wait_until
from faults import verdict

IMPORT_SHARE = 0.3
GRANIAN_CRASH_LOOP_SECONDS = 7.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--interval", type=float, default=2.0, help="mean seconds between kills")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--results", type=int, default=40, help="results per uploaded report")
    parser.add_argument("--settle", type=float, default=120.0)


def sarif(job: str, results: int) -> bytes:
    rules = [{"id": f"{job}-r{k}"} for k in range(results)]
    findings = [
        {
            "ruleId": f"{job}-r{k}",
            "level": "error",
            "message": {"text": f"fault bench {job} result {k}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"src/{job}.py"},
                        "region": {"startLine": k + 1},
                    }
                }
            ],
        }
        for k in range(results)
    ]
    document = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "faults", "rules": rules}}, "results": findings}],
    }
    return json.dumps(document).encode()


def client(
    recorder: Recorder, base: str, world: dict, stop: threading.Event, seed: int, results: int
) -> None:
    rng = random.Random(seed)
    slug = world["org"].slug
    # Uploads as the signed-in owner: an import queued with an API token fails when the worker runs it
    # (it looks for the uploader's membership and a token has none).
    session, browser = client_sessions(world)
    for n in itertools.count():
        if stop.is_set():
            return
        if rng.random() < IMPORT_SHARE:
            job = f"kill-job-{seed}-{n}"
            answer = recorder.call(
                browser,
                "import",
                "POST",
                f"{base}/api/v1/orgs/{slug}/finding-imports/",
                job,
                data={"application": world["application"]},
                files={"file": (f"{job}.sarif", sarif(job, results), "application/json")},
            )
        else:
            marker = f"kill-write-{seed}-{n}"
            body = {"application": world["application"], "title": marker, "severity": "medium"}
            answer = recorder.call(
                session, "write", "POST", f"{base}/api/v1/orgs/{slug}/findings/", marker, json=body
            )
        if answer.status == 0:
            time.sleep(0.1)  # a client backs off a little when its connection was cut


class Killer:
    def __init__(self, made: Any, server: Any, worker_env: dict[str, str], concurrency: int) -> None:
        self.made, self.server, self.env, self.concurrency = made, server, worker_env, concurrency
        self.worker = made.worker(worker_env, concurrency)
        self.kills: list[tuple[str, int]] = []

    def wait_for_pool(self) -> None:
        wait_until(lambda: len(children(self.worker.pid)) >= self.concurrency, 60, "the Celery pool")

    def kill_one(self, rng: random.Random) -> None:
        pick = rng.random()
        if pick < 0.45:
            # granian gives up (exits) when a worker dies again within 5.5 s of its respawn; under
            # systemd it would be restarted whole, here a younger worker is simply spared.
            targets = [pid for pid in children(self.server.pid) if age(pid) > GRANIAN_CRASH_LOOP_SECONDS]
            what = "granian worker"
        elif pick < 0.85:
            targets, what = children(self.worker.pid), "celery pool process"
        else:
            what = "celery worker (whole)"
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
            self.kills.append((what, self.worker.pid))
            self.worker = self.made.worker(self.env, self.concurrency)
            self.wait_for_pool()
            return
        if not targets:
            return self.kill_one(rng)
        pid = rng.choice(targets)
        os.kill(pid, signal.SIGKILL)
        self.kills.append((what, pid))


def kill(args: argparse.Namespace) -> bool:
    with stack() as made:
        made.start_postgres()
        made.start_redis()
        env = made.app_env()
        # A worker that died whole: its tasks go back to the queue after this long (see settings.py).
        env["TRUSTROOM_CELERY_VISIBILITY_TIMEOUT"] = "20"
        made.migrate()
        made.setup_django(env)
        world = organization_with_token("kill-co")
        server, base = made.serve(env, args.web_workers)
        killer = Killer(made, server, env, args.concurrency)
        killer.wait_for_pool()
        recorder, stop = Recorder(), threading.Event()
        threads = [
            threading.Thread(
                target=client, args=(recorder, base, world, stop, seed, args.results), daemon=True
            )
            for seed in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        rng = random.Random(20)
        started = time.monotonic()
        for _ in range(args.kills):
            time.sleep(rng.uniform(0.5, 1.5) * args.interval)
            killer.kill_one(rng)
        time.sleep(args.interval)
        stop.set()
        for thread in threads:
            thread.join(30)
        load_seconds = time.monotonic() - started
        jobs = {a.body["id"]: a.marker for a in recorder.answers if a.kind == "import" and a.status == 202}
        settled = _settle(world, jobs, args.settle)
        takeovers = (made.root / "worker.log").read_text(errors="replace").count("worker stopped mid-run")
        passed = _report(args, recorder, world, jobs, killer.kills, load_seconds, settled, takeovers)
        if server.poll() is not None:
            print(f"granian exited ({server.returncode}) during the run")
        if not passed:
            print("worker log (last lines):\n" + made.log_tail("worker.log"))
            print("server log (last lines):\n" + made.log_tail("server.log"))
        return passed


def _settle(world: dict, jobs: dict[int, str], timeout: float) -> float | None:
    from trustroom.assessments.models import FindingImport, ImportStatus
    from trustroom.tenancy.scope import org_scope

    def done() -> bool:
        with org_scope(world["org"]):
            finished = FindingImport.objects.filter(
                pk__in=jobs, status__in=[ImportStatus.SUCCEEDED, ImportStatus.FAILED]
            )
            return finished.count() == len(jobs)

    try:
        return wait_until(done, timeout, "the imports")
    except RuntimeError:
        return None


def _report(
    args: argparse.Namespace,
    recorder: Recorder,
    world: dict,
    jobs: dict[int, str],
    kills: list[tuple[str, int]],
    load_seconds: float,
    settled: float | None,
    takeovers: int,
) -> bool:
    from trustroom.assessments.models import Finding, FindingImport, ImportStatus
    from trustroom.audit.models import AuditEvent
    from trustroom.tenancy.scope import org_scope

    answers = recorder.answers
    writes = [a.marker for a in answers if a.kind == "write" and a.status == 201]
    with org_scope(world["org"]):
        titles = Counter(Finding.objects.values_list("title", flat=True))
        statuses = dict(FindingImport.objects.filter(pk__in=jobs).values_list("pk", "status"))
        errors = Counter(
            f"{status}: {error[:160]}"
            for status, error in FindingImport.objects.filter(pk__in=jobs)
            .exclude(status=ImportStatus.SUCCEEDED)
            .values_list("status", "error")
        )
        audited = Counter(
            int(target)
            for target in AuditEvent.objects.filter(action="finding.import").values_list(
                "target_id", flat=True
            )
        )
    per_job = Counter()
    for title, count in titles.items():
        if title.startswith("kill-job-"):
            per_job[title.rsplit("-r", 1)[0]] += count
    doubled = [t for t, n in titles.items() if n > 1]
    missing_writes = [m for m in writes if titles[m] != 1]
    unsettled = [j for j in jobs if statuses.get(j) != ImportStatus.SUCCEEDED]
    wrong_counts = [j for j, marker in jobs.items() if per_job[marker] != args.results]
    audit_wrong = [j for j in jobs if audited[j] != 1]
    print()
    print(
        f"kill: {len(kills)} SIGKILLs in {load_seconds:.0f} s of load: {dict(Counter(k for k, _ in kills))}; "
        f"granian {args.web_workers} workers, Celery {args.concurrency} processes, "
        f"{args.threads} client threads"
    )
    print(f"  answers: {dict(sorted(Counter((a.kind, a.status) for a in answers).items()))}")
    print(
        f"  writes answered 201: {len(writes)}; imports answered 202: {len(jobs)}, settled in "
        f"{'-' if settled is None else f'{settled:.1f} s'} after the load; "
        f"imports run again after their worker "
        f"was killed: {takeovers}"
    )
    print(
        f"  stored: {sum(titles.values())} findings, {len(doubled)} titles twice; writes missing or doubled: "
        f"{len(missing_writes)}; imports not succeeded: {len(unsettled)}, with the wrong number of findings: "
        f"{len(wrong_counts)}, without exactly one audit event: {len(audit_wrong)}"
    )
    if errors:
        print(f"  imports that did not succeed: {dict(errors)}")
    return verdict(
        [
            (f"{args.kills} processes killed with SIGKILL", len(kills) == args.kills),
            ("every write answered 201 is stored exactly once", not missing_writes and bool(writes)),
            ("no finding is stored twice (nothing else duplicated)", not doubled),
            ("every import answered 202 succeeded", not unsettled and bool(jobs)),
            (
                f"... with exactly {args.results} findings and one audit event (took effect once)",
                not wrong_counts and not audit_wrong,
            ),
        ]
    )
