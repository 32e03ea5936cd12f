"""Checking an evidence package (`trustroom evidence verify PACKAGE`): a ZIP is untrusted input.

Before anything is read, every member is checked: no absolute path, no `..`, no duplicate name, no
symlink, at most MAX_MEMBERS members, at most MAX_TOTAL_BYTES uncompressed, no member expanding more
than MAX_RATIO times (a zip bomb). Then manifest.json must list every other member exactly once, and
every member's size and SHA-256 must match it (read with the manifest's size as a cap). Each problem is
named; the report is good only without any.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

MANIFEST = "manifest.json"
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 4 * 1024**3
MAX_MANIFEST_BYTES = 20 * 1024**2
MAX_RATIO = 200  # deflate reaches ~1000:1 only on degenerate input; real evidence stays far below this
RATIO_FLOOR_BYTES = 1024**2  # small members may compress well (a page of JSON): judge ratio above 1 MiB
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
READ_CHUNK = 1024 * 1024

# Problem kinds, as printed.
UNSAFE = "unsafe member"
BAD_ZIP = "bad zip"
BAD_MANIFEST = "bad manifest"
MISSING = "missing file"
EXTRA = "extra file"
HASH_MISMATCH = "hash mismatch"
SIZE_MISMATCH = "size mismatch"


@dataclass(frozen=True)
class Problem:
    kind: str
    path: str
    detail: str

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ":"
        return f"{self.kind}{where} {self.detail}"


@dataclass
class PackageReport:
    problems: list[Problem] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, path: str, detail: str) -> None:
        self.problems.append(Problem(kind, path, detail))


def unsafe_reason(info: zipfile.ZipInfo) -> str:
    """Why a member may not be read, or "" when it may."""
    name = info.filename
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        return "absolute path"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "path leaves the package (..)"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if info.is_dir():
        return "directory entry"
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"expands {info.file_size // max(info.compress_size, 1)} times (at most {MAX_RATIO})"
    return ""


def _screen(archive: zipfile.ZipFile, report: PackageReport) -> bool:
    """Check every member's header; True when all may be read."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        report.add(UNSAFE, "", f"{len(members)} members (at most {MAX_MEMBERS})")
        return False
    seen: set[str] = set()
    total = 0
    for info in members:
        reason = unsafe_reason(info)
        if reason:
            report.add(UNSAFE, info.filename, reason)
        if info.filename in seen:
            report.add(UNSAFE, info.filename, "duplicate name")
        seen.add(info.filename)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        report.add(UNSAFE, "", f"{total} bytes uncompressed (at most {MAX_TOTAL_BYTES})")
    return report.ok


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> tuple[bytes, bool]:
    with archive.open(name) as handle:
        data = handle.read(cap + 1)
    return data[:cap], len(data) > cap


def _manifest_files(manifest: Any, report: PackageReport) -> dict[str, dict[str, Any]] | None:
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        report.add(BAD_MANIFEST, MANIFEST, 'no "files" list')
        return None
    listed: dict[str, dict[str, Any]] = {}
    for position, entry in enumerate(files):
        valid = (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("size"), int)
            and not isinstance(entry.get("size"), bool)
            and entry["size"] >= 0
            and isinstance(entry.get("sha256"), str)
            and SHA256_HEX.match(entry["sha256"])
        )
        if not valid:
            report.add(BAD_MANIFEST, MANIFEST, f"entry {position} needs a path, a size and a sha256")
            continue
        if entry["path"] in listed or entry["path"] == MANIFEST:
            report.add(BAD_MANIFEST, MANIFEST, f"{entry['path']} is listed more than once or lists itself")
            continue
        listed[entry["path"]] = entry
    head = manifest.get("audit_chain_head")
    if not (
        isinstance(head, dict) and isinstance(head.get("seq"), int) and isinstance(head.get("hash"), str)
    ):
        report.add(BAD_MANIFEST, MANIFEST, "no audit_chain_head with seq and hash")
    return listed


def _hash_member(archive: zipfile.ZipFile, name: str, cap: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as handle:
        while size <= cap:
            chunk = handle.read(min(READ_CHUNK, cap + 1 - size))
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify_package(source: str | IO[bytes]) -> PackageReport:
    """Check a package file (path or binary file object) against its manifest."""
    report = PackageReport()
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        report.add(BAD_ZIP, "", f"not a readable ZIP file ({exc})")
        return report
    with archive:
        if not _screen(archive, report):
            return report
        names = {info.filename for info in archive.infolist()}
        if MANIFEST not in names:
            report.add(MISSING, MANIFEST, "the package has no manifest")
            return report
        raw, too_big = _read_capped(archive, MANIFEST, MAX_MANIFEST_BYTES)
        if too_big:
            report.add(BAD_MANIFEST, MANIFEST, f"larger than {MAX_MANIFEST_BYTES} bytes")
            return report
        try:
            manifest = json.loads(raw)
        except ValueError as exc:
            report.add(BAD_MANIFEST, MANIFEST, f"not valid JSON ({exc})")
            return report
        report.manifest = manifest if isinstance(manifest, dict) else None
        listed = _manifest_files(manifest, report)
        if listed is None:
            return report
        for name in sorted(names - {MANIFEST} - set(listed)):
            report.add(EXTRA, name, "in the package but not in the manifest")
        for path, entry in listed.items():
            if path not in names:
                report.add(MISSING, path, "listed in the manifest but not in the package")
                continue
            sha256, size = _hash_member(archive, path, entry["size"])
            if size != entry["size"]:
                found = f"more than {entry['size']}" if size > entry["size"] else str(size)
                report.add(SIZE_MISMATCH, path, f"{found} bytes, the manifest says {entry['size']}")
            elif sha256 != entry["sha256"]:
                report.add(HASH_MISMATCH, path, f"SHA-256 {sha256}, the manifest says {entry['sha256']}")
            report.files_checked += 1
    return report
