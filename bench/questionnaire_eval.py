"""Questionnaire answering evaluation: runs the `trustroom questionnaire answer` CLI on the shared dev set.

Sets up a scratch embedded instance (SQLite, its own data directory) with `trustroom migrate` and
`trustroom demo` (the demo organization's answer bank), then runs, each in a fresh process as a user would:
1. the CLI on ../shared/questionnaire/dev-set.csv (an empty expected_key means the right outcome is to
   abstain), and prints the accuracy on answerable questions, the correct-abstention rate and each miss;
2. the CLI on 300 questions (the dev set repeated and shuffled), and prints the wall-clock seconds of the
   whole command (interpreter and Django start, sandboxed parse, answering, writing).
Goal: >= 95% correct, >= 90% correct abstentions, 300 questions in under 3 s.

Usage: python bench/questionnaire_eval.py [DEV_SET_CSV] [--data-dir DIR] (DIR kept and reused when given)
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEV_SET = ROOT.parent / "shared" / "questionnaire" / "dev-set.csv"
FALLBACK_DEV_SET = Path("/work/shared/questionnaire/dev-set.csv")


def trustroom() -> list[str]:
    script = Path(sys.executable).with_name("trustroom")
    return [str(script)] if script.exists() else [sys.executable, "-m", "trustroom.manage"]


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([*trustroom(), *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"trustroom {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dev_set", nargs="?", type=Path)
    parser.add_argument("--data-dir", type=Path, help="Scratch instance to use (kept; made if missing).")
    options = parser.parse_args(argv[1:])
    path = options.dev_set or (DEFAULT_DEV_SET if DEFAULT_DEV_SET.exists() else FALLBACK_DEV_SET)
    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="trustroom-qeval-"))
    work = Path(tempfile.mkdtemp(prefix="trustroom-qeval-out-"))
    env = {
        **os.environ,
        "TRUSTROOM_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "trustroom.settings",
        "TRUSTROOM_ENV": "development",
    }
    env.pop("DATABASE_URL", None)
    try:
        setup = run(["migrate", "--noinput"], env) + run(["demo"], env)
        print(f"scratch instance: {data_dir} (migrate + demo {setup:.1f} s)")

        out = work / "dev-answers.csv"
        dev_seconds = run(
            ["questionnaire", "answer", "--org", "demo-co", str(path), "--out", str(out), "--no-progress"],
            env,
        )
        rows = read_rows(out)
        answerable = [r for r in rows if r["expected_key"].strip()]
        unanswerable = [r for r in rows if not r["expected_key"].strip()]
        correct = sum(1 for r in answerable if r["answer_key"] == r["expected_key"].strip())
        abstained = sum(1 for r in unanswerable if not r["answer_key"])
        print(f"dev set: {path} ({len(rows)} questions, {len(answerable)} answerable)")
        if answerable:
            print(f"accuracy on answerable: {correct}/{len(answerable)} = {correct / len(answerable):.1%}")
        if unanswerable:
            print(
                f"correct abstentions: {abstained}/{len(unanswerable)} = {abstained / len(unanswerable):.1%}"
            )
        for r in rows:
            expected = r["expected_key"].strip()
            if r["answer_key"] != expected:
                got = r["answer_key"] or "abstain"
                print(
                    f"  MISS {r['id']}: expected {expected or 'abstain'}, got {got} "
                    f"[{r['confidence'] or '0'}, {r['status']}] {r['question']}"
                )

        source = read_rows(path)
        batch = (source * (300 // len(source) + 1))[:300]
        random.Random(5).shuffle(batch)
        big = work / "questions-300.csv"
        with big.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(source[0]))
            writer.writeheader()
            writer.writerows(batch)
        big_seconds = run(
            [
                "questionnaire",
                "answer",
                "--org",
                "demo-co",
                str(big),
                "--out",
                str(work / "out-300.csv"),
                "--no-progress",
            ],
            env,
        )
        answered = sum(1 for r in read_rows(work / "out-300.csv") if r["answer_key"])
        print(
            f"seconds (whole CLI run, fresh process): dev set {dev_seconds:.2f}, "
            f"300 questions {big_seconds:.2f} ({answered} answered)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if options.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
