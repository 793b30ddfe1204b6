// Test-only `microsoft` authentication provider backed by the Key Vault emulator (see README.md).
'use strict';
const fs = require('fs');
const https = require('https');
const vscode = require('vscode');

function readyInfo() {
  const raw = (process.env.KEYVAULT_TEST_EMULATOR || process.env.KEYVAULT_EMULATOR_READY || '').trim();
  if (!raw) return undefined;
  return JSON.parse(raw.startsWith('{') ? raw : fs.readFileSync(raw, 'utf8'));
}

/** client_credentials takes one resource: "https://vault.azure.net/user_impersonation" → ".../.default". */
function tokenRequestScope(scopes) {
  const ignored = /^(VSCODE_|openid$|profile$|email$|offline_access$)/;
  const resource = scopes.find((s) => !ignored.test(s));
  if (!resource) return undefined;
  if (resource.endsWith('/.default')) return resource;
  try {
    const u = new URL(resource);
    return `${u.origin}/.default`;
  } catch {
    return resource;
  }
}

function post(url, form, ca) {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const req = https.request(url, {
      method: 'POST', ca,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      // the emulator's names are *.localhost: always loopback, whatever the resolver thinks
      lookup: (host, opts, cb) => {
        if (host === 'localhost' || host.endsWith('.localhost')) {
          return opts && opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
        }
        return require('dns').lookup(host, opts, cb);
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let json = {};
        try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* not JSON */ }
        if (res.statusCode === 200 && json.access_token) resolve(json);
        else reject(new Error(`emulator token endpoint: ${res.statusCode} ${json.error || ''} ${json.error_description || ''}`.trim()));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function activate(context) {
  const changed = new vscode.EventEmitter();
  let sessions = [];
  let principal; // { clientId, clientSecret }

  const currentPrincipal = (info) => {
    if (principal) return principal;
    if (process.env.KEYVAULT_TEST_AUTH_CLIENT_ID) {
      return { clientId: process.env.KEYVAULT_TEST_AUTH_CLIENT_ID, clientSecret: process.env.KEYVAULT_TEST_AUTH_CLIENT_SECRET || '' };
    }
    if (info.principals && info.principals.length) return info.principals[0];
    throw new Error('keyvault-test-auth: the emulator has no principal');
  };

  const sameScopes = (a, b) => a.length === b.length && a.every((s) => b.includes(s));

  const provider = {
    onDidChangeSessions: changed.event,
    async getSessions(scopes) {
      return scopes && scopes.length ? sessions.filter((s) => sameScopes(s.scopes, scopes)) : sessions;
    },
    async createSession(scopes) {
      const info = readyInfo();
      if (!info) throw new Error('keyvault-test-auth: KEYVAULT_TEST_EMULATOR is not set');
      const p = currentPrincipal(info);
      const tenantScope = scopes.find((s) => s.startsWith('VSCODE_TENANT:'));
      const tenant = tenantScope ? tenantScope.slice('VSCODE_TENANT:'.length) : info.tenantId;
      const scope = tokenRequestScope(scopes);
      if (!scope) throw new Error(`keyvault-test-auth: no resource scope in ${JSON.stringify(scopes)}`);
      const ca = info.ca ? fs.readFileSync(info.ca) : undefined;
      const token = await post(`${info.authorityHost.replace(/\/+$/, '')}/${tenant}/oauth2/v2.0/token`,
        { grant_type: 'client_credentials', client_id: p.clientId, client_secret: p.clientSecret, scope }, ca);
      const session = {
        id: `${p.clientId}:${tenant}:${scopes.join(' ')}`,
        accessToken: token.access_token,
        account: { id: `${p.clientId}@${tenant}`, label: p.clientId },
        scopes: [...scopes],
      };
      sessions = sessions.filter((s) => s.id !== session.id).concat(session);
      changed.fire({ added: [session], removed: [], changed: [] });
      return session;
    },
    async removeSession(id) {
      const removed = sessions.filter((s) => s.id === id);
      sessions = sessions.filter((s) => s.id !== id);
      if (removed.length) changed.fire({ added: [], removed, changed: [] });
    },
  };

  context.subscriptions.push(changed,
    vscode.authentication.registerAuthenticationProvider('microsoft', 'Microsoft (Key Vault emulator)', provider,
      { supportsMultipleAccounts: false }),
    vscode.commands.registerCommand('keyvaultTestAuth.usePrincipal', (clientId) => {
      const info = readyInfo();
      const p = info && (info.principals || []).find((x) => x.clientId === clientId);
      if (!p) throw new Error(`keyvault-test-auth: no emulator principal ${clientId}`);
      principal = p;
      const removed = sessions;
      sessions = [];
      if (removed.length) changed.fire({ added: [], removed, changed: [] });
    }));
}

module.exports = { activate, deactivate() {} };
