"""Benchmark: anonymous GET of the public trust center, Trustroom vs nginx serving the same HTML.

    .venv/bin/python bench/trust_center.py [--seconds 10] [--connections 32]
        [--server granian|gunicorn-sync|gunicorn-gthread] [--workers N] [--worker-threads N] [--no-fast-path]

What it does (prints figures; it is not a test):
1. builds a demo database in a temporary data directory (`trustroom migrate`, `trustroom demo`,
   `trustroom collectstatic`) and serves it in production mode, started as production would start it,
   with the production WSGI server (granian, `--interface wsgi`, two workers per core, by default; or
   gunicorn sync / gthread for comparison) on a free loopback port; the application is
   `trustroom.wsgi:application`, i.e. with the trust center's WSGI fast path (`--no-fast-path` turns it
   off through TRUSTROOM_TRUST_CENTER_FAST_PATH=false);
2. saves the rendered `/trust/demo-co/` as a static file and serves it with nginx (own temporary
   configuration, own free loopback port, not a daemon: it stops with this script);
3. for scale, serves the same bytes from a bare WSGI function under the same server settings (the
   ceiling for any Python WSGI application here);
4. warms each up, then loads each for `--seconds` with wrk at `--connections` connections and prints
   requests per second and p99 latency side by side, the ratios, and the server and its workers.
Goal (issue 3): Trustroom at least 20% of nginx's throughput, p99 under 25 ms.

nginx and wrk come from Debian (`apt-get install -y nginx-light wrk`, or `nginx wrk`); when missing,
the script installs them (it needs root for that) and stops the nginx service the package may start.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGE = "/trust/demo-co/"
GOAL_RATIO = 0.20
GOAL_P99_MS = 25.0


@dataclass
class Result:
    name: str
    rps: float
    p99_ms: float
    errors: int
    requests: int


def _which(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )


def ensure_tools() -> tuple[str, str]:
    nginx, wrk = _which("nginx"), _which("wrk")
    if nginx and wrk:
        return nginx, wrk
    if os.geteuid() != 0:
        sys.exit("nginx and wrk are missing: install them with `apt-get install -y nginx-light wrk` (root).")
    print("installing nginx and wrk (apt-get) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = shutil.which("apt-get") or "/usr/bin/apt-get"
    for packages in (["nginx-light", "wrk"], ["nginx", "wrk"]):
        install = [apt, "install", "-y", "-q", *packages]
        done = subprocess.run(install, env=env, check=False)  # noqa: S603
        if done.returncode != 0:
            subprocess.run([apt, "update", "-q"], env=env, check=False)  # noqa: S603
            done = subprocess.run(install, env=env, check=False)  # noqa: S603
        if done.returncode == 0:
            break
    _stop_packaged_nginx()
    nginx, wrk = _which("nginx"), _which("wrk")
    if not (nginx and wrk):
        sys.exit("could not install nginx and wrk")
    return nginx, wrk


def _stop_packaged_nginx() -> None:
    """The Debian package may start its own nginx service: stop it (only that one, by its pid file)."""
    pid_file = Path("/run/nginx.pid")
    if pid_file.exists():
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGQUIT)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL we built
                return bytes(response.read())
        except Exception as error:  # still starting
            last = error
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer: {last}")


def trustroom_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TRUSTROOM_ENV": "production",
        "TRUSTROOM_DATA_DIR": str(data_dir),
        "TRUSTROOM_STATIC_ROOT": str(data_dir / "static"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUSTROOM_SSL_REDIRECT": "false",  # plain HTTP on loopback, like behind a TLS proxy
        "TRUSTROOM_LOG_LEVEL": "WARNING",
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }


def prepare_database(env: dict[str, str]) -> None:
    trustroom = str(BIN / "trustroom")
    for args in (["migrate", "--noinput", "-v", "0"], ["demo"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([trustroom, *args], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


SERVERS = ("granian", "gunicorn-sync", "gunicorn-gthread")
DEFAULT_SERVER = "granian"


def default_workers(server: str) -> int:
    cores = os.cpu_count() or 1
    return cores if server == "gunicorn-gthread" else 2 * cores


def default_threads(server: str) -> int:
    return 4 if server == "gunicorn-gthread" else 1


def server_command(
    server: str, app: str, port: int, workers: int, threads: int, log: Path, cwd: Path
) -> list[str]:
    """The production command line of each server (the README's is the granian one)."""
    if server == "granian":
        # Rust HTTP server, Python only for the application; keep-alive connections, like nginx.
        return [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backlog",
            "2048",
            "--no-ws",
            "--log-level",
            "warning",
            "--working-dir",
            str(cwd),
            app,
        ]
    # gunicorn sync: one request at a time per worker process and a new connection for every request
    # (wrk reconnects; that cost is part of what is measured). gthread keeps connections alive as nginx
    # does, but its threads contend for the GIL.
    worker_class = "gthread" if server == "gunicorn-gthread" else "sync"
    return [
        str(BIN / "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--keep-alive",
        "5",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
    ]


def start_server(
    server: str,
    env: dict[str, str],
    port: int,
    workers: int,
    threads: int,
    log: Path,
    app: str = "trustroom.wsgi:application",
    cwd: Path = ROOT,
) -> subprocess.Popen[bytes]:
    command = server_command(server, app, port, workers, threads, log, cwd)
    with log.open("ab") as errors:
        return subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True, stderr=errors)  # noqa: S603


def describe_server(server: str, workers: int, threads: int) -> str:
    if server == "granian":
        return f"granian --interface wsgi, {workers} workers x {threads} blocking threads"
    if server == "gunicorn-gthread":
        return f"gunicorn gthread, {workers} workers x {threads} threads"
    return f"gunicorn sync, {workers} workers"


# The ceiling for any Python WSGI application under the same server: the same bytes, no framework.
BARE_WSGI = """\
from pathlib import Path

BODY = Path(__file__).with_name("site").joinpath("index.html").read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
"""


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/site;
        location = {page} {{
            default_type text/html;
            try_files /index.html =404;
        }}
    }}
}}
"""


def start_nginx(nginx: str, tmp: Path, port: int, html: bytes) -> subprocess.Popen[bytes]:
    # nginx started by root runs its workers as an unprivileged user: the page and the directories
    # above it must be readable by them (mkdtemp makes the temporary directory private).
    tmp.chmod(0o755)
    site = tmp / "site"
    site.mkdir(mode=0o755, exist_ok=True)
    (site / "index.html").write_bytes(html)
    (site / "index.html").chmod(0o644)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, page=PAGE))
    subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(tmp)], check=True)  # noqa: S603
    return subprocess.Popen(  # noqa: S603
        [nginx, "-c", str(conf), "-p", str(tmp)], start_new_session=True, stderr=subprocess.DEVNULL
    )


def stop(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(wrk: str, name: str, url: str, *, seconds: int, connections: int, threads: int) -> Result:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(name=name, rps=rps, p99_ms=p99, errors=errors, requests=total)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--server", choices=SERVERS, default=DEFAULT_SERVER, help="production WSGI server")
    parser.add_argument(
        "--workers", type=int, help="worker processes (default: 2 x cores; gunicorn-gthread: cores)"
    )
    parser.add_argument(
        "--worker-threads", type=int, help="threads per worker (granian blocking threads, gunicorn gthread)"
    )
    parser.add_argument(
        "--no-fast-path",
        action="store_true",
        help="Trustroom without its WSGI fast path",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args()
    workers = args.workers or default_workers(args.server)
    threads = args.worker_threads or default_threads(args.server)
    server_line = describe_server(args.server, workers, threads)

    nginx, wrk = ensure_tools()
    tmp = Path(tempfile.mkdtemp(prefix="trustroom-bench-"))
    app: subprocess.Popen[bytes] | None = None
    web: subprocess.Popen[bytes] | None = None
    bare: subprocess.Popen[bytes] | None = None
    try:
        env = trustroom_env(tmp / "data")
        if args.no_fast_path:
            env["TRUSTROOM_TRUST_CENTER_FAST_PATH"] = "false"
        print(f"building the demo database in {tmp / 'data'} ...", flush=True)
        prepare_database(env)
        app_port, nginx_port = free_port(), free_port()
        app = start_server(args.server, env, app_port, workers, threads, tmp / "server.log")
        app_url = f"http://127.0.0.1:{app_port}{PAGE}"
        html = wait_for(app_url)
        if b"Demo Co" not in html:
            sys.exit(f"{app_url} did not serve the demo trust center")
        web = start_nginx(nginx, tmp, nginx_port, html)
        nginx_url = f"http://127.0.0.1:{nginx_port}{PAGE}"
        if wait_for(nginx_url) != html:
            sys.exit("nginx does not serve the same page")
        (tmp / "bare_wsgi.py").write_text(BARE_WSGI)
        bare_port = free_port()
        bare = start_server(
            args.server,
            dict(os.environ),
            bare_port,
            workers,
            threads,
            tmp / "bare.log",
            app="bare_wsgi:application",
            cwd=tmp,
        )
        bare_url = f"http://127.0.0.1:{bare_port}{PAGE}"
        if wait_for(bare_url) != html:
            sys.exit("the bare WSGI app does not serve the same page")

        print(
            f"page {PAGE}: {len(html):,} bytes; server: {server_line}"
            f"{' (fast path OFF)' if args.no_fast_path else ' (fast path on)'}; "
            f"wrk {args.threads} threads, {args.connections} connections, {args.seconds} s each "
            f"(after {args.warmup} s warm-up); {os.cpu_count()} CPUs shared by all; "
            f"load average before: {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        results: list[Result] = []
        targets = (
            ("nginx (static file)", nginx_url),
            ("trustroom", app_url),
            ("bare WSGI", bare_url),
        )
        for name, url in targets:
            run_wrk(wrk, name, url, seconds=args.warmup, connections=args.connections, threads=args.threads)
            results.append(
                run_wrk(
                    wrk, name, url, seconds=args.seconds, connections=args.connections, threads=args.threads
                )
            )
        static, dynamic, ceiling = results
        print()
        print(f"{'':24}{'requests/s':>12}{'p99 latency':>14}{'requests':>11}{'errors':>8}")
        for r in results:
            print(f"{r.name:24}{r.rps:12,.0f}{r.p99_ms:11.2f} ms{r.requests:11,}{r.errors:8}")
        ratio = dynamic.rps / static.rps if static.rps else 0.0
        print()
        print(f"server: {server_line}; nginx: worker_processes auto, static file")
        print(f"throughput ratio trustroom / nginx: {ratio:.1%} (goal ≥ {GOAL_RATIO:.0%})")
        print(f"trustroom p99: {dynamic.p99_ms:.2f} ms (goal < {GOAL_P99_MS:.0f} ms)")
        print(
            f"for scale: the same bytes from a bare WSGI function under the same server reach "
            f"{ceiling.rps / static.rps if static.rps else 0.0:.1%} of nginx, "
            f"and trustroom {dynamic.rps / ceiling.rps if ceiling.rps else 0.0:.1%} of that"
        )
        met = ratio >= GOAL_RATIO and dynamic.p99_ms < GOAL_P99_MS and not dynamic.errors
        print("goal met" if met else "goal NOT met")
    finally:
        stop(web, signal.SIGQUIT)
        stop(app)
        stop(bare)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
