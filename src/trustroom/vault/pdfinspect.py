"""Check an uploaded PDF in a separate process with CPU-time and memory limits.

An uploaded file is untrusted input: a crafted PDF can make a parser loop or inflate a stream to
gigabytes. So the parse happens in a child Python process (`python -m trustroom.vault.pdfinspect`) that
caps its own CPU seconds and address space before it reads a byte, and the parent also applies a
wall-clock timeout. The child answers one line of JSON; anything else is treated as a rejected file.
This module must not import Django (the child does not set it up).
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
from dataclasses import dataclass

CPU_SECONDS = 10
MEMORY_BYTES = 1024 * 1024 * 1024
WALL_SECONDS = 30

MESSAGES = {
    "empty": "The file is empty.",
    "not_pdf": "The file is not a PDF. Upload a PDF document (.pdf).",
    "truncated": "The PDF is incomplete (it does not end like a PDF file). Upload the whole file again.",
    "encrypted": (
        "The PDF is encrypted or password-protected. Save a copy without a password and upload that."
    ),
    "no_pages": "The PDF has no pages.",
    "too_many_pages": "The PDF has {pages} pages; at most {max_pages} are allowed.",
    "unreadable": "The PDF could not be read (it is damaged or malformed).",
    "too_complex": "The PDF took too long or too much memory to read; it may be damaged.",
}


@dataclass(frozen=True)
class PdfInfo:
    page_count: int


class PdfRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _message(code: str, **params: object) -> str:
    return MESSAGES.get(code, MESSAGES["unreadable"]).format(**params)


def quick_reject(content: bytes) -> str | None:
    """Cheap checks that need no parser: an error code, or None."""
    if not content:
        return "empty"
    if b"%PDF-" not in content[:1024]:
        return "not_pdf"
    if b"%%EOF" not in content[-2048:]:
        return "truncated"
    return None


def inspect_pdf(
    content: bytes, *, max_pages: int, cpu_seconds: int = CPU_SECONDS, memory_bytes: int = MEMORY_BYTES
) -> PdfInfo:
    """Return the page count of a readable, unencrypted PDF, or raise PdfRejected with a clear message."""
    code = quick_reject(content)
    if code:
        raise PdfRejected(code, _message(code))
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv: this interpreter and this module
            [
                sys.executable,
                "-m",
                "trustroom.vault.pdfinspect",
                str(max_pages),
                str(cpu_seconds),
                str(memory_bytes),
            ],
            input=content,
            capture_output=True,
            timeout=WALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PdfRejected("too_complex", _message("too_complex")) from exc
    try:
        answer = json.loads(completed.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        # Killed by its CPU limit (SIGXCPU), out of memory, or crashed: the file is not acceptable.
        raise PdfRejected("too_complex", _message("too_complex")) from exc
    if answer.get("ok"):
        return PdfInfo(page_count=int(answer["pages"]))
    code = str(answer.get("code", "unreadable"))
    raise PdfRejected(code, _message(code, pages=answer.get("pages"), max_pages=max_pages))


def _check(content: bytes, max_pages: int) -> dict[str, object]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    code = quick_reject(content)
    if code:
        return {"ok": False, "code": code}
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return {"ok": False, "code": "encrypted"}
        pages = len(reader.pages)
        if pages == 0:
            return {"ok": False, "code": "no_pages"}
        if pages > max_pages:
            return {"ok": False, "code": "too_many_pages", "pages": pages}
        for page in reader.pages:  # every page must be usable later (watermarking reads them all)
            _ = page.mediabox
            page.get_contents()
    except (MemoryError, LimitReachedError):  # e.g. a stream that inflates past pypdf's output limit
        return {"ok": False, "code": "too_complex"}
    except Exception:  # any parser error means a damaged or malformed file
        return {"ok": False, "code": "unreadable"}
    return {"ok": True, "pages": pages}


def _main() -> None:  # pragma: no cover - runs in the child process
    max_pages, cpu_seconds, memory_bytes = (int(arg) for arg in sys.argv[1:4])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    import logging

    logging.disable(logging.CRITICAL)  # pypdf warns about every quirk of a file; the answer is enough
    content = sys.stdin.buffer.read()
    sys.stdout.write(json.dumps(_check(content, max_pages)) + "\n")


if __name__ == "__main__":  # pragma: no cover
    _main()
