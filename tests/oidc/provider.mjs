// A real OpenID Connect provider (panva's oidc-provider) standing in for ZHEP's, for tests
// and the demo. Start: node provider.mjs <port>   (or OIDC_PORT=<port>)
//
// Environment (all optional):
//   OIDC_PORT            port on 127.0.0.1 (argv[2] wins); the issuer is http://127.0.0.1:<port>
//   OIDC_REDIRECT_URIS   comma-separated redirect URIs of both clients
//                        (default http://127.0.0.1:8000/web/oidc/callback)
//   OIDC_AUDIENCE        the API's resource indicator (default urn:zmos:api); access tokens for it
//                        are RS256 JWTs
//   OIDC_CONSOLE_SECRET  the console client's secret (default console-secret)
//   OIDC_TOKEN_TTL       seconds access and ID tokens live (default 300)
//
// Clients: "zmos-console" (confidential, client_secret_basic) and "zmos-member" (public),
// both authorization code with PKCE (S256) required.
//
// People: the subject (sub) is the ZHEP party id. Any party id can sign in at the login form
// (/interaction/<uid>, field "login"); what else the tokens say of it (email,
// email_verified, zmos_tenant) is set with POST /admin/users {"party_id", "email",
// "email_verified", "tenant"}. Consent is granted without a page (first-party clients).
//
// Clients' redirect URIs: POST /admin/redirect-uris {"redirect_uris": [...]} replaces them.
// Keys: GET /admin/keys lists the signing keys' kids (first: the one signing);
// POST /admin/keys/rotate adds a new signing key (the old ones stay published);
// POST /admin/keys/retire drops every key but the newest from the JWKS.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import { parse as parseQuery } from 'node:querystring';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.OIDC_PORT || 9090);
const issuer = `http://127.0.0.1:${port}`;
const audience = process.env.OIDC_AUDIENCE || 'urn:zmos:api';
let redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1:8000/web/oidc/callback')
  .split(',').map((s) => s.trim()).filter(Boolean);
const consoleSecret = process.env.OIDC_CONSOLE_SECRET || 'console-secret';
const tokenTtl = Number(process.env.OIDC_TOKEN_TTL || 300);

const users = new Map();
let keys = [newKey()];

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function account(id) {
  const user = users.get(id) || {};
  return {
    accountId: id,
    async claims() {
      const claims = { sub: id };
      if (user.email) {
        claims.email = user.email;
        claims.email_verified = Boolean(user.email_verified);
      }
      if (user.tenant) claims.zmos_tenant = user.tenant;
      return claims;
    },
  };
}

function configuration() {
  return {
    clients: [
      {
        client_id: 'zmos-console',
        client_secret: consoleSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'zmos-member',
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
    ],
    jwks: { keys },
    findAccount: async (ctx, id) => account(id),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], zmos: ['zmos_tenant'] },
    conformIdTokenClaims: false,
    scopes: ['openid', 'email', 'zmos', 'offline_access', 'api'],
    pkce: { required: () => true },
    cookies: { keys: ['test-only-cookie-key'] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new Error('unknown resource');
          return {
            scope: 'api',
            audience,
            accessTokenTTL: tokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: async (ctx, token) => {
      const user = users.get(token.accountId);
      return user && user.tenant ? { zmos_tenant: user.tenant } : undefined;
    },
    ttl: { AccessToken: tokenTtl, IdToken: tokenTtl, Interaction: 600, Session: 3600, Grant: 3600 },
  };
}

let provider = build();

function build() {
  const built = new Provider(issuer, configuration());
  built.proxy = false;
  return built;
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function loginPage(uid) {
  return `<!doctype html><html><head><title>Zimasa sign-in</title></head><body>
<h1>Sign in to Zimasa (test provider)</h1>
<form method="post" action="/interaction/${uid}/login">
<label>Party id <input name="login" autofocus></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function grantConsent(req, res, details) {
  const { params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope || 'openid'));
  grant.addResourceScope(audience, 'api');
  const saved = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId: saved } }, {
    mergeWithLastSubmission: true,
  });
}

async function interaction(req, res, url) {
  const parts = url.pathname.split('/').filter(Boolean); // interaction, uid[, login]
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET' && parts.length === 2) {
    if (details.prompt.name === 'consent') return grantConsent(req, res, details);
    return send(res, 200, loginPage(details.uid), 'text/html; charset=utf-8');
  }
  if (req.method === 'POST' && parts[2] === 'login') {
    const form = parseQuery(await readBody(req));
    const login = String(form.login || '').trim();
    if (!login) return send(res, 400, loginPage(details.uid), 'text/html; charset=utf-8');
    return provider.interactionFinished(req, res, { login: { accountId: login } }, {
      mergeWithLastSubmission: false,
    });
  }
  return send(res, 404, { error: 'not_found' });
}

async function admin(req, res, url) {
  if (req.method === 'POST' && url.pathname === '/admin/users') {
    const user = JSON.parse((await readBody(req)) || '{}');
    users.set(String(user.party_id), user);
    return send(res, 201, { party_id: user.party_id });
  }
  if (req.method === 'POST' && url.pathname === '/admin/redirect-uris') {
    redirectUris = JSON.parse((await readBody(req)) || '{}').redirect_uris || [];
    provider = build();
    return send(res, 200, { redirect_uris: redirectUris });
  }
  if (url.pathname === '/admin/keys' && req.method === 'GET') {
    return send(res, 200, { kids: keys.map((k) => k.kid) });
  }
  if (url.pathname === '/admin/keys/rotate' && req.method === 'POST') {
    keys = [newKey(), ...keys];
    provider = build();
    return send(res, 200, { kids: keys.map((k) => k.kid) });
  }
  if (url.pathname === '/admin/keys/retire' && req.method === 'POST') {
    keys = keys.slice(0, 1);
    provider = build();
    return send(res, 200, { kids: keys.map((k) => k.kid) });
  }
  return send(res, 404, { error: 'not_found' });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
    if (url.pathname.startsWith('/admin/')) return await admin(req, res, url);
    return provider.callback()(req, res);
  } catch (err) {
    return send(res, 400, { error: 'bad_request', error_description: String(err.message || err) });
  }
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc-provider listening on ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
