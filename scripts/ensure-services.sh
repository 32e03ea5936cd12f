#!/usr/bin/env bash
# Make sure the services the full test run uses are present and running (PostgreSQL, Redis, Chromium, Node.js
# with the test OpenID Provider's modules), and set up the PostgreSQL roles.
# With CI=true a missing service is a failure; otherwise it is reported and the run goes on without it.
set -uo pipefail

PG_HOST=${TRUSTROOM_TEST_PG_HOST:-127.0.0.1}
PG_PORT=${TRUSTROOM_TEST_PG_PORT:-5432}
PG_SUPERUSER=${TRUSTROOM_TEST_PG_SUPERUSER:-postgres}
OWNER_ROLE=${TRUSTROOM_TEST_PG_OWNER_ROLE:-trustroom_owner}
APP_ROLE=${TRUSTROOM_TEST_PG_APP_ROLE:-trustroom_app}
STRICT=${CI:-false}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
missing=0

need() {  # need <what> <why>
  if [ "$STRICT" = "true" ]; then
    echo "ERROR: $1 is required in CI: $2" >&2
  else
    echo "WARNING: $1 is not available ($2); tests that need it will be skipped." >&2
  fi
  missing=1
}

# --- Chromium, for the browser tests ------------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..."
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/trustroom-apt.log 2>&1 \
      || { tail -n 20 /tmp/trustroom-apt.log >&2; need chromium "apt-get install chromium failed"; }
  else
    need chromium "install it with: apt-get install chromium"
  fi
fi

# --- Node.js and the test OpenID Provider (tests/idp/oidc) ---------------------------------------------------
# The SSO tests start a real OpenID Provider (the npm package oidc-provider) on loopback; it needs Node.js
# 20.19 or later and its node modules, installed from the committed package-lock.json.
OIDC_IDP_DIR="$ROOT/tests/idp/oidc"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing Node.js and npm for the test OpenID Provider..."
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) >/tmp/trustroom-apt-node.log 2>&1 \
      || { tail -n 20 /tmp/trustroom-apt-node.log >&2; need Node.js "apt-get install nodejs npm failed"; }
  else
    need Node.js "install Node.js 20.19+ and npm (e.g. apt-get install nodejs npm)"
  fi
fi
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    need "Node.js 20.19+" "node $(node --version) is too old for oidc-provider 9 (the SSO tests' OpenID Provider)"
  elif [ ! -d "$OIDC_IDP_DIR/node_modules/oidc-provider" ] \
      || [ "$OIDC_IDP_DIR/package-lock.json" -nt "$OIDC_IDP_DIR/node_modules/.package-lock.json" ]; then
    echo "Installing the test OpenID Provider's node modules..."
    npm ci --prefix "$OIDC_IDP_DIR" --no-audit --no-fund >/tmp/trustroom-npm-oidc.log 2>&1 \
      || { tail -n 20 /tmp/trustroom-npm-oidc.log >&2; need "the test OpenID Provider's node modules" "npm ci in tests/idp/oidc failed"; }
  fi
fi

# --- xmlsec1, with which pysaml2 signs for the loopback SAML IdP of the SSO tests ------------------------
if ! command -v xmlsec1 >/dev/null 2>&1; then
  echo "Installing Debian's xmlsec1 for the SAML SSO tests..."
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1) >/tmp/trustroom-apt.log 2>&1 \
      || { tail -n 20 /tmp/trustroom-apt.log >&2; need xmlsec1 "apt-get install xmlsec1 failed"; }
  else
    need xmlsec1 "install it with: apt-get install -y xmlsec1"
  fi
fi

# --- nginx, whose `nginx -t` checks the sample site of deploy/nginx (the package's own server is stopped) --
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "Installing Debian's nginx-light to check the sample configuration..."
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) >/tmp/trustroom-apt-nginx.log 2>&1 \
      || echo "apt-get install nginx-light failed: the nginx -t test will be skipped" >&2
    (service nginx stop || /usr/sbin/nginx -s stop) >/dev/null 2>&1 || true
  else
    echo "nginx is not installed: the nginx -t test of deploy/nginx will be skipped" >&2
  fi
fi

# --- PostgreSQL -------------------------------------------------------------------------------------------
pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
if ! command -v psql >/dev/null 2>&1; then
  need PostgreSQL "psql is not installed"
else
  if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL..."
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    done
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  if ! pg_up; then
    need PostgreSQL "nothing answers on $PG_HOST:$PG_PORT"
  else
    # The owner creates the test database and owns every table; the app role owns nothing and is
    # subject to row-level security. Both are ordinary roles (no superuser, no BYPASSRLS).
    psql -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres <<SQL || need PostgreSQL "could not create the roles"
SELECT 'CREATE ROLE $OWNER_ROLE' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$OWNER_ROLE') \gexec
SELECT 'CREATE ROLE $APP_ROLE' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APP_ROLE') \gexec
ALTER ROLE $OWNER_ROLE LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS NOCREATEROLE;
ALTER ROLE $APP_ROLE LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
SQL
  fi
fi

# --- Redis ----------------------------------------------------------------------------------------------
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! command -v redis-server >/dev/null 2>&1; then
  need Redis "redis-server is not installed"
else
  if ! redis_up; then
    echo "Starting Redis..."
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
  redis_up || need Redis "nothing answers on 127.0.0.1:6379"
fi

if [ "$missing" = "1" ] && [ "$STRICT" = "true" ]; then
  exit 1
fi
exit 0
