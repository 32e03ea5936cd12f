"""What bench/faults.py runs its faults against: a private PostgreSQL cluster and Redis (never the
machine's shared ones), the production web server (granian, as bench/trust_center.py starts it), a
Celery worker, and an HTTP client that records every answer.

Everything lives in one temporary directory and is stopped and removed by `Stack.close()`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from trust_center import BIN, ROOT, free_port, start_server, stop, trustroom_env  # noqa: E402

OWNER, APP, BACKUP = "trustroom_owner", "trustroom_app", "trustroom_backup"
DATABASE = "trustroom"


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("PostgreSQL's server binaries are missing: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` OS user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A throw-away cluster on a free loopback port, with the production roles: the owner migrates,
    the application role owns nothing and is under row-level security, the backup role may read
    everything (BYPASSRLS: forced row-level security would hide every row from the owner's pg_dump)."""

    def __init__(self, root: Path) -> None:
        self.bin = _pg_bin()
        self.dir = root / "pg"
        self.socket_dir = root / "pg-socket"
        self.log = root / "pg.log"
        self.port = free_port()

    def _run(self, *command: str) -> None:
        subprocess.run(_as_postgres(list(command)), check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def init(self) -> None:
        for path in (self.dir, self.socket_dir):
            path.mkdir(mode=0o700)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        if os.geteuid() == 0:
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "-N",
        )
        self.start()
        self.sql(
            f"CREATE ROLE {OWNER} LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS",
            f"CREATE ROLE {APP} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
            f"CREATE ROLE {BACKUP} LOGIN NOSUPERUSER BYPASSRLS IN ROLE pg_read_all_data",
            f"CREATE DATABASE {DATABASE} OWNER {OWNER}",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self.stop("immediate")

    def url(self, role: str, database: str = DATABASE) -> str:
        return f"postgres://{role}@127.0.0.1:{self.port}/{database}"

    def sql(self, *statements: str, role: str = "postgres", database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(role, database), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def tool(self, name: str) -> str:
        return str(self.bin / name)


class PrivateRedis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(root),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        for _ in range(50):
            with contextlib.suppress(redis.RedisError):
                if redis.Redis(port=self.port).ping():
                    return
            time.sleep(0.1)
        raise RuntimeError("the private Redis did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        stop(self.process)


def children(pid: int) -> list[int]:
    """Direct child processes of `pid` (from /proc) that serve: not multiprocessing's resource tracker."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != pid:
                continue
            child = int(stat.split("/")[2])
            if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
    return found


def age(pid: int) -> float:
    """Seconds since the process started (0 when it is gone)."""
    try:
        start_ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Stack:
    """The temporary directory, the services in it, and the environment of every Trustroom process."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="trustroom-faults-")))
    pg: PrivatePostgres | None = None
    redis: PrivateRedis | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root.chmod(0o755)  # the postgres OS user must reach its directories inside

    def start_postgres(self) -> PrivatePostgres:
        self.pg = PrivatePostgres(self.root)
        self.pg.init()
        return self.pg

    def start_redis(self) -> PrivateRedis:
        self.redis = PrivateRedis(self.root)
        return self.redis

    def app_env(self, database: str = DATABASE, data_dir: Path | None = None) -> dict[str, str]:
        """Production settings against the private services, as the application role."""
        assert self.pg is not None
        data = data_dir or self.root / "data"
        env = trustroom_env(data)
        env.update(
            DATABASE_URL=self.pg.url(APP, database),
            TRUSTROOM_DB_CONN_MAX_AGE="60",
            REDIS_URL=self.redis.url if self.redis else "",
            TRUSTROOM_KEK_PATH=str(data / "keys" / "kek.json"),
            SECRET_KEY=self.env.get("SECRET_KEY") or secrets.token_urlsafe(50),
            PYTHONPATH=str(ROOT / "src"),
        )
        return env

    def migrate(self, database: str = DATABASE, data_dir: Path | None = None) -> None:
        assert self.pg is not None
        env = {
            **self.app_env(database, data_dir),
            "DATABASE_URL": self.pg.url(OWNER, database),
            "TRUSTROOM_DB_APP_ROLE": APP,
        }
        # Production serves hashed static files from the manifest collectstatic writes: both at once.
        static = subprocess.Popen(  # noqa: S603
            [str(BIN / "trustroom"), "collectstatic", "--noinput", "-v", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            run_trustroom(env, "migrate", "--noinput", "-v", "0")
            if static.wait() != 0:
                raise RuntimeError("collectstatic failed")
        finally:
            if static.poll() is None:  # stopped early: leave nothing running
                static.kill()
                static.wait()

    def setup_django(self, env: dict[str, str]) -> None:
        """This process becomes a Trustroom process with `env` (to set up data and to check results)."""
        self.env = env
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "trustroom.settings"
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()

    def serve(self, env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
        """granian with the production command line, plus workers respawned when they die."""
        port = free_port()
        command_env = {**env, "GRANIAN_RESPAWN_FAILED_WORKERS": "true", "GRANIAN_RESPAWN_INTERVAL": "0.5"}
        server = start_server("granian", command_env, port, workers, 1, self.root / "server.log")
        self.processes.append(server)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{base}/healthz", timeout=2).status_code == 200, 60, "granian")
        return server, base

    def worker(self, env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
        with (self.root / "worker.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603
                [
                    str(BIN / "celery"),
                    "-A",
                    "trustroom",
                    "worker",
                    "--concurrency",
                    str(concurrency),
                    "--loglevel",
                    "WARNING",
                    "--without-mingle",
                    "--without-gossip",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.root / name
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def close(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                stop(process)
        if self.redis:
            self.redis.close()
        if self.pg:
            self.pg.close()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def stack() -> Iterator[Stack]:
    made = Stack()
    previous = {signal.SIGTERM: signal.getsignal(signal.SIGTERM)}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up when stopped, too
    try:
        yield made
    finally:
        made.close()
        signal.signal(signal.SIGTERM, previous[signal.SIGTERM])


def run_trustroom(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "trustroom"), *args], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def wait_until(check: Any, timeout: float, what: str) -> float:
    """Seconds until `check()` is true (exceptions count as not yet)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s")


@dataclass
class Answer:
    at: float  # time.monotonic() when the answer came
    kind: str
    status: int  # 0: no HTTP answer (connection refused or reset, timeout)
    retry_after: str | None = None
    json: bool = False
    marker: str = ""
    body: Any = None
    error: str = ""  # with status 0: what the client saw instead of an answer


class Recorder:
    """Thread-safe list of answers."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.lock = threading.Lock()

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def call(
        self, session: requests.Session, kind: str, method: str, url: str, marker: str = "", **kw: Any
    ) -> Answer:
        try:
            response = session.request(method, url, timeout=15, allow_redirects=False, **kw)
        except requests.RequestException as exc:
            answer = Answer(time.monotonic(), kind, 0, marker=marker, error=f"{method} {url}: {exc!r}"[:300])
        else:
            is_json = response.headers.get("Content-Type", "").startswith("application/json")
            answer = Answer(
                time.monotonic(),
                kind,
                response.status_code,
                response.headers.get("Retry-After"),
                is_json,
                marker,
                response.json() if is_json and response.content else None,
            )
        self.add(answer)
        return answer


def organization_with_token(slug: str) -> dict[str, Any]:
    """An organization, its owner, a write token, an application and a signed-in session cookie."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from trustroom.assessments import services as assessments
    from trustroom.identity.services import create_api_token
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization

    user = get_user_model().objects.create_user(f"owner@{slug}.test", secrets.token_urlsafe(16))
    org = create_organization(actor=user, slug=slug, name=slug.title())
    with org_scope(org):
        actor = Principal(organization=org, role="owner", user=user)
        _, token = create_api_token(actor=actor, name="faults bench", scope="write")
        app = assessments.create_application(actor=actor, name="Fault target", criticality="high")
    client = Client()
    client.force_login(user)
    # A CSRF secret of our own choosing: sent as the cookie and as X-CSRFToken, as a browser's page does.
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    return {
        "csrf": csrf,
        "org": org,
        "user": user,
        "token": token,
        "application": app.pk,
        "session": client.cookies["sessionid"].value,
    }


def client_sessions(world: dict[str, Any]) -> tuple[requests.Session, requests.Session]:
    """Two HTTP clients of the organization: the API token's, and the signed-in owner's browser (with
    the CSRF cookie and header a page would send)."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {world['token']}"
    browser = requests.Session()
    browser.headers["Cookie"] = f"sessionid={world['session']}; csrftoken={world['csrf']}"
    browser.headers["X-CSRFToken"] = world["csrf"]
    return api, browser
