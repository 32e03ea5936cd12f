"""`parse_untrusted`: parse an uploaded questionnaire in a child process under CPU, memory and time limits.

Same approach as `trustroom.assessments.importers.sandbox`: the parent writes the file to a private
temporary file and runs this module's `_main` in a new interpreter (`python -m
trustroom.answers.questionnaires.formats.sandbox PATH NAME CPU MEM`, see CHILD_BOOTSTRAP);
the child caps its own CPU seconds (RLIMIT_CPU), address space (RLIMIT_AS) and file writes
(RLIMIT_FSIZE = 0) before it imports the parsers, then prints one JSON line: {"ok": to_dict()} or
{"error": message}. The parent also enforces a wall-clock limit and a cap on what it reads back. A child
that dies (CPU limit, out of memory, crash) without its line means the file is refused. No Django in
the child: the parsers are plain Python, openpyxl and defusedxml (forced on via OPENPYXL_DEFUSEDXML).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from .base import ParsedQuestionnaire, QuestionnaireFormatError
from .detect import check_size

CPU_SECONDS = 30
MEMORY_BYTES = 1024 * 1024 * 1024
WALL_SECONDS = 60.0
MAX_OUTPUT_BYTES = 128 * 1024 * 1024  # what the parent reads back from the child at most
READ_CHUNK_BYTES = 256 * 1024
MODULE = "trustroom.answers.questionnaires.formats.sandbox"

# The child runs `_main` of this module without importing `trustroom/__init__.py` (which sets up Celery,
# a needless 0.3-0.9 s per upload): the top-level package is registered as a bare namespace over the same
# directory, so `trustroom.answers...` imports as usual. `python -m <MODULE> ...` works the same, slower.
CHILD_BOOTSTRAP = (
    "import importlib.util, sys, types\n"
    "spec = importlib.util.find_spec('trustroom')\n"
    "package = types.ModuleType('trustroom')\n"
    "package.__path__ = list(spec.submodule_search_locations)\n"
    "sys.modules['trustroom'] = package\n"
    f"from {MODULE} import _main\n"
    "_main()\n"
)

# Test hook: when set in the environment, the child misbehaves on purpose ("cpu": spins, "memory":
# allocates without end, "sleep": sleeps, "crash": dies) after setting its limits, so that tests can
# check the limits hold. Never set it in production.
SELFTEST_ENV = "TRUSTROOM_QUESTIONNAIRE_SANDBOX_SELFTEST"

# The only environment variables the child gets (none of the parent's secrets: DB passwords, keys).
CHILD_ENVIRONMENT = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", SELFTEST_ENV)

LIMITS_MESSAGE = (
    "The file could not be read within the CPU and memory limits (it may be damaged, far too large, "
    "or built to attack the reader)."
)


def parse_untrusted(
    data: bytes,
    *,
    filename: str,
    cpu_seconds: int = CPU_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
    wall_seconds: float = WALL_SECONDS,
) -> ParsedQuestionnaire:
    """`parse_questionnaire(data, filename=filename)`, run in a resource-limited child process."""
    check_size(data)
    with tempfile.NamedTemporaryFile(prefix="trustroom-questionnaire-", suffix=".upload") as upload:
        upload.write(data)
        upload.flush()
        argv = [
            sys.executable,
            "-B",  # writes no bytecode: the child may not write files
            "-c",
            CHILD_BOOTSTRAP,
            upload.name,
            _safe_name(filename),
            str(int(cpu_seconds)),
            str(int(memory_bytes)),
        ]
        env = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
        env["OPENPYXL_DEFUSEDXML"] = "True"
        env["OPENPYXL_LXML"] = "False"
        output, timed_out = _run(argv, env, wall_seconds)
    if timed_out:
        raise QuestionnaireFormatError(f"The file took longer than {wall_seconds:g} seconds to read.")
    try:
        message = json.loads(output)
    except ValueError:
        message = None
    if isinstance(message, dict) and isinstance(message.get("error"), str):
        raise QuestionnaireFormatError(message["error"])
    if isinstance(message, dict) and isinstance(message.get("ok"), dict):
        try:
            return ParsedQuestionnaire.from_dict(message["ok"])
        except (KeyError, TypeError, ValueError):
            pass
    raise QuestionnaireFormatError(LIMITS_MESSAGE)


def _safe_name(filename: str) -> str:
    """The file's base name, printable and short (the child only uses it as a format hint)."""
    name = os.path.basename(filename.replace("\\", "/"))
    return "".join(ch for ch in name if ch.isprintable())[-200:] or "upload"


def _read_at_most(stream: Any, limit: int) -> bytes:
    """Everything `stream` gives, or b"" once it passes `limit` bytes. Read in chunks: `read(limit)`
    would allocate the whole limit up front on every upload, however short the answer."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read1(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            return b""
        chunks.append(chunk)
    return b"".join(chunks)


def _run(argv: list[str], env: dict[str, str], wall_seconds: float) -> tuple[bytes, bool]:
    proc = subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter and this module
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(wall_seconds, kill)
    timer.start()
    try:
        assert proc.stdout is not None  # noqa: S101 - stdout=PIPE above
        output = _read_at_most(proc.stdout, MAX_OUTPUT_BYTES)
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    return output, timed_out.is_set()


def _limit(kind: int, value: int) -> None:
    resource.setrlimit(kind, (value, value))


def _selftest(mode: str) -> None:  # pragma: no cover - runs in the child process
    if mode == "cpu":
        while True:
            pass
    if mode == "memory":
        hoard: list[bytes] = []
        while True:
            hoard.append(b"x" * (16 * 1024 * 1024))
    if mode == "sleep":
        time.sleep(3600)
    if mode == "crash":
        os.abort()


def _main() -> None:  # pragma: no cover - runs in the child process
    path, filename, cpu_seconds, memory_bytes = sys.argv[1:5]
    _limit(resource.RLIMIT_CPU, int(cpu_seconds))
    _limit(resource.RLIMIT_AS, int(memory_bytes))
    _limit(resource.RLIMIT_CORE, 0)
    with open(path, "rb") as file:
        data = file.read()
    _limit(resource.RLIMIT_FSIZE, 0)
    if os.environ.get(SELFTEST_ENV):
        _selftest(os.environ[SELFTEST_ENV])
    from .detect import parse_questionnaire

    result: dict[str, Any]
    try:
        result = {"ok": parse_questionnaire(data, filename=filename).to_dict()}
    except QuestionnaireFormatError as exc:
        result = {"error": str(exc)}
    except MemoryError:
        sys.exit(3)
    except RecursionError:
        result = {"error": "The file is nested too deeply to be read."}
    except Exception as exc:
        result = {"error": f"The file could not be read (unexpected {type(exc).__name__})."}
    try:
        sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8") + b"\n")
        sys.stdout.buffer.flush()
    except MemoryError:
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    _main()
