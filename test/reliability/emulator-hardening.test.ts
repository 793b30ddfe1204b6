// Emulator hardening: the admin API needs the per-run admin token, the default principal's secret is not a
// constant, fault rules are validated, the reset fault resets, request bodies are bounded (413, read only after
// authentication), slow clients and connection floods are cut off, the token endpoint answers malformed input
// with Entra's 400, client aborts are not 500s, tags and dates behave like the service, and tokens can be made
// short-lived. Emulators run in-process (src/emulator) with a private state directory; clients are the
// unmodified SDK plus raw HTTPS/TLS where the SDK cannot express the case.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as tls from 'node:tls';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { localEmulatorPolicy, localhostLookup } from '../../src/azure/localTransport';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';
import { rawRequest, type RawInit, type RawResponse } from '../conformance/support/emulator';

const ROOT = path.resolve(__dirname, '..', '..');
const EMULATOR_JS = path.join(ROOT, 'dist', 'emulator.js');
const OLD_CONSTANT_SECRET = 'emulator-dev-client-secret';

let tmp: string;
const running = new Set<RunningEmulator>();

interface Started {
  emu: RunningEmulator;
  logs: string[];
  ca: string;
  origin: string;
  vaultUrl: string;
  secret: string;
  admin(p: string, init?: RawInit): Promise<RawResponse>;
  raw(url: string, init?: RawInit): Promise<RawResponse>;
  credential(): ClientSecretCredential;
  client(opts?: { maxRetries?: number }): SecretClient;
  vaultToken(): Promise<string>;
  stats(): Promise<{ requests: Record<string, number>; statuses: Record<string, number>; aborted: number; total: number }>;
}

async function start(opts: EmulatorOptions = {}): Promise<Started> {
  const logs: string[] = [];
  const emu = await startEmulator({ port: 0, stateDir: fs.mkdtempSync(path.join(tmp, 'state-')), log: (m) => logs.push(m), ...opts });
  running.add(emu);
  const ca = fs.readFileSync(emu.ca, 'utf8');
  const info = emu.info;
  const p = info.principals[0];
  const policy = localEmulatorPolicy(ca);
  let cred: ClientSecretCredential | undefined;
  const credential = () => (cred ??= new ClientSecretCredential(info.tenantId, p.clientId, p.clientSecret, {
    authorityHost: info.authorityHost, disableInstanceDiscovery: true, additionallyAllowedTenants: ['*'],
    additionalPolicies: [{ policy, position: 'perCall' }],
  }));
  const raw = (url: string, init: RawInit = {}) => rawRequest(url, { ...init, ca });
  const admin = (p2: string, init: RawInit = {}) => raw(`${info.authorityHost}${p2}`, { token: info.adminToken, ...init });
  return {
    emu, logs, ca, origin: info.authorityHost, vaultUrl: info.vaults[0].url, secret: p.clientSecret, admin, raw, credential,
    client: (o = {}) => new SecretClient(info.vaults[0].url, credential(), {
      additionalPolicies: [{ policy, position: 'perCall' }],
      retryOptions: { maxRetries: o.maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    }),
    vaultToken: async () => (await credential().getToken(`https://vault.localhost:${info.port}/.default`))!.token,
    stats: async () => {
      const res = await admin('/_admin/stats');
      assert.equal(res.status, 200, res.text);
      return res.json() as Awaited<ReturnType<Started['stats']>>;
    },
  };
}

async function stop(s: Started): Promise<void> {
  running.delete(s.emu);
  await s.emu.stop();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A TLS connection to the emulator; resolves once it is established (or rejects if it is closed first). */
function connectTls(port: number, ca: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => resolve(s));
    s.once('error', reject);
    s.once('close', () => reject(new Error('closed before the TLS handshake finished')));
  });
}

/** Resolves with what the server sent and how long the socket stayed open once it closes. */
function untilClosed(s: tls.TLSSocket, since: number): Promise<{ data: string; ms: number }> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (d: Buffer) => { data += d.toString('latin1'); });
    s.on('error', () => undefined);
    s.once('close', () => resolve({ data, ms: Date.now() - since }));
  });
}

const aadShape = (body: Record<string, unknown>) => {
  assert.equal(body.error, 'invalid_request');
  assert.match(String(body.error_description), /^AADSTS\d+: /);
  assert.ok(Array.isArray(body.error_codes) && (body.error_codes as unknown[]).length === 1 && typeof (body.error_codes as unknown[])[0] === 'number');
  assert.ok(!Number.isNaN(Date.parse(String(body.timestamp))), 'timestamp');
  assert.match(String(body.trace_id), /^[0-9a-f-]{36}$/);
  assert.match(String(body.correlation_id), /^[0-9a-f-]{36}$/);
};

describe('emulator hardening', function () {
  this.timeout(60_000);

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-emu-hardening-'));
  });

  after(async () => {
    for (const e of running) await e.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('admin API token', () => {
    let s: Started;
    before(async () => { s = await start(); });
    after(async () => stop(s));

    it('without a token /_admin/* answers 401 with a JSON error and no client secret', async () => {
      for (const p of ['/_admin/ready', '/_admin/stats', '/_admin/faults']) {
        const res = await s.raw(`${s.origin}${p}`);
        assert.equal(res.status, 401, p);
        assert.equal((res.json() as { error: { code: string } }).error.code, 'Unauthorized');
        assert.ok(!res.text.includes(s.secret), `${p} leaks the client secret`);
        assert.ok(!res.text.includes(s.emu.info.adminToken), `${p} leaks the admin token`);
      }
      const put = await s.raw(`${s.origin}/_admin/faults`, { method: 'PUT', json: { rules: [{ operation: '*', status: 500 }] } });
      assert.equal(put.status, 401);
      assert.deepEqual((await s.admin('/_admin/faults')).json(), { rules: [] }, 'the unauthenticated PUT changed nothing');
    });

    it('a wrong token is 401, in the Authorization header and in X-Emulator-Admin-Token', async () => {
      const wrong = `${s.emu.info.adminToken.slice(0, -2)}xx`;
      assert.equal((await s.raw(`${s.origin}/_admin/stats`, { token: wrong })).status, 401);
      assert.equal((await s.raw(`${s.origin}/_admin/stats`, { headers: { 'x-emulator-admin-token': wrong } })).status, 401);
      assert.equal((await s.raw(`${s.origin}/_admin/stats`, { headers: { authorization: `Basic ${s.emu.info.adminToken}` } })).status, 401);
    });

    it('the token of this run is accepted (Bearer or X-Emulator-Admin-Token) and /_admin/ready then answers', async () => {
      const ready = await s.admin('/_admin/ready');
      assert.equal(ready.status, 200);
      assert.equal((ready.json() as { port: number }).port, s.emu.port);
      const viaHeader = await s.raw(`${s.origin}/_admin/stats`, { headers: { 'x-emulator-admin-token': s.emu.info.adminToken } });
      assert.equal(viaHeader.status, 200);
    });

    it('the token is in the ready line and the 0600 instance file, and differs between runs', async () => {
      assert.match(s.emu.info.adminToken, /^[A-Za-z0-9_-]{40,}$/);
      const file = path.join(s.emu.info.stateDir, 'instances', `${s.emu.port}.json`);
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).adminToken, s.emu.info.adminToken);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const other = await start({ stateDir: s.emu.info.stateDir });
      try {
        assert.notEqual(other.emu.info.adminToken, s.emu.info.adminToken);
        assert.equal((await other.raw(`${other.origin}/_admin/stats`, { token: s.emu.info.adminToken })).status, 401);
      } finally {
        await stop(other);
      }
    });

    it('no unauthenticated endpoint returns a client secret', async () => {
      const t = s.emu.info.tenantId;
      const urls = [
        `${s.origin}/${t}/v2.0/.well-known/openid-configuration`, `${s.origin}/${t}/discovery/v2.0/keys`,
        `${s.origin}/subscriptions?api-version=2022-12-01`, `${s.vaultUrl}secrets?api-version=7.5`, `${s.origin}/_admin`,
        `${s.origin}/_admin/ready?token=x`,
      ];
      for (const u of urls) assert.ok(!(await s.raw(u)).text.includes(s.secret), u);
      const tokenErr = await s.raw(`${s.origin}/${t}/oauth2/v2.0/token`, { method: 'POST', body: 'grant_type=client_credentials&client_id=nobody&client_secret=x' });
      assert.ok(!tokenErr.text.includes(s.secret));
    });
  });

  describe('default principal secret', () => {
    it('is generated per data folder, kept there (0600) and stable across restarts', async () => {
      const a = path.join(tmp, 'data-a');
      const b = path.join(tmp, 'data-b');
      const a1 = await start({ dataDir: a });
      const secretA = a1.secret;
      await a1.client().setSecret('kept', 'v');
      await stop(a1);
      const b1 = await start({ dataDir: b });
      const secretB = b1.secret;
      await stop(b1);
      const a2 = await start({ dataDir: a });
      try {
        assert.notEqual(secretA, secretB);
        assert.equal(a2.secret, secretA, 'same data folder, same secret');
        assert.equal((await a2.client().getSecret('kept')).value, 'v', 'and the SDK signs in with it');
        assert.ok(![secretA, secretB].includes(OLD_CONSTANT_SECRET));
        const file = path.join(a, 'default-principal.json');
        assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).clientSecret, secretA);
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      } finally {
        await stop(a2);
      }
    });

    it('without a data folder it is new on every run (never the old constant)', async () => {
      const one = await start();
      const two = await start();
      try {
        assert.notEqual(one.secret, two.secret);
        assert.ok(one.secret.length >= 32 && one.secret !== OLD_CONSTANT_SECRET);
        const wrong = new ClientSecretCredential(one.emu.info.tenantId, one.emu.info.principals[0].clientId, OLD_CONSTANT_SECRET, {
          authorityHost: one.origin, disableInstanceDiscovery: true, additionalPolicies: [{ policy: localEmulatorPolicy(one.ca), position: 'perCall' }],
        });
        await assert.rejects(wrong.getToken(`https://vault.localhost:${one.emu.port}/.default`), /AADSTS7000215/);
      } finally {
        await stop(one);
        await stop(two);
      }
    });
  });

  describe('fault rule validation', () => {
    let s: Started;
    before(async () => { s = await start(); });
    after(async () => stop(s));

    const invalid = async (rule: unknown, reason: RegExp, rawBody?: string) => {
      const res = rawBody !== undefined
        ? await s.admin('/_admin/faults', { method: 'PUT', body: rawBody, headers: { 'content-type': 'application/json' } })
        : await s.admin('/_admin/faults', { method: 'PUT', json: { rules: [rule] } });
      assert.equal(res.status, 400, `${JSON.stringify(rule) ?? rawBody} → ${res.status} ${res.text}`);
      assert.match((res.json() as { error: { message: string } }).error.message, reason);
      const post = rawBody === undefined ? await s.admin('/_admin/faults', { method: 'POST', json: rule }) : undefined;
      if (post) assert.equal(post.status, 400, `POST ${JSON.stringify(rule)}`);
    };

    it('header names and values with CR/LF or other invalid characters → 400', async () => {
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'X-Test': 'a\r\nSet-Cookie: x=1' } }, /X-Test.*CR, LF/);
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'X-Test': 'a\nb' } }, /not allowed in a header/);
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'X-Test': 'nul\u0000' } }, /not allowed in a header/);
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'X-Test': 'snow ☃' } }, /non-Latin-1/);
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'Bad Name': 'v' } }, /invalid header name/);
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'X\r\nY': 'v' } }, /invalid header name/);
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'Content-Length': '0' } }, /cannot be set/);
      await invalid({ operation: 'secrets.get', status: 503, headers: { 'X-Num': 5 } }, /must be a string/);
      await invalid({ operation: 'secrets.get', status: 503, headers: ['X-A: b'] }, /headers must be an object/);
    });

    it('wrong types and ranges (vault, status, numbers) → 400 with the reason', async () => {
      await invalid({ operation: 'secrets.get', status: 503, vault: 5 }, /vault must be/);
      await invalid({ operation: 'secrets.get', status: 503, vault: { name: 'dev' } }, /vault must be/);
      await invalid({ operation: 'secrets.get', status: 200 }, /status must be .*400-599/);
      await invalid({ operation: 'secrets.get', status: 600 }, /status must be/);
      await invalid({ operation: 'secrets.get', status: '429' }, /status must be/);
      await invalid({ operation: 'secrets.get', status: 429, retryAfterSeconds: -1 }, /retryAfterSeconds/);
      await invalid({ operation: 'secrets.get', status: 429, retryAfterSeconds: '1\r\nX-Injected: 1' }, /retryAfterSeconds/);
      await invalid({ operation: 'secrets.get', delayMs: -5 }, /delayMs/);
      await invalid(undefined, /delayMs must be a finite number/, '{"rules":[{"operation":"secrets.get","delayMs":1e400}]}');
      await invalid({ operation: 'secrets.get', status: 503, probability: 1.5 }, /probability/);
      await invalid({ operation: 'secrets.get', status: 503, count: 0 }, /count/);
      await invalid({ operation: 'secrets.get', reset: 'yes' }, /reset must be/);
      await invalid({ operation: 'secrets.get', reset: true, status: 503 }, /cannot also answer a status/);
      await invalid({ operation: 'secrets.gett', status: 503 }, /unknown operation "secrets.gett"/);
      await invalid({ status: 503 }, /operation is required/);
      await invalid({ operation: 'secrets.get' }, /give status, reset, delayMs or corruptBody/);
      await invalid('secrets.get', /must be a JSON object/);
    });

    it('unknown fields are rejected (listed output fields are ignored, so a listed rule can be sent back)', async () => {
      await invalid({ operation: 'secrets.get', statusCode: 503 }, /unknown field "statusCode"/);
      await invalid({ operation: 'secrets.get', status: 503, __proto__x: 1 }, /unknown field/);
      const put = await s.admin('/_admin/faults', { method: 'PUT', json: { rules: [{ operation: 'secrets.get', status: 503, count: 3 }] } });
      assert.equal(put.status, 200);
      const listed = (put.json() as { rules: unknown[] }).rules;
      const again = await s.admin('/_admin/faults', { method: 'PUT', json: listed });
      assert.equal(again.status, 200, again.text);
      assert.equal((await s.admin('/_admin/faults', { method: 'DELETE' })).status, 200);
    });

    it('after every refused rule the emulator still serves, with no rule active and no 500', async () => {
      const c = s.client({ maxRetries: 0 });
      await c.setSecret('still-serving', 'yes');
      assert.equal((await c.getSecret('still-serving')).value, 'yes');
      assert.deepEqual((await s.admin('/_admin/faults')).json(), { rules: [] });
      assert.equal((await s.stats()).statuses['500'], undefined);
    });

    it('a valid rule with headers answers with them, in place of the usual ones of the same name', async () => {
      const put = await s.admin('/_admin/faults', { method: 'PUT', json: [{ operation: 'secrets.get', status: 503, retryAfterSeconds: 0, headers: { 'X-Fault': 'injected', 'cache-control': 'no-store' }, count: 1 }] });
      assert.equal(put.status, 200, put.text);
      const res = await s.raw(`${s.vaultUrl}secrets/anything?api-version=7.5`, { token: await s.vaultToken() });
      assert.equal(res.status, 503);
      assert.equal(res.headers['x-fault'], 'injected');
      assert.equal(res.headers['cache-control'], 'no-store', 'one Cache-Control: the rule\'s');
      assert.match(String(res.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
      assert.equal(res.headers['retry-after'], '0');
    });

    it('a seed with an invalid fault rule stops the emulator at start with the reason', async () => {
      await assert.rejects(start({ seed: { faults: [{ operation: 'secrets.get', status: 429, vault: 7 }] } }), /faults\[0\]: vault must be/);
    });
  });

  describe('connection reset fault', () => {
    it('resets the TCP connection: the client sees ECONNRESET, not a 500', async () => {
      const s = await start();
      try {
        const token = await s.vaultToken();
        assert.equal((await s.admin('/_admin/faults', { method: 'POST', json: { operation: 'secrets.get', reset: true, count: 1 } })).status, 200);
        await assert.rejects(s.raw(`${s.vaultUrl}secrets/x?api-version=7.5`, { token }), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET');
        const st = await s.stats();
        assert.equal(st.statuses['500'], undefined);
        assert.ok(!s.logs.some((l) => l.includes('internal error')), s.logs.join('\n'));
        assert.equal((await s.raw(`${s.vaultUrl}secrets/x?api-version=7.5`, { token })).status, 404, 'the next request is answered');
      } finally {
        await stop(s);
      }
    });
  });

  describe('request bodies', () => {
    let s: Started;
    before(async () => { s = await start(); });
    after(async () => stop(s));

    it('a 10 MB upload through the SDK gets one HTTP 413 (Key Vault error shape), not a dropped connection and retries', async () => {
      const c = s.client();
      await c.getSecret('warm-up').catch(() => undefined); // challenge + token out of the way
      await s.admin('/_admin/stats/reset', { method: 'POST' });
      await assert.rejects(c.setSecret('huge', 'x'.repeat(10 * 1024 * 1024)), (e: { statusCode?: number; code?: string; message: string }) => {
        assert.equal(e.statusCode, 413, e.message);
        assert.equal(e.code, 'RequestBodyTooLarge');
        return true;
      });
      const st = await s.stats();
      assert.equal(st.requests['secrets.set'], 1, 'the SDK sent the upload once');
      assert.deepEqual(st.statuses, { 413: 1 });
      assert.equal((await c.getSecret('warm-up').catch((e: { statusCode: number }) => e.statusCode)), 404, 'the connection is still usable');
    });

    it('a chunked body over the limit (no Content-Length) is cut at the limit and answered 413', async () => {
      const token = await s.vaultToken();
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const u = new URL(`${s.vaultUrl}secrets/chunked?api-version=7.5`);
        const req = https.request({
          hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: 'PUT', ca: s.ca, lookup: localhostLookup, agent: false,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        }, (r) => {
          let body = '';
          r.on('data', (d: Buffer) => { body += d.toString(); });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        const chunk = Buffer.alloc(256 * 1024, 'a');
        for (let i = 0; i < 6; i++) req.write(chunk);
        req.end();
      });
      assert.equal(res.status, 413);
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'RequestBodyTooLarge');
    });

    it('401 is answered from the headers alone: no body byte has to be sent', async () => {
      const u = new URL(`${s.vaultUrl}secrets/big?api-version=7.5`);
      const got = await new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
        const req = https.request({
          hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: 'PUT', ca: s.ca, lookup: localhostLookup, agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
        }, (r) => {
          resolve({ status: r.statusCode ?? 0, challenge: r.headers['www-authenticate'] as string | undefined });
          req.destroy();
        });
        req.on('error', (e) => { if (!req.destroyed) reject(e); });
        req.flushHeaders(); // headers only; the 10 MB body is never written
      });
      assert.equal(got.status, 401);
      assert.match(got.challenge ?? '', /^Bearer authorization="/);
    });

    it('the body is validated only after authentication: bad JSON without a token is 401, with a token 400', async () => {
      const url = `${s.vaultUrl}secrets/bad-json?api-version=7.5`;
      assert.equal((await s.raw(url, { method: 'PUT', body: '{not json', headers: { 'content-type': 'application/json' } })).status, 401);
      const withToken = await s.raw(url, { method: 'PUT', body: '{not json', token: await s.vaultToken(), headers: { 'content-type': 'application/json' } });
      assert.equal(withToken.status, 400);
      assert.equal((withToken.json() as { error: { code: string } }).error.code, 'BadParameter');
    });
  });

  describe('timeouts and the connection cap', () => {
    it('a client that never finishes its headers is disconnected after headersTimeoutMs', async () => {
      const s = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
      try {
        const sock = await connectTls(s.emu.port, s.ca);
        const t0 = Date.now();
        const closed = untilClosed(sock, t0);
        sock.write('GET /_admin/stats HTTP/1.1\r\nHost: localhost\r\n'); // no blank line: headers never end
        const { data, ms } = await closed;
        assert.ok(ms >= 400 && ms < 5000, `closed after ${ms} ms`);
        assert.match(data, /^HTTP\/1\.1 408/);
        assert.equal(s.emu.info.limits.headersTimeoutMs, 500);
      } finally {
        await stop(s);
      }
    });

    it('a client that stalls in the middle of a body is disconnected after requestTimeoutMs', async () => {
      const s = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
      try {
        const token = await s.vaultToken();
        const sock = await connectTls(s.emu.port, s.ca);
        const t0 = Date.now();
        const closed = untilClosed(sock, t0);
        sock.write(`PUT /secrets/slow?api-version=7.5 HTTP/1.1\r\nHost: ${new URL(s.vaultUrl).host}\r\nAuthorization: Bearer ${token}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"value":');
        const { ms } = await closed;
        assert.ok(ms >= 800 && ms < 6000, `closed after ${ms} ms`);
        const st = await s.stats();
        assert.equal(st.statuses['500'], undefined);
      } finally {
        await stop(s);
      }
    });

    it('connections over maxConnections are closed at once; one frees a slot when it closes', async () => {
      const s = await start({ maxConnections: 2 });
      try {
        const a = await connectTls(s.emu.port, s.ca);
        const b = await connectTls(s.emu.port, s.ca);
        await assert.rejects(connectTls(s.emu.port, s.ca));
        assert.equal(s.emu.server.refusedConnections, 1);
        a.destroy();
        await waitFor('the slot to free', () => s.emu.server.connections < 2);
        const c = await connectTls(s.emu.port, s.ca);
        c.destroy();
        b.destroy();
      } finally {
        await stop(s);
      }
    });

    it('a client that does not trust the CA is logged with the name it asked for and where the CA is', async () => {
      const s = await start();
      try {
        const err = await new Promise<Error>((resolve) => {
          // no `ca`: Node's default trust store does not hold the emulator's CA
          const c = tls.connect({ host: '127.0.0.1', port: s.emu.port, servername: 'app.vault.localhost' }, () => resolve(new Error('handshake succeeded')));
          c.once('error', resolve);
        });
        assert.match(err.message, /certificate/i);
        const line = await waitFor('the log line', () => s.logs.find((l) => l.includes('TLS handshake failed')));
        assert.match(line, /for app\.vault\.localhost: .*does not trust the emulator's CA .*give it .*ca-[0-9a-f]{16}\.pem$/);
        // a client with the CA is not logged
        (await connectTls(s.emu.port, s.ca)).destroy();
        assert.equal(s.logs.filter((l) => l.includes('TLS handshake failed')).length, 1, s.logs.join('\n'));
      } finally {
        await stop(s);
      }
    });

    it('the defaults are documented values and reported in the ready line; the CLI takes the flags', async () => {
      const s = await start();
      try {
        assert.deepEqual(s.emu.info.limits, {
          maxBodyBytes: 1048576, headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 5000, maxConnections: 256, tokenLifetimeSeconds: 3600,
        });
      } finally {
        await stop(s);
      }
      assert.ok(fs.existsSync(EMULATOR_JS), 'run node esbuild.js --emulator-only first');
      const child = spawn(process.execPath, [EMULATOR_JS, '--port', '0', '--token-lifetime', '7', '--headers-timeout', '2000',
        '--request-timeout', '4000', '--max-connections', '9', '--max-body', '4096'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CACHE_HOME: fs.mkdtempSync(path.join(tmp, 'cache-')) } });
      try {
        child.stderr.resume();
        const line = await new Promise<string>((resolve, reject) => {
          readline.createInterface({ input: child.stdout }).once('line', resolve);
          child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
        });
        const ready = JSON.parse(line) as { adminToken: string; limits: Record<string, number> };
        assert.match(ready.adminToken, /^[A-Za-z0-9_-]{40,}$/);
        assert.deepEqual(ready.limits, { maxBodyBytes: 4096, headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 5000, maxConnections: 9, tokenLifetimeSeconds: 7 });
      } finally {
        child.kill('SIGTERM');
      }
    });
  });

  describe('token endpoint input', () => {
    let s: Started;
    let tokenUrl: string;
    before(async () => {
      s = await start();
      tokenUrl = `${s.origin}/${s.emu.info.tenantId}/oauth2/v2.0/token`;
    });
    after(async () => stop(s));
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    it('a malformed Basic header → 400 invalid_request in Entra\'s shape, never 500', async () => {
      for (const basic of ['Basic', 'Basic !!!not-base64', `Basic ${Buffer.from('no-colon').toString('base64')}`,
        `Basic ${Buffer.from('%zz:secret').toString('base64')}`, `Basic ${Buffer.from(':secret').toString('base64')}`]) {
        const res = await s.raw(tokenUrl, { method: 'POST', headers: { ...form, authorization: basic }, body: 'grant_type=client_credentials&scope=x%2F.default' });
        assert.equal(res.status, 400, `${basic} → ${res.status} ${res.text}`);
        aadShape(res.json() as Record<string, unknown>);
      }
      assert.equal((await s.stats()).statuses['500'], undefined);
    });

    it('missing grant_type or client_id, a repeated parameter or a non-form body → 400 invalid_request', async () => {
      const cases: [string, RegExp][] = [
        ['client_id=a&client_secret=b&scope=x%2F.default', /AADSTS900144: .*'grant_type'/],
        ['grant_type=client_credentials&client_secret=b&scope=x%2F.default', /AADSTS900144: .*'client_id'/],
        ['grant_type=client_credentials&client_id=a&client_id=b&client_secret=c', /more than once/],
        [JSON.stringify({ grant_type: 'client_credentials', client_id: 'a' }), /'grant_type'/],
        ['', /'grant_type'/],
      ];
      for (const [body, desc] of cases) {
        const res = await s.raw(tokenUrl, { method: 'POST', headers: form, body });
        assert.equal(res.status, 400, `${body} → ${res.text}`);
        const b = res.json() as Record<string, unknown>;
        aadShape(b);
        assert.match(String(b.error_description), desc);
      }
    });

    it('a well-formed Basic header (form-encoded id and secret) still gets a token', async () => {
      const p = s.emu.info.principals[0];
      const basic = Buffer.from(`${encodeURIComponent(p.clientId)}:${encodeURIComponent(p.clientSecret)}`).toString('base64');
      const res = await s.raw(tokenUrl, { method: 'POST', headers: { ...form, authorization: `Basic ${basic}` },
        body: `grant_type=client_credentials&scope=${encodeURIComponent(`https://vault.localhost:${s.emu.port}/.default`)}` });
      assert.equal(res.status, 200, res.text);
      assert.equal((res.json() as { token_type: string }).token_type, 'Bearer');
    });
  });

  describe('client aborts', () => {
    let s: Started;
    before(async () => { s = await start(); });
    after(async () => stop(s));

    it('a client that closes the connection mid-body is logged as an abort, not counted as a 500', async () => {
      const token = await s.vaultToken();
      await s.admin('/_admin/stats/reset', { method: 'POST' });
      const u = new URL(`${s.vaultUrl}secrets/aborted?api-version=7.5`);
      const req = https.request({
        hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: 'PUT', ca: s.ca, lookup: localhostLookup, agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '1000' },
      });
      req.on('error', () => undefined);
      req.write('{"value":"only-a-part');
      await sleep(200);
      req.destroy();
      const st = await waitFor('the abort to be counted', async () => {
        const x = await s.stats();
        return x.aborted >= 1 ? x : undefined;
      });
      assert.equal(st.statuses['500'], undefined);
      assert.deepEqual(st.statuses, {});
      assert.ok(s.logs.some((l) => /client aborted: PUT .* secrets\.set/.test(l)), s.logs.join('\n'));
      assert.ok(!s.logs.some((l) => l.includes('internal error')), s.logs.join('\n'));
    });

    it('a client that gives up during a delay fault is an abort too (no status counted)', async () => {
      const c = s.client({ maxRetries: 0 });
      await c.setSecret('slow', 'v');
      await s.admin('/_admin/faults', { method: 'PUT', json: [{ operation: 'secrets.get', delayMs: 600, count: 1 }] });
      await s.admin('/_admin/stats/reset', { method: 'POST' });
      await assert.rejects(c.getSecret('slow', { abortSignal: AbortSignal.timeout(100) }), (e: Error) => e.name === 'AbortError');
      const st = await waitFor('the abort to be counted', async () => {
        const x = await s.stats();
        return x.aborted >= 1 ? x : undefined;
      });
      assert.deepEqual(st.statuses, {});
      assert.equal(st.requests['secrets.get'], 1);
    });
  });

  describe('tags and dates', () => {
    let s: Started;
    let token: string;
    before(async () => {
      s = await start();
      token = await s.vaultToken();
    });
    after(async () => stop(s));

    it('__proto__, constructor and prototype tag names are stored and returned faithfully', async () => {
      const body = '{"value":"v","tags":{"__proto__":"p","constructor":"c","prototype":"q","plain":"x"}}';
      const put = await s.raw(`${s.vaultUrl}secrets/proto-tags?api-version=7.5`, { method: 'PUT', token, body, headers: { 'content-type': 'application/json' } });
      assert.equal(put.status, 200, put.text);
      const want = ['__proto__', 'constructor', 'prototype', 'plain'];
      const keys = (text: string) => Object.keys(JSON.parse(text).tags as object).sort();
      assert.deepEqual(keys(put.text), [...want].sort());
      const got = await s.raw(`${s.vaultUrl}secrets/proto-tags?api-version=7.5`, { token });
      assert.match(got.text, /"__proto__":"p"/);
      assert.deepEqual(keys(got.text), [...want].sort());
      const patched = await s.raw(`${s.vaultUrl}secrets/proto-tags/?api-version=7.5`, { method: 'PATCH', token, body: '{"tags":{"__proto__":"p2"}}', headers: { 'content-type': 'application/json' } });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual(JSON.parse(patched.text).tags, JSON.parse('{"__proto__":"p2"}'));
      const sdk = await s.client().getSecret('proto-tags');
      assert.equal(Object.getOwnPropertyDescriptor(sdk.properties.tags, '__proto__')?.value, 'p2');
    });

    it('a 16th tag is still refused even when it is __proto__', async () => {
      const tags: Record<string, string> = {};
      for (let i = 0; i < 15; i++) tags[`t${i}`] = 'v';
      const body = JSON.stringify({ value: 'v', tags }).replace(/}}$/, ',"__proto__":"x"}}');
      const res = await s.raw(`${s.vaultUrl}secrets/too-many?api-version=7.5`, { method: 'PUT', token, body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
    });

    it('out-of-range exp/nbf (1e300, negative, after 9999-12-31, 1e400) → 400 BadParameter; the edges are accepted', async () => {
      const put = (attrs: string) => s.raw(`${s.vaultUrl}secrets/dates?api-version=7.5`,
        { method: 'PUT', token, body: `{"value":"v","attributes":${attrs}}`, headers: { 'content-type': 'application/json' } });
      for (const attrs of ['{"exp":1e300}', '{"nbf":-1}', '{"exp":253402300800}', '{"nbf":-1e20}', '{"exp":1e400}']) {
        const res = await put(attrs);
        assert.equal(res.status, 400, `${attrs} → ${res.status} ${res.text}`);
        assert.equal((res.json() as { error: { code: string } }).error.code, 'BadParameter');
      }
      const edge = await put('{"nbf":0,"exp":253402300799}');
      assert.equal(edge.status, 200, edge.text);
      assert.equal(JSON.parse(edge.text).attributes.exp, 253402300799);
      const patch = await s.raw(`${s.vaultUrl}secrets/dates/?api-version=7.5`, { method: 'PATCH', token, body: '{"attributes":{"exp":1e300}}', headers: { 'content-type': 'application/json' } });
      assert.equal(patch.status, 400);
    });

    it('a seed time out of range stops the emulator with a message', async () => {
      await assert.rejects(start({ seed: { vaults: [{ name: 'dates', secrets: [{ name: 's', value: 'v', exp: 1e300 }] }], principals: [] } }), /out of range/);
    });
  });

  describe('short-lived tokens and runtime role changes', () => {
    it('tokenLifetimeSeconds: an expired token is refused and the SDK gets a new one and keeps working', async () => {
      const s = await start({ tokenLifetimeSeconds: 2 });
      try {
        assert.equal(s.emu.info.limits.tokenLifetimeSeconds, 2);
        const c = s.client({ maxRetries: 0 });
        await c.setSecret('short', 'v1');
        const old = await s.vaultToken();
        const url = `${s.vaultUrl}secrets/short?api-version=7.5`;
        assert.equal((await s.raw(url, { token: old })).status, 200);
        const tokensBefore = (await s.stats()).requests.token;
        await sleep(4500); // lifetime 2 s + skew 2 s
        assert.equal((await s.raw(url, { token: old })).status, 401, 'the old token has expired');
        assert.equal((await c.getSecret('short')).value, 'v1');
        await c.setSecret('short', 'v2');
        assert.ok((await s.stats()).requests.token > tokensBefore, 'the SDK asked for a new token');
      } finally {
        await stop(s);
      }
    });

    it('the seed option tokenLifetimeSeconds sets expires_in (and is validated)', async () => {
      const s = await start({ seed: { vaults: [{ name: 'life' }], principals: [{ clientId: 'c1', clientSecret: 'seeded-secret-1234', roles: [{ role: 'Key Vault Administrator', vault: 'life' }] }], tokenLifetimeSeconds: 42 } });
      try {
        const res = await s.raw(`${s.origin}/${s.emu.info.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=client_credentials&client_id=c1&client_secret=seeded-secret-1234&scope=${encodeURIComponent(`https://vault.localhost:${s.emu.port}/.default`)}` });
        assert.equal(res.status, 200, res.text);
        assert.equal((res.json() as { expires_in: number }).expires_in, 42);
      } finally {
        await stop(s);
      }
      await assert.rejects(start({ seed: { tokenLifetimeSeconds: 0 } }), /tokenLifetimeSeconds must be/);
    });

    it('/_admin/roles removes and adds a role assignment at runtime', async () => {
      const s = await start();
      try {
        const c = s.client({ maxRetries: 0 });
        await c.setSecret('rbac', 'v');
        const p = s.emu.info.principals[0];
        const assignment = { clientId: p.clientId, role: 'Key Vault Administrator', vault: 'dev' };
        const listed = (await s.admin('/_admin/roles')).json() as { assignments: unknown[] };
        assert.equal(listed.assignments.length, 1);
        assert.equal((await s.admin('/_admin/roles', { method: 'DELETE', json: assignment })).status, 200);
        await assert.rejects(c.getSecret('rbac'), (e: { statusCode?: number; message: string }) => e.statusCode === 403 && /getSecret\/action/.test(e.message));
        assert.equal((await s.admin('/_admin/roles', { method: 'DELETE', json: assignment })).status, 404, 'nothing left to remove');
        const added = await s.admin('/_admin/roles', { method: 'POST', json: { ...assignment, role: 'Key Vault Secrets User' } });
        assert.equal(added.status, 200, added.text);
        assert.equal((await c.getSecret('rbac')).value, 'v');
        await assert.rejects(c.setSecret('rbac', 'v2'), (e: { statusCode?: number }) => e.statusCode === 403);
        assert.equal((await s.raw(`${s.origin}/_admin/roles`, { method: 'POST', json: assignment })).status, 401, 'needs the admin token');
      } finally {
        await stop(s);
      }
    });

    it('/_admin/roles validates its input (400 with the reason)', async () => {
      const s = await start();
      try {
        const p = s.emu.info.principals[0];
        const cases: [unknown, RegExp][] = [
          [{ clientId: p.clientId, role: 'Owner', vault: 'dev' }, /role must be one of/],
          [{ clientId: p.clientId, role: 'Key Vault Reader', vault: 'nope' }, /unknown vault/],
          [{ clientId: 'nobody', role: 'Key Vault Reader', vault: 'dev' }, /unknown principal/],
          [{ clientId: p.clientId, role: 'Key Vault Reader' }, /exactly one of vault or subscription/],
          [{ clientId: p.clientId, role: 'Key Vault Reader', vault: 'dev', extra: 1 }, /unknown field/],
          [[1], /the body must be/],
        ];
        for (const [json, reason] of cases) {
          const res = await s.admin('/_admin/roles', { method: 'POST', json });
          assert.equal(res.status, 400, JSON.stringify(json));
          assert.match((res.json() as { error: { message: string } }).error.message, reason);
        }
      } finally {
        await stop(s);
      }
    });
  });
});
