// Test-only OpenID Provider for Trustroom's SSO tests. NEVER run this anywhere but loopback in a test.
//
//   node server.js CONFIG.json [PORT]      (PORT 0 or absent: any free port)
//
// One process, one port on 127.0.0.1, one oidc-provider `Provider` per tenant mounted at /<tenant>, so
// tenant "a" has the issuer http://127.0.0.1:<port>/a. Every tenant signs with the same JWKS, the way a
// multi-tenant IdP does: a token of tenant b verifies with tenant a's keys and only `iss` differs.
// When listening it prints one JSON line {"port": N} on stdout. It exits when stdin closes (so it never
// outlives the test process that started it) or on SIGTERM / SIGINT.
//
// Besides the providers' own endpoints:
//   GET  /<tenant>/interaction/<uid>     logs in the account named by login_hint (a sub or an e-mail),
//                                        else the tenant's next-account, grants what was asked, finishes
//   POST /__admin/accounts               {"sub", "email", "email_verified", "name"}: add or replace an account
//   POST /__admin/<tenant>/clients       {"client_id", "client_secret", "redirect_uris", ...}: add or replace
//   POST /__admin/<tenant>/next-account  {"sub": ...}: the account used when no login_hint is sent
//   POST /__test/<tenant>/next-id-token  {"id_token": "..."}: the next successful token response of that
//                                        tenant carries this ID token instead of its own (null cancels)
//   GET  /__test/<tenant>/next-id-token  {"pending": true|false}
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import { Provider } from 'oidc-provider';

const [configPath, portArgument = '0'] = process.argv.slice(2);
if (!configPath) {
  process.stderr.write('usage: node server.js CONFIG.json [PORT]\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const requestedPort = Number.parseInt(portArgument, 10);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  process.stderr.write(`invalid port ${JSON.stringify(portArgument)}\n`);
  process.exit(2);
}

const accounts = new Map(); // sub -> {sub, email, email_verified, name}
for (const [sub, claims] of Object.entries(config.accounts ?? {})) {
  accounts.set(sub, normalizeAccount({ sub, ...claims }));
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function normalizeAccount(input) {
  if (typeof input.sub !== 'string' || input.sub === '') {
    throw new HttpError(400, 'sub: a non-empty string is required');
  }
  if (typeof input.email !== 'string' || !input.email.includes('@')) {
    throw new HttpError(400, 'email: an e-mail address is required');
  }
  return {
    sub: input.sub,
    email: input.email,
    email_verified: input.email_verified ?? true,
    name: input.name ?? input.email,
  };
}

function findAccountByHint(hint) {
  if (!hint) return undefined;
  if (accounts.has(hint)) return accounts.get(hint);
  const wanted = hint.toLowerCase();
  return [...accounts.values()].find((account) => account.email.toLowerCase() === wanted);
}

// --- storage: one in-memory store per tenant --------------------------------------------------------------
// oidc-provider's bundled memory adapter keeps one store for the whole process; the tenants of a real
// multi-tenant IdP do not share codes, grants or clients, so each tenant gets its own Map here.
function adapterFor(store) {
  const now = () => Date.now();
  const live = (entry) => entry && (entry.expiresAt === undefined || entry.expiresAt > now());
  return class TenantAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : undefined;
      store.set(this.key(id), { payload: structuredClone(payload), expiresAt });
      if (payload.grantId) {
        const members = store.get(`grant:${payload.grantId}`) ?? new Set();
        members.add(this.key(id));
        store.set(`grant:${payload.grantId}`, members);
      }
      if (payload.uid) store.set(`uid:${this.model}:${payload.uid}`, id);
      if (payload.userCode) store.set(`userCode:${this.model}:${payload.userCode}`, id);
    }

    async find(id) {
      const entry = store.get(this.key(id));
      if (!live(entry)) {
        store.delete(this.key(id));
        return undefined;
      }
      return structuredClone(entry.payload);
    }

    async findByUid(uid) {
      const id = store.get(`uid:${this.model}:${uid}`);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode) {
      const id = store.get(`userCode:${this.model}:${userCode}`);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id) {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(now() / 1000);
    }

    async destroy(id) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      for (const key of store.get(`grant:${grantId}`) ?? []) store.delete(key);
      store.delete(`grant:${grantId}`);
    }
  };
}

// --- one tenant ---------------------------------------------------------------------------------------------
function clientMetadata(input) {
  const metadata = {
    client_id: input.client_id,
    client_secret: input.client_secret,
    redirect_uris: input.redirect_uris,
    token_endpoint_auth_method: input.token_endpoint_auth_method ?? 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
  if (typeof metadata.client_id !== 'string' || metadata.client_id === '') {
    throw new HttpError(400, 'client_id: a non-empty string is required');
  }
  if (!Array.isArray(metadata.redirect_uris) || metadata.redirect_uris.length === 0) {
    throw new HttpError(400, 'redirect_uris: a non-empty list is required');
  }
  if (metadata.token_endpoint_auth_method === 'none') delete metadata.client_secret;
  return metadata;
}

function buildTenant(name, origin, tenantConfig) {
  const store = new Map();
  const tenant = {
    name,
    store,
    nextAccount: tenantConfig.next_account ?? null,
    nextIdToken: null,
  };
  const provider = new Provider(`${origin}/${name}`, {
    adapter: adapterFor(store),
    jwks: config.jwks,
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: {
        session: `_op_session_${name}`,
        interaction: `_op_interaction_${name}`,
        resume: `_op_resume_${name}`,
      },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // The ID token carries the claims of the granted scopes, not only sub (the RP reads them there).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
    },
    interactions: {
      url: (ctx, interaction) => `/${name}/interaction/${interaction.uid}`,
    },
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { ...account };
        },
      };
    },
    async renderError(ctx, out, error) {
      ctx.type = 'json';
      ctx.body = { tenant: name, ...out, detail: error?.error_detail };
    },
  });

  // Token substitution: edit the JSON the provider built for a successful token response.
  provider.use(async (ctx, next) => {
    await next();
    if (
      ctx.method === 'POST'
      && ctx.path === '/token'
      && ctx.status === 200
      && tenant.nextIdToken !== null
      && ctx.body
      && typeof ctx.body === 'object'
      && typeof ctx.body.id_token === 'string'
    ) {
      ctx.body = { ...ctx.body, id_token: tenant.nextIdToken };
      tenant.nextIdToken = null;
    }
  });

  tenant.provider = provider;
  tenant.handle = provider.callback();
  return tenant;
}

async function addClient(tenant, input) {
  const metadata = clientMetadata(input);
  try {
    await tenant.provider.Client.validate(metadata);
  } catch (error) {
    throw new HttpError(400, `invalid client: ${error.error_description ?? error.message}`);
  }
  await tenant.provider.Client.adapter.upsert(metadata.client_id, metadata);
}

// --- interaction: log in and consent at once ----------------------------------------------------------------
async function finishInteraction(tenant, req, res) {
  const { provider } = tenant;
  const details = await provider.interactionDetails(req, res);
  const { params, prompt, session } = details;
  const result = {};
  let accountId = session?.accountId;
  if (prompt.name === 'login' || !accountId) {
    const hint = params.login_hint || tenant.nextAccount;
    const account = findAccountByHint(hint);
    if (!account) {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: hint ? `the test IdP has no account ${hint}` : 'no login_hint and no next-account set',
      }, { mergeWithLastSubmission: false });
      return;
    }
    accountId = account.sub;
    result.login = { accountId };
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (params.scope) grant.addOIDCScope(params.scope);
  if (params.claims) {
    const requested = JSON.parse(params.claims);
    const names = new Set([
      ...Object.keys(requested.id_token ?? {}),
      ...Object.keys(requested.userinfo ?? {}),
    ]);
    if (names.size) grant.addOIDCClaims([...names]);
  }
  result.consent = { grantId: await grant.save() };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

// --- HTTP ---------------------------------------------------------------------------------------------------
const MAX_BODY = 1024 * 1024;

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'body: invalid JSON');
  }
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function tenantNamed(tenants, name) {
  const tenant = tenants.get(name);
  if (!tenant) throw new HttpError(404, `no tenant ${JSON.stringify(name)}`);
  return tenant;
}

async function handleControl(tenants, req, res, pathname) {
  const parts = pathname.split('/').filter(Boolean); // ["__admin", tenant, what] or ["__admin", "accounts"]
  const [area, first, second] = parts;
  if (area === '__admin' && first === 'accounts' && parts.length === 2 && req.method === 'POST') {
    const account = normalizeAccount(await readJson(req));
    accounts.set(account.sub, account);
    return sendJson(res, 200, account);
  }
  if (area === '__admin' && second === 'clients' && parts.length === 3 && req.method === 'POST') {
    const tenant = tenantNamed(tenants, first);
    const input = await readJson(req);
    await addClient(tenant, input);
    return sendJson(res, 201, { tenant: tenant.name, client_id: input.client_id });
  }
  if (area === '__admin' && second === 'next-account' && parts.length === 3 && req.method === 'POST') {
    const tenant = tenantNamed(tenants, first);
    const { sub } = await readJson(req);
    if (sub !== null && !accounts.has(sub)) throw new HttpError(400, `sub: no account ${JSON.stringify(sub)}`);
    tenant.nextAccount = sub;
    return sendJson(res, 200, { tenant: tenant.name, sub });
  }
  if (area === '__test' && second === 'next-id-token' && parts.length === 3) {
    const tenant = tenantNamed(tenants, first);
    if (req.method === 'GET') return sendJson(res, 200, { pending: tenant.nextIdToken !== null });
    if (req.method === 'POST') {
      const { id_token: idToken } = await readJson(req);
      if (idToken !== null && (typeof idToken !== 'string' || idToken === '')) {
        throw new HttpError(400, 'id_token: a compact JWT string (or null to cancel) is required');
      }
      tenant.nextIdToken = idToken;
      return sendJson(res, 200, { pending: idToken !== null });
    }
  }
  throw new HttpError(404, `no control route ${req.method} ${pathname}`);
}

async function route(tenants, req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const { pathname } = url;
  if (pathname.startsWith('/__admin/') || pathname.startsWith('/__test/')) {
    return handleControl(tenants, req, res, pathname);
  }
  const match = /^\/([^/]+)(\/.*)?$/.exec(pathname);
  const tenant = match && tenants.get(match[1]);
  if (!tenant) throw new HttpError(404, `no tenant at ${pathname}`);
  const rest = match[2] ?? '/';
  if (/^\/interaction\/[^/]+$/.test(rest) && req.method === 'GET') {
    return finishInteraction(tenant, req, res);
  }
  // Mount the provider at /<tenant>: it reads the mount path from originalUrl minus url.
  req.originalUrl = req.url;
  req.url = `${rest}${url.search}`;
  return tenant.handle(req, res);
}

const server = createServer();
server.listen(requestedPort, '127.0.0.1', () => {
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  const tenantConfigs = config.tenants ?? { a: {}, b: {} };
  const tenants = new Map();
  for (const [name, tenantConfig] of Object.entries(tenantConfigs)) {
    tenants.set(name, buildTenant(name, origin, tenantConfig));
  }
  Promise.all(
    Object.entries(tenantConfigs).flatMap(([name, tenantConfig]) => (tenantConfig.clients ?? [])
      .map((client) => addClient(tenants.get(name), client))),
  ).then(() => {
    server.on('request', (req, res) => {
      route(tenants, req, res).catch((error) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (status === 500) process.stderr.write(`test IdP error: ${error.stack ?? error}\n`);
        if (!res.headersSent) sendJson(res, status, { error: error.message });
        else res.end();
      });
    });
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  }).catch((error) => {
    process.stderr.write(`test IdP could not start: ${error.stack ?? error}\n`);
    process.exit(1);
  });
});
server.on('error', (error) => {
  process.stderr.write(`test IdP could not listen: ${error.message}\n`);
  process.exit(1);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
