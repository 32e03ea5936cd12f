#!/usr/bin/env bash
# `make test`: quality gates, then the suite on SQLite and on PostgreSQL (row-level security) with Redis
# and headless Chromium. With CI=true, a missing PostgreSQL, Redis or Chromium fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export TRUSTROOM_DATA_DIR="${TRUSTROOM_TEST_DATA_DIR:-$(mktemp -d -t trustroom-make-test-XXXXXX)}"

step() { printf '\n==> %s\n' "$*"; }

step "ruff"
$BIN/ruff check .
$BIN/ruff format --check --quiet .
step "mypy"
$BIN/mypy
step "bandit (medium severity and confidence and up; config in pyproject.toml)"
$BIN/bandit -c pyproject.toml -r src --quiet --severity-level medium --confidence-level medium
step "semgrep: the project's own rules (.semgrep/), offline, and their tests"
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
$BIN/semgrep scan --config .semgrep/ --metrics=off --disable-version-check --error --quiet src/
# run from inside .semgrep/: semgrep --test skips targets below a hidden directory
(cd .semgrep && ../$BIN/semgrep --test --metrics=off --disable-version-check --config . tests/)
step "migrations are up to date"
$BIN/trustroom makemigrations --check --dry-run
step "deploy checks in production settings"
TRUSTROOM_ENV=production SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  ALLOWED_HOSTS=trust.example.com DATABASE_URL=postgres://trustroom_app@127.0.0.1:5432/trustroom \
  REDIS_URL=redis://127.0.0.1:6379/0 \
  $BIN/trustroom check --deploy --fail-level WARNING
[ "${1:-}" = "--lint-only" ] && exit 0

step "services (PostgreSQL, Redis, Chromium)"
bash scripts/ensure-services.sh

step "tests on SQLite (embedded default)"
$BIN/pytest -q -p no:cacheprovider -m "not e2e and not postgres"

if pg_isready -q -h "${TRUSTROOM_TEST_PG_HOST:-127.0.0.1}" -p "${TRUSTROOM_TEST_PG_PORT:-5432}" 2>/dev/null; then
  step "tests on PostgreSQL (row-level security, app role) with Redis and Chromium"
  TRUSTROOM_TEST_DB=postgres $BIN/pytest -q -p no:cacheprovider
else
  echo "PostgreSQL is not running: skipping the PostgreSQL run (CI treats this as a failure)."
  [ "${CI:-false}" = "true" ] && exit 1
fi
