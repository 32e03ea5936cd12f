"""docs/security/asvs.md maps every ASVS 5.0.0 Level 1 and 2 requirement to the tests that prove it.

The matrix stays honest: each L1/L2 requirement has exactly one row, every row names a real ASVS 5.0.0
requirement at the level it states, a `tested` row names test node ids that exist in tests/, a
`not applicable` row gives its reason and a `gap` row its plan. Node ids are found by reading the test
files with `ast` (module-level `test_*` functions and `Test*` classes' methods), never by running pytest
collection, so this stays fast. Remaining gaps are printed (`pytest -rP`) but do not fail.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "docs" / "security" / "asvs.md"
# A copy of ../shared/data/asvs/OWASP_ASVS_5.0.0_en.flat.json (licence in the folder's NOTICE).
ASVS_JSON = ROOT / "tests" / "fixtures" / "asvs" / "OWASP_ASVS_5.0.0_en.flat.json"
STATUSES = {"tested", "not applicable", "gap"}
NODE_ID = re.compile(r"`(tests/[^`\s]+\.py::[^`\s]+)`")


@dataclass(frozen=True)
class Row:
    line: int
    req_id: str
    level: str
    topic: str
    status: str
    evidence: str

    @property
    def node_ids(self) -> list[str]:
        return NODE_ID.findall(self.evidence)


def matrix_rows(text: str) -> list[Row]:
    """Table rows whose first cell is a requirement id (`V1.2.3`)."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and re.fullmatch(r"V\d+\.\d+\.\d+", cells[0]):
            cells += [""] * (5 - len(cells))
            rows.append(Row(number, cells[0], cells[1], cells[2], cells[3], " | ".join(cells[4:])))
    return rows


@cache
def asvs_levels() -> dict[str, str]:
    """Requirement id -> level ("1", "2" or "3") of ASVS 5.0.0."""
    data = json.loads(ASVS_JSON.read_text(encoding="utf-8"))
    return {item["req_id"]: str(item["L"]) for item in data["requirements"]}


@cache
def defined_node_ids(path: Path) -> frozenset[str]:
    """`tests/x.py::test_f` and `tests/x.py::TestC::test_m` for the tests defined in one file."""
    relative = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    found: set[str] = set()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            found.add(f"{relative}::{node.name}")
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found.update(
                f"{relative}::{node.name}::{method.name}"
                for method in node.body
                if isinstance(method, functions) and method.name.startswith("test")
            )
    return frozenset(found)


def missing_node_ids(node_ids: list[str]) -> list[str]:
    missing = []
    for node_id in node_ids:
        base = node_id.split("[", 1)[0]  # a parametrized case is known by its function's name
        path = ROOT / base.split("::", 1)[0]
        if not path.is_file() or base not in defined_node_ids(path):
            missing.append(node_id)
    return missing


def load_rows() -> list[Row]:
    return matrix_rows(MATRIX.read_text(encoding="utf-8"))


def test_every_level_1_and_2_requirement_has_exactly_one_row() -> None:
    required = {req for req, level in asvs_levels().items() if level in {"1", "2"}}
    ids = [row.req_id for row in load_rows()]
    duplicated = sorted({req for req in ids if ids.count(req) > 1})
    assert not sorted(required - set(ids)), f"requirements without a row: {sorted(required - set(ids))}"
    assert not duplicated, f"requirements with more than one row: {duplicated}"


def test_every_row_names_an_asvs_5_requirement_at_its_level() -> None:
    levels = asvs_levels()
    problems = [
        f"line {row.line}: {row.req_id} is not in ASVS 5.0.0"
        if row.req_id not in levels
        else f"line {row.line}: {row.req_id} is level {levels[row.req_id]}, the row says {row.level!r}"
        for row in load_rows()
        if levels.get(row.req_id) != row.level
    ]
    assert not problems, "\n".join(problems)


def test_every_row_has_a_topic_a_known_status_and_its_evidence() -> None:
    problems = []
    for row in load_rows():
        where = f"line {row.line} ({row.req_id})"
        if not row.topic:
            problems.append(f"{where}: no topic")
        if row.status not in STATUSES:
            problems.append(f"{where}: status {row.status!r} is not one of {sorted(STATUSES)}")
        elif row.status == "tested" and not row.node_ids:
            problems.append(f"{where}: tested, but names no test node id")
        elif row.status != "tested" and len(row.evidence) < 15:
            problems.append(f"{where}: {row.status} needs a reason or plan")
    assert not problems, "\n".join(problems)


def test_every_named_test_exists() -> None:
    problems = [
        f"line {row.line} ({row.req_id}): no such test {node_id}"
        for row in load_rows()
        for node_id in missing_node_ids(row.node_ids)
    ]
    assert not problems, "\n".join(problems)


def test_gaps_are_listed() -> None:
    gaps = [f"{row.req_id}: {row.evidence}" for row in load_rows() if row.status == "gap"]
    print(f"{len(gaps)} ASVS requirement(s) still marked gap:", *gaps, sep="\n")


def test_the_checks_catch_a_bad_matrix() -> None:
    rows = matrix_rows(
        "| id | L | topic | status | evidence |\n"
        "|---|---|---|---|---|\n"
        "| V1.2.4 | 1 | SQL | tested | `tests/security/test_asvs_matrix.py::test_no_such_thing` |\n"
        "| V99.1.1 | 2 | made up | not applicable | |\n"
    )
    assert [row.req_id for row in rows] == ["V1.2.4", "V99.1.1"]
    assert missing_node_ids(rows[0].node_ids) == ["tests/security/test_asvs_matrix.py::test_no_such_thing"]
    assert missing_node_ids([f"tests/security/test_asvs_matrix.py::{test_gaps_are_listed.__name__}[x]"]) == []
    assert "V99.1.1" not in asvs_levels()
    assert rows[1].evidence == ""
