// Conformance support: one emulator process per test file, started from dist/emulator.js with a seed,
// plus clients built the way a real user builds them (unmodified SDK, ClientSecretCredential against the
// emulator's token endpoint, challenge verification on, *.vault.localhost reached through the project's
// per-request lookup policy).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { SecretClient as SecretClient411 } from 'keyvault-secrets-4-11';
import { localEmulatorPolicy, localhostLookup } from '../../../src/azure/localTransport';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const EMULATOR_JS = path.join(ROOT, 'dist', 'emulator.js');
export const CONFORMANCE_SEED = path.join(ROOT, 'test', 'fixtures', 'conformance-seed.json');

export interface ReadyPrincipal {
  clientId: string;
  clientSecret: string;
  roles: unknown[];
  [extra: string]: unknown;
}

export interface ReadyLine {
  ready: true;
  port: number;
  ca: string;
  authorityHost: string;
  armEndpoint: string;
  tenantId: string;
  vaults: { name: string; url: string; [extra: string]: unknown }[];
  principals: ReadyPrincipal[];
  /** Per-run token for /_admin/* (`Authorization: Bearer <adminToken>`). */
  adminToken: string;
  [extra: string]: unknown;
}

// ---------- the matrix ----------

export type ServiceVersion = '7.5' | '7.6' | '2025-07-01' | undefined;

export interface SdkLine {
  label: string;
  /** The api-version this line sends when no serviceVersion is given. */
  defaultApiVersion: string;
  SecretClient: typeof SecretClient;
}

export const SDK_LINES: SdkLine[] = [
  { label: 'keyvault-secrets 4.12.0', defaultApiVersion: '2026-04-01', SecretClient },
  // The 4.11 line has its own (structurally identical) class; typed as the 4.12 one for the shared tests.
  { label: 'keyvault-secrets 4.11.2', defaultApiVersion: '2025-07-01', SecretClient: SecretClient411 as unknown as typeof SecretClient },
];

export const SERVICE_VERSIONS: ServiceVersion[] = ['7.5', '7.6', '2025-07-01', undefined];

export interface Combo {
  index: number;
  sdk: SdkLine;
  serviceVersion: ServiceVersion;
  /** The api-version this combo puts on the wire. */
  apiVersion: string;
  /** Describe title; count-matrix.ts groups results by it. */
  title: string;
  /** Short prefix for names this combo creates, so combos never collide in one vault. */
  prefix: string;
}

export const COMBOS: Combo[] = SDK_LINES.flatMap((sdk, i) =>
  SERVICE_VERSIONS.map((serviceVersion, j) => ({
    index: i * SERVICE_VERSIONS.length + j,
    sdk,
    serviceVersion,
    apiVersion: serviceVersion ?? sdk.defaultApiVersion,
    title: `${sdk.label} / service ${serviceVersion ?? 'default'}`,
    prefix: `c${i * SERVICE_VERSIONS.length + j}`,
  })));

/** Generates the same describe block for every SDK line × service version. */
export function forEachCombo(body: (combo: Combo) => void): void {
  for (const combo of COMBOS) {
    describe(combo.title, () => body(combo));
  }
}

// ---------- recording what the SDK really sent ----------

export interface Exchange {
  method: string;
  url: string;
  status: number;
  hadAuthorization: boolean;
  retryAfter?: string;
}

/** A perRetry policy that records every request as it goes on the wire (after retries and challenges). */
export class Recorder {
  readonly exchanges: Exchange[] = [];
  readonly policy: PipelinePolicy = {
    name: 'conformanceRecorder',
    sendRequest: async (request, next) => {
      const response = await next(request);
      this.exchanges.push({
        method: request.method,
        url: request.url,
        status: response.status,
        hadAuthorization: request.headers.has('authorization'),
        retryAfter: response.headers.get('retry-after') ?? undefined,
      });
      return response;
    },
  };
  clear(): void {
    this.exchanges.length = 0;
  }
}

// ---------- the emulator process ----------

export interface StartOptions {
  seed?: string;
  data?: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

export class Emulator {
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly credentials = new Map<string, ClientSecretCredential>();
  readonly caPem: string;
  readonly policy: PipelinePolicy;

  private constructor(readonly child: ChildProcess, readonly ready: ReadyLine, private readonly stderrTail: () => string) {
    this.caPem = fs.readFileSync(ready.ca, 'utf8');
    this.policy = localEmulatorPolicy(this.caPem);
    this.exitPromise = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      child.once('exit', () => resolve());
    });
    void this.exitPromise.then(() => { this.exited = true; });
  }

  static start(options: StartOptions = {}): Promise<Emulator> {
    if (!fs.existsSync(EMULATOR_JS)) {
      return Promise.reject(new Error(`${EMULATOR_JS} is missing: run node esbuild.js --emulator-only first`));
    }
    const args = [EMULATOR_JS, '--port', '0'];
    if (options.seed) args.push('--seed', options.seed);
    if (options.data) args.push('--data', options.data);
    args.push(...(options.extraArgs ?? []));
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
    const tail = () => stderr;
    return new Promise<Emulator>((resolve, reject) => {
      let stdout = '';
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`emulator did not start: ${why}\n--- stderr tail ---\n${tail()}`));
      };
      const timer = setTimeout(() => fail(`no ready line within ${options.timeoutMs ?? 15000} ms`), options.timeoutMs ?? 15000);
      child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
      child.once('error', (e) => fail(String(e)));
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        if (settled) return;
        stdout += d;
        const nl = stdout.indexOf('\n');
        if (nl < 0) return;
        const line = stdout.slice(0, nl);
        settled = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        try {
          const ready = JSON.parse(line) as ReadyLine;
          if (ready.ready !== true) throw new Error('ready is not true');
          resolve(new Emulator(child, ready, tail));
        } catch (e) {
          child.kill('SIGKILL');
          reject(new Error(`bad ready line (${(e as Error).message}): ${line.slice(0, 300)}`));
        }
      });
    });
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  get origin(): string {
    return this.ready.authorityHost;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with how it ended. */
  async stop(graceMs = 5000): Promise<'clean' | 'killed'> {
    if (this.exited) return 'clean';
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => { timer = setTimeout(() => r(true), graceMs); });
    const done = await Promise.race([this.exitPromise.then(() => false), timedOut]);
    clearTimeout(timer);
    if (done) {
      this.child.kill('SIGKILL');
      await this.exitPromise;
      return 'killed';
    }
    return 'clean';
  }

  async kill9(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  stderr(): string {
    return this.stderrTail();
  }

  vaultUrl(name: string): string {
    const v = this.ready.vaults.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!v) throw new Error(`vault ${name} not in ready line (${this.ready.vaults.map((x) => x.name).join(', ')})`);
    return v.url;
  }

  principal(clientId: string): ReadyPrincipal {
    const p = this.ready.principals.find((x) => x.clientId === clientId);
    if (!p) throw new Error(`principal ${clientId} not in ready line`);
    return p;
  }

  /** One credential per principal per file, so its token cache is shared like in a real app. */
  credential(clientId?: string, tenantId?: string): ClientSecretCredential {
    const p = clientId ? this.principal(clientId) : this.ready.principals[0];
    const tenant = tenantId ?? this.ready.tenantId;
    const key = `${p.clientId}@${tenant}`;
    let cred = this.credentials.get(key);
    if (!cred) {
      cred = new ClientSecretCredential(tenant, p.clientId, p.clientSecret, {
        authorityHost: this.ready.authorityHost,
        disableInstanceDiscovery: true,
        additionallyAllowedTenants: ['*'],
        additionalPolicies: [{ policy: this.policy, position: 'perCall' }],
      });
      this.credentials.set(key, cred);
    }
    return cred;
  }

  secretClient(combo: Combo, vault: string, opts: {
    clientId?: string;
    recorder?: Recorder;
    credential?: TokenCredential;
    retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  } = {}): SecretClient {
    const additionalPolicies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[] = [
      { policy: this.policy, position: 'perCall' },
    ];
    if (opts.recorder) additionalPolicies.push({ policy: opts.recorder.policy, position: 'perRetry' });
    return new combo.sdk.SecretClient(this.vaultUrl(vault), opts.credential ?? this.credential(opts.clientId), {
      serviceVersion: combo.serviceVersion,
      additionalPolicies,
      retryOptions: opts.retryOptions,
    });
  }

  /** Options for ARM clients (`endpoint`, `credentialScopes`, the local policy). */
  armOptions(recorder?: Recorder): {
    endpoint: string;
    credentialScopes: string[];
    additionalPolicies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
  } {
    const additionalPolicies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[] = [
      { policy: this.policy, position: 'perCall' },
    ];
    if (recorder) additionalPolicies.push({ policy: recorder.policy, position: 'perRetry' });
    return {
      endpoint: this.ready.armEndpoint,
      credentialScopes: [`${this.ready.armEndpoint}/.default`],
      additionalPolicies,
    };
  }

  // ---------- raw HTTPS (no SDK) ----------

  request(url: string, init: RawInit = {}): Promise<RawResponse> {
    return rawRequest(url, { ...init, ca: this.caPem });
  }

  /** The challenge a bare request gets, parsed; `resource` gives the token scope. */
  async challenge(vault: string): Promise<Challenge> {
    const res = await this.request(`${this.vaultUrl(vault)}secrets?api-version=7.5`);
    if (res.status !== 401) throw new Error(`expected 401, got ${res.status}`);
    return parseChallenge(res.headers['www-authenticate'] as string);
  }

  /** A data-plane token obtained the way the SDK does: scope from the challenge's resource. */
  async vaultToken(vault: string, clientId?: string): Promise<string> {
    const ch = await this.challenge(vault);
    const scope = ch.resource ? `${ch.resource}/.default` : ch.scope!;
    const tenant = ch.authorization ? new URL(ch.authorization).pathname.split('/').filter(Boolean).pop() : undefined;
    const t = await this.credential(clientId).getToken(scope, { tenantId: tenant });
    return t.token;
  }

  // ---------- admin API ----------

  /** A request to the admin API with this run's admin token (`path` starts with /_admin). */
  admin(path: string, init: RawInit = {}): Promise<RawResponse> {
    return this.request(`${this.origin}${path}`, { ...init, token: this.ready.adminToken });
  }

  async stats(): Promise<Stats> {
    const res = await this.admin('/_admin/stats');
    if (res.status !== 200) throw new Error(`GET /_admin/stats → ${res.status}`);
    return res.json() as Stats;
  }

  async resetStats(): Promise<void> {
    const res = await this.admin('/_admin/stats/reset', { method: 'POST' });
    if (res.status >= 300) throw new Error(`POST /_admin/stats/reset → ${res.status}`);
  }

  async getFaults(): Promise<unknown> {
    const res = await this.admin('/_admin/faults');
    if (res.status !== 200) throw new Error(`GET /_admin/faults → ${res.status}`);
    return res.json();
  }

  async setFaults(rules: FaultRule[]): Promise<void> {
    const res = await this.admin('/_admin/faults', { method: 'PUT', json: { rules } });
    if (res.status >= 300) throw new Error(`PUT /_admin/faults → ${res.status} ${res.text.slice(0, 200)}`);
  }
}

export interface FaultRule {
  operation: string;
  status?: number;
  retryAfterSeconds?: number;
  count?: number;
  probability?: number;
  delayMs?: number;
  reset?: boolean;
  vault?: string;
  [extra: string]: unknown;
}

export type Stats = Record<string, unknown>;

export interface Challenge {
  authorization?: string;
  resource?: string;
  scope?: string;
  raw: string;
}

export function parseChallenge(header: string | undefined): Challenge {
  if (!header) throw new Error('no WWW-Authenticate header');
  const out: Challenge = { raw: header };
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) {
    if (m[1] === 'authorization' || m[1] === 'authorization_uri') out.authorization = m[2];
    if (m[1] === 'resource') out.resource = m[2];
    if (m[1] === 'scope') out.scope = m[2];
  }
  return out;
}

export interface RawInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  json?: unknown;
  token?: string;
  ca?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

export function rawRequest(url: string, init: RawInit = {}): Promise<RawResponse> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return new Promise((resolve, reject) => {
    const req = https.request({
      protocol: u.protocol, hostname: u.hostname, port: u.port, path: u.pathname + u.search,
      method: init.method ?? 'GET', headers, ca: init.ca, lookup: localhostLookup, agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Finds a number in the stats document under any of the given keys (the stats shape is the emulator's). */
export function totalRequests(stats: Stats): number {
  for (const key of ['requests', 'totalRequests', 'total', 'count']) {
    const v = stats[key];
    if (typeof v === 'number') return v;
  }
  throw new Error(`no request total in stats: ${JSON.stringify(stats).slice(0, 300)}`);
}

/**
 * The emulator of one describe block: started (conformance seed by default) in before(), stopped in after() even
 * when tests failed. The handle forwards to it once started, so tests use it like the Emulator itself.
 */
export function emulatorForSuite(options: StartOptions = { seed: CONFORMANCE_SEED }): Emulator {
  let current: Emulator | undefined;
  before(async function () {
    this.timeout(30000);
    current = await Emulator.start(options);
  });
  after(async function () {
    this.timeout(10000);
    if (current) await current.stop();
  });
  return new Proxy({} as Emulator, {
    get(_, key) {
      if (!current) throw new Error('the suite emulator is used before its before() hook ran');
      const value = Reflect.get(current, key, current) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
