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

// One account for both provider ids: the principal (env, or the first of the ready line, or the one chosen
// with keyvaultTestAuth.usePrincipal) and whether it is signed in. Like the real Microsoft provider, a
// signed-in account answers getSessions(scopes) for any new scopes silently (a fresh token), so
// getSession(..., {createIfNone: true}) finds a session and only asks the account-access question — which
// the test host answers through the patched trustedExtensionAuthAccess. Signed out, createIfNone shows
// VS Code's real "wants to sign in" dialog (the UI tier clicks Allow; the extension-tests run refuses it).
let principal;
let signedIn = process.env.KEYVAULT_TEST_AUTH_SIGNED_IN === '1';
const providers = [];

function currentPrincipal(info) {
  if (principal) return principal;
  if (process.env.KEYVAULT_TEST_AUTH_CLIENT_ID) {
    return { clientId: process.env.KEYVAULT_TEST_AUTH_CLIENT_ID, clientSecret: process.env.KEYVAULT_TEST_AUTH_CLIENT_SECRET || '' };
  }
  if (info.principals && info.principals.length) return info.principals[0];
  throw new Error('keyvault-test-auth: the emulator has no principal');
}

async function acquire(scopes) {
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
  return {
    id: `${p.clientId}:${tenant}:${[...scopes].sort().join(' ')}`,
    accessToken: token.access_token,
    account: { id: p.clientId, label: p.displayName || p.clientId },
    scopes: [...scopes],
  };
}

/** Which provider id was asked for which scopes, in order: tests check the extension picks the right one. */
const requests = [];

function createProvider(id) {
  const changed = new vscode.EventEmitter();
  let sessions = [];
  const sameScopes = (a, b) => a.length === b.length && a.every((s) => b.includes(s));
  const add = (session) => {
    sessions = sessions.filter((s) => s.id !== session.id).concat(session);
    changed.fire({ added: [session], removed: [], changed: [] });
    return session;
  };
  return {
    changed,
    signOut() {
      const removed = sessions;
      sessions = [];
      if (removed.length) changed.fire({ added: [], removed, changed: [] });
    },
    onDidChangeSessions: changed.event,
    async getSessions(scopes) {
      requests.push({ providerId: id, scopes: [...(scopes || [])] });
      if (!signedIn) return [];
      if (!scopes || scopes.length === 0) return sessions;
      const known = sessions.filter((s) => sameScopes(s.scopes, scopes));
      if (known.length) return known;
      try {
        return [add(await acquire(scopes))];
      } catch (e) {
        console.error('[keyvault-test-auth] silent token request failed:', e && e.message);
        return [];
      }
    },
    async createSession(scopes) {
      requests.push({ providerId: id, scopes: [...scopes], create: true });
      const session = add(await acquire(scopes));
      signedIn = true;
      return session;
    },
    async removeSession(id) {
      // removing a session signs the account out, as in the real provider
      if (!sessions.some((s) => s.id === id)) return;
      signedIn = false;
      for (const p of providers) p.signOut();
    },
  };
}

function activate(context) {
  // `microsoft-sovereign-cloud` is what VS Code uses once microsoft-sovereign-cloud.environment is set
  // (the tests point a custom cloud at the emulator); both ids get the emulator's tokens.
  for (const [id, label] of [['microsoft', 'Microsoft (Key Vault emulator)'],
    ['microsoft-sovereign-cloud', 'Microsoft Sovereign Cloud (Key Vault emulator)']]) {
    const provider = createProvider(id);
    providers.push(provider);
    context.subscriptions.push(provider.changed,
      vscode.authentication.registerAuthenticationProvider(id, label, provider, { supportsMultipleAccounts: false }));
  }
  context.subscriptions.push(
    // sign in (silently) as another principal of the ready line
    vscode.commands.registerCommand('keyvaultTestAuth.usePrincipal', (clientId) => {
      const info = readyInfo();
      const p = info && (info.principals || []).find((x) => x.clientId === clientId);
      if (!p) throw new Error(`keyvault-test-auth: no emulator principal ${clientId}`);
      principal = p;
      for (const provider of providers) provider.signOut();
      signedIn = true;
    }),
    vscode.commands.registerCommand('keyvaultTestAuth.requests', () => requests.splice(0)),
    // the workbench's own theme picker searches the (unreachable) marketplace: the UI tests set the theme here
    vscode.commands.registerCommand('keyvaultTestAuth.colorTheme', async () => {
      const theme = await vscode.window.showInputBox({ prompt: 'workbench.colorTheme' });
      if (theme) await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand('keyvaultTestAuth.signOut', () => {
      signedIn = false;
      for (const provider of providers) provider.signOut();
    }));
}

module.exports = { activate, deactivate() {} };
