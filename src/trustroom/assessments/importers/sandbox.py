"""Parse an untrusted report in a child process under CPU-time and address-space limits.

Same approach as `trustroom.vault.pdfinspect`: the child (`python -m
trustroom.assessments.importers.sandbox`) caps its own CPU seconds and memory with setrlimit before it
opens the file, then streams one JSON line per finding (and progress lines) on stdout; the parent
reads them as they come and also enforces a wall-clock limit. A child that dies (CPU limit, out of
memory, crash) without its final "done" line means the file is rejected. No Django in the child.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator

from .base import ImportFormatError, ParsedFinding, Progress, default_max_bytes

CPU_SECONDS = 120
MEMORY_BYTES = 1024 * 1024 * 1024
WALL_SECONDS = 600


def parse_in_sandbox(
    path: str,
    format: str | None = None,
    *,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    cpu_seconds: int = CPU_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
    wall_seconds: float = WALL_SECONDS,
) -> Iterator[ParsedFinding]:
    """Yield the findings of the report at `path`, parsed in a resource-limited child process."""
    limit = default_max_bytes() if max_bytes is None else max_bytes
    argv = [
        sys.executable,
        "-m",
        "trustroom.assessments.importers.sandbox",
        str(path),
        format or "",
        str(limit),
        str(cpu_seconds),
        str(memory_bytes),
        "1" if progress is not None else "0",
    ]
    proc = subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter and this module
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(wall_seconds, kill)
    timer.start()
    done = False
    try:
        for raw in proc.stdout or ():
            try:
                message = json.loads(raw)
            except ValueError:
                break
            if "f" in message:
                yield ParsedFinding.from_dict(message["f"])
            elif "p" in message and progress is not None:
                progress(int(message["p"][0]), int(message["p"][1]))
            elif "error" in message:
                raise ImportFormatError(str(message["error"]))
            elif "done" in message:
                done = True
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    if not done:
        if timed_out.is_set():
            raise ImportFormatError(f"The report took longer than {wall_seconds:g} seconds to parse.")
        raise ImportFormatError(
            "The report could not be parsed within the CPU and memory limits (it may be damaged or hostile)."
        )


def _main() -> None:  # pragma: no cover - runs in the child process
    path, fmt, limit, cpu_seconds, memory_bytes, want_progress = sys.argv[1:7]
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds)))
    resource.setrlimit(resource.RLIMIT_AS, (int(memory_bytes), int(memory_bytes)))
    from .detect import parse_report

    out = sys.stdout
    last = [0]

    def progress(done: int, total: int) -> None:
        if done - last[0] >= 256 * 1024 or done == total:
            last[0] = done
            out.write(json.dumps({"p": [done, total]}) + "\n")

    count = 0
    try:
        with open(path, "rb") as file:
            findings = parse_report(
                file, fmt or None, progress=progress if want_progress == "1" else None, max_bytes=int(limit)
            )
            for finding in findings:
                out.write(json.dumps({"f": finding.to_dict()}) + "\n")
                count += 1
    except ImportFormatError as exc:
        out.write(json.dumps({"error": str(exc)}) + "\n")
        out.flush()
        return
    except MemoryError:
        out.flush()
        sys.exit(3)
    out.write(json.dumps({"done": count}) + "\n")
    out.flush()


if __name__ == "__main__":  # pragma: no cover
    _main()
