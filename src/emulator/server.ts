// The emulator server: one HTTPS port serves the token endpoint, ARM, the admin API and every vault,
// dispatched on the Host header (`localhost` → identity/ARM/admin, `<vault>.vault.localhost` → data plane).
//
// Lifecycle: closed → starting → running → closing → closed.
// Request chain (handle()):
//   1. dispatch    — Host header + method + path → an operation with a stable name (counted in stats)
//   2. auth        — bearer token: signature, expiry, audience, tenant (401 + challenge before any body is read)
//   3. authorize   — firewall, RBAC or access policy (403 in the service's shape)
//   4. faults      — injected delay / 429 / 503 / connection reset for this operation
//   5. handler     — validates the body and runs (secrets.ts, arm.ts, tokens.ts)
//   6. errors      — KvError/ArmError → {"error":{code,message,innererror}}; anything else → 500 without details
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import { ArmError, routeArm, type ArmContext } from './arm';
import { KvError, badParameter, throttled } from './errors';
import { Faults, Stats, type ActiveRule } from './faults';
import type { EmulatorConfig, FaultRule, Principal, VaultConfig } from './model';
import { Actions, policyAllows, rbacAllows } from './rbac';
import { routeSecrets, seedVault, type HandlerResult } from './secrets';
import { defaultSeed, loadSeedFile, parseSeed, type SeedData } from './seed';
import { MemoryStore, PersistedStore, type SecretStore } from './store';
import { defaultStateDir, loadOrCreateKeys, type LoadedKeys } from './tls';
import { TokenService, handleTokenRequest, resolveTenant, type TokenClaims } from './tokens';

export enum ServerStatus {
  Closed = 'closed',
  Starting = 'starting',
  Running = 'running',
  Closing = 'closing',
}

export interface EmulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  /** Default: 127.0.0.1 and ::1. */
  host?: string;
  /** Persist secrets (and keep the CA) in this directory. */
  dataDir?: string;
  seedFile?: string;
  /** A seed object instead of a file. */
  seed?: Record<string, unknown>;
  /** Where the CA and keys live without --data (default: the per-user cache dir). */
  stateDir?: string;
  verbose?: boolean;
  log?: (message: string) => void;
}

export interface ReadyInfo {
  ready: true;
  port: number;
  ca: string;
  authorityHost: string;
  armEndpoint: string;
  tenantId: string;
  vaults: { name: string; url: string; subscriptionId: string; tenantId: string; resourceGroup: string }[];
  principals: {
    clientId: string; clientSecret: string; objectId: string; displayName: string; tenantId: string;
    roles: string[]; assignments: { role: string; vault?: string; subscription?: string }[];
  }[];
  tenants: { id: string; displayName: string; defaultDomain: string }[];
  subscriptions: { id: string; tenantId: string; displayName: string }[];
  keyVaultResource: string;
  armAudiences: string[];
  adminEndpoint: string;
  stateDir: string;
  dataDir: string | null;
  pid: number;
}

const MAX_BODY = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const VAULT_SUFFIX = '.vault.localhost';
const MAIN_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class Abort extends Error {}

export class EmulatorServer {
  status = ServerStatus.Closed;
  private servers: https.Server[] = [];
  private sockets = new Set<net.Socket>();
  private port = 0;
  private keys!: LoadedKeys;
  private config!: EmulatorConfig;
  private store!: SecretStore;
  private tokens!: TokenService;
  private stateDir!: string;
  private instanceFile?: string;
  readonly stats = new Stats();
  faults = new Faults();
  private readonly log: (m: string) => void;

  constructor(private readonly opts: EmulatorOptions = {}) {
    this.log = opts.log ?? ((m) => process.stderr.write(`[keyvault-emulator] ${m}\n`));
  }

  async start(): Promise<ReadyInfo> {
    if (this.status !== ServerStatus.Closed) throw new Error(`cannot start: server is ${this.status}`);
    this.status = ServerStatus.Starting;
    try {
      const dataDir = this.opts.dataDir ? path.resolve(this.opts.dataDir) : undefined;
      this.stateDir = dataDir ?? path.resolve(this.opts.stateDir ?? defaultStateDir());
      this.keys = loadOrCreateKeys(this.stateDir, this.log);
      const seed: SeedData = this.opts.seedFile ? loadSeedFile(this.opts.seedFile)
        : parseSeed(this.opts.seed ?? defaultSeed());
      this.config = seed.config;
      this.faults = new Faults(this.config.faults);
      const sealKey = Buffer.from(this.keys.sealKey, 'base64');
      this.store = dataDir ? new PersistedStore(path.join(dataDir, 'secrets'), sealKey) : new MemoryStore();
      for (const v of this.config.vaults) seedVault(this.store, v, seed.secrets.get(v.name.toLowerCase()) ?? []);
      this.tokens = new TokenService(this.keys.signingKey, () => `https://localhost:${this.port}`);
      await this.listen();
      this.status = ServerStatus.Running;
      const info = this.readyInfo();
      this.writeInstanceFile(info);
      return info;
    } catch (e) {
      await this.closeServers();
      this.store?.close();
      this.status = ServerStatus.Closed;
      throw e;
    }
  }

  private async listen(): Promise<void> {
    const tlsOpts: https.ServerOptions = { key: this.keys.serverKey, cert: this.keys.serverCert, keepAliveTimeout: 5000 };
    const hosts = this.opts.host ? [this.opts.host] : ['127.0.0.1', '::1'];
    let port = this.opts.port ?? 0;
    for (const [i, host] of hosts.entries()) {
      const server = https.createServer(tlsOpts, (req, res) => void this.handle(req, res));
      server.on('connection', (s: net.Socket) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      server.on('tlsClientError', () => undefined);
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        if (i > 0) continue; // ::1 is a bonus (clients may resolve localhost to it); IPv4 is required
        throw e;
      }
      port = (server.address() as net.AddressInfo).port;
      this.servers.push(server);
    }
    this.port = port;
  }

  async stop(): Promise<void> {
    if (this.status !== ServerStatus.Running) return;
    this.status = ServerStatus.Closing;
    await this.closeServers();
    this.store.close();
    if (this.instanceFile) fs.rmSync(this.instanceFile, { force: true });
    this.status = ServerStatus.Closed;
  }

  private async closeServers(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    })));
    for (const s of this.sockets) s.destroy();
    this.servers = [];
  }

  // ---- information ----------------------------------------------------------------------------------------

  get origin(): string {
    return `https://localhost:${this.port}`;
  }

  vaultUrl(v: VaultConfig | string): string {
    return `https://${typeof v === 'string' ? v : v.name}${VAULT_SUFFIX}:${this.port}/`;
  }

  readyInfo(): ReadyInfo {
    const c = this.config;
    return {
      ready: true,
      port: this.port,
      ca: this.keys.caPath,
      authorityHost: this.origin,
      armEndpoint: this.origin,
      tenantId: c.tenants[0].id,
      vaults: c.vaults.map((v) => ({ name: v.name, url: this.vaultUrl(v), subscriptionId: v.subscriptionId, tenantId: v.tenantId, resourceGroup: v.resourceGroup })),
      principals: c.principals.map((p) => ({
        clientId: p.clientId, clientSecret: p.clientSecret, objectId: p.objectId, displayName: p.displayName,
        tenantId: p.tenants[0], roles: [...new Set(p.roles.map((r) => r.role))],
        assignments: p.roles.map((r) => ({ role: r.role, ...(r.vault ? { vault: r.vault } : { subscription: r.subscription }) })),
      })),
      tenants: c.tenants,
      subscriptions: c.subscriptions,
      keyVaultResource: `https://vault.localhost:${this.port}`,
      armAudiences: this.armAudiences(this.port),
      adminEndpoint: `${this.origin}/_admin`,
      stateDir: this.stateDir,
      dataDir: this.opts.dataDir ? path.resolve(this.opts.dataDir) : null,
      pid: process.pid,
    };
  }

  private writeInstanceFile(info: ReadyInfo): void {
    try {
      const dir = path.join(this.stateDir, 'instances');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${this.port}.json`);
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600 });
      fs.renameSync(tmp, file);
      this.instanceFile = file;
    } catch (e) {
      this.log(`could not write the instance file: ${(e as Error).message}`);
    }
  }

  private armAudiences(port: number): string[] {
    return [`https://localhost:${port}`, `https://127.0.0.1:${port}`, 'https://management.azure.com', 'https://management.core.windows.net'];
  }

  // ---- request chain --------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    let operation = 'unknown';
    let reply: Reply;
    try {
      const hostHeader = (req.headers.host ?? '').toLowerCase();
      const { hostname, port } = splitHost(hostHeader, this.port);
      const url = new URL(req.url ?? '/', 'https://x');
      const query = decodeQuery(url.search);
      const segments = url.pathname.split('/').slice(1).map(safeDecode);
      const raw = await readRaw(req);
      if (hostname.endsWith(VAULT_SUFFIX)) {
        const vaultName = hostname.slice(0, -VAULT_SUFFIX.length);
        const r = await this.vaultRequest(req, res, vaultName, hostHeader, port, segments, query, raw);
        operation = r.operation;
        reply = r.reply;
      } else if (MAIN_HOSTS.has(hostname)) {
        const r = await this.mainRequest(req, res, hostHeader, segments, query, raw);
        operation = r.operation;
        reply = r.reply;
      } else {
        reply = { status: 400, body: { error: { code: 'BadRequest', message: `Unknown host ${hostname}. Vaults are served at https://<vault>${VAULT_SUFFIX}:${this.port}/.` } } };
      }
    } catch (e) {
      if (e instanceof Abort) return; // the connection was reset on purpose
      reply = errorReply(e, this.log);
    }
    if (operation !== 'admin') this.stats.status(reply.status);
    send(res, reply);
    if (this.opts.verbose) this.log(`${req.method} ${req.headers.host} ${operation} ${reply.status} ${Date.now() - started}ms`);
  }

  private count(operation: string): void {
    if (operation !== 'admin') this.stats.count(operation);
  }

  /** Delay / reset / error status from the fault rules, or undefined to go on. */
  private async applyFault(operation: string, vault: string | undefined, req: http.IncomingMessage, kind: 'kv' | 'arm' | 'aad'): Promise<Reply | undefined> {
    const rule = this.faults.match(operation, vault);
    if (!rule) return undefined;
    if (rule.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
    if (rule.reset) {
      const s = req.socket as net.Socket & { resetAndDestroy?: () => void };
      if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
      else s.destroy();
      throw new Abort();
    }
    if (rule.status === undefined) return undefined;
    return faultReply(rule, kind);
  }

  private async vaultRequest(req: http.IncomingMessage, res: http.ServerResponse, vaultName: string, hostHeader: string, port: number,
    segments: string[], query: Map<string, string>, raw: Buffer): Promise<{ operation: string; reply: Reply }> {
    // 1. dispatch
    const route = routeSecrets(req.method ?? 'GET', segments);
    const operation = route?.operation ?? 'secrets.unknown';
    this.count(operation);
    const vault = this.config.vaults.find((v) => v.name.toLowerCase() === vaultName);
    if (!vault) {
      return { operation, reply: { status: 404, body: { error: { code: 'VaultNotFound', message: `Vault ${vaultName} does not exist in this emulator.` } } } };
    }
    const origin = `https://${hostHeader}`;
    // 2. auth (no body is looked at before this)
    const challenge = `Bearer authorization="${this.origin}/${vault.tenantId}", resource="https://vault.localhost:${port}"`;
    const unauthorized = (message: string): { operation: string; reply: Reply } => ({
      operation,
      reply: { status: 401, headers: { 'WWW-Authenticate': challenge }, body: { error: { code: 'Unauthorized', message } } },
    });
    const token = bearer(req);
    if (!token) return unauthorized('AKV10000: Request is missing a Bearer or PoP token.');
    const audiences = [...new Set([`https://vault.localhost:${port}`, `https://vault.localhost:${this.port}`])];
    const claims = await this.tokens.verify(token, audiences);
    if (!claims) return unauthorized(`AKV10022: Invalid audience, signature or expired token. Expected audience ${audiences[0]}.`);
    if (claims.tid !== vault.tenantId) {
      return unauthorized(`AKV10032: Invalid issuer. Expected one of ${this.origin}/${vault.tenantId}/v2.0, found ${String(claims.iss)}.`);
    }
    const principal = this.principalOf(claims);
    if (!principal) return unauthorized('AKV10000: The token names an unknown principal.');
    // 3. authorize
    if (vault.firewall === 'deny') {
      throw new KvError(403, 'Forbidden',
        `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${clientAddress(req)}\r\n` +
        `Caller: appid=${principal.clientId};oid=${principal.objectId};iss=${String(claims.iss)}\r\nVault: ${vault.name};location=${vault.location}`,
        'ForbiddenByFirewall');
    }
    if (!route) throw new KvError(404, 'NotFound', `The requested operation ${req.method} ${'/' + segments.join('/')} is not supported by this vault.`);
    this.authorize(vault, principal, claims, route.action,
      segments[0] === 'secrets' || segments[0] === 'deletedsecrets' ? segments[1]?.toLowerCase() || undefined : undefined);
    // 4. faults
    const fault = await this.applyFault(operation, vault.name, req, 'kv');
    if (fault) return { operation, reply: fault };
    // 5. handler
    const result: HandlerResult = route.run({
      vault, store: this.store, origin, sealKey: Buffer.from(this.keys.sealKey, 'base64'), query,
      readBody: () => parseJsonBody(raw),
    });
    void res;
    return { operation, reply: result };
  }

  private principalOf(claims: TokenClaims): Principal | undefined {
    return this.config.principals.find((p) => p.objectId === claims.oid || p.clientId === claims.appid);
  }

  private authorize(vault: VaultConfig, principal: Principal, claims: TokenClaims, action: string, secretName?: string): void {
    const caller = `appid=${principal.clientId};oid=${principal.objectId};iss=${String(claims.iss)}`;
    if (vault.rbac) {
      if (rbacAllows(principal, vault, action)) return;
      const secret = secretName ? `/secrets/${secretName}` : '';
      throw new KvError(403, 'Forbidden',
        'Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
        `Caller: ${caller}\r\nAction: '${action}'\r\nResource: '/subscriptions/${vault.subscriptionId}/resourcegroups/${vault.resourceGroup.toLowerCase()}/providers/microsoft.keyvault/vaults/${vault.name.toLowerCase()}${secret}'\r\n` +
        `Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${vault.name};location=${vault.location}\r\n`,
        'ForbiddenByRbac');
    }
    if (policyAllows(principal, vault, action)) return;
    const perm = action === Actions.readMetadata ? 'list' : action.split('/').slice(-2, -1)[0].replace(/Secret$/, '').toLowerCase();
    throw new KvError(403, 'Forbidden',
      `The user, group or application '${caller}' does not have secrets ${perm} permission on key vault '${vault.name};location=${vault.location}'. ` +
      'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287', 'ForbiddenByPolicy');
  }

  private async mainRequest(req: http.IncomingMessage, res: http.ServerResponse, hostHeader: string, segments: string[],
    query: Map<string, string>, raw: Buffer): Promise<{ operation: string; reply: Reply }> {
    const method = req.method ?? 'GET';
    const s = segments.filter((x, i) => x !== '' || i < segments.length - 1);
    const lc = s.map((x) => x.toLowerCase());
    // Admin API (loopback only, no token)
    if (lc[0] === '_admin') return { operation: 'admin', reply: this.admin(req, method, lc.slice(1), raw) };
    // Identity
    if (method === 'GET' && s.length >= 3 && lc.slice(-2).join('/') === '.well-known/openid-configuration') {
      const operation = 'openidConfiguration';
      this.count(operation);
      const tenant = s[0];
      if (!resolveTenant(this.config, tenant)) return { operation, reply: aadReply(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`) };
      const fault = await this.applyFault(operation, undefined, req, 'aad');
      if (fault) return { operation, reply: fault };
      return { operation, reply: { status: 200, body: this.tokens.openidConfiguration(tenant) } };
    }
    if (method === 'GET' && s.length >= 3 && lc.slice(-1)[0] === 'keys' && lc.includes('discovery')) {
      this.count('jwks');
      return { operation: 'jwks', reply: { status: 200, body: await this.tokens.jwks() } };
    }
    if (method === 'POST' && s.length >= 3 && lc[1] === 'oauth2' && lc[lc.length - 1] === 'token') {
      const operation = 'token';
      this.count(operation);
      const fault = await this.applyFault(operation, undefined, req, 'aad');
      if (fault) return { operation, reply: fault };
      const form = new URLSearchParams(raw.toString('utf8'));
      if (!form.get('scope') && form.get('resource')) form.set('scope', `${form.get('resource')!.replace(/\/+$/, '')}/.default`);
      const r = await handleTokenRequest(this.tokens, this.config, s[0], form, basicAuth(req));
      return { operation, reply: r };
    }
    // ARM
    const route = routeArm(method, s);
    const operation = route?.operation ?? 'arm.unknown';
    this.count(operation);
    const token = bearer(req);
    if (!token) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    }
    const claims = await this.tokens.verify(token, this.armAudiences(splitHost(hostHeader, this.port).port).concat(this.armAudiences(this.port)));
    if (!claims) throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid, expired, or has the wrong audience.');
    const principal = this.principalOf(claims);
    if (!principal) throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token names an unknown principal.');
    if (!route) throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${'/' + s.join('/')}'.`);
    const fault = await this.applyFault(operation, undefined, req, 'arm');
    if (fault) return { operation, reply: fault };
    const ctx: ArmContext = {
      config: this.config, principal, tenant: claims.tid, vaultUrl: (v) => this.vaultUrl(v), origin: `https://${hostHeader}`, query,
      readBody: () => parseJsonBody(raw),
    };
    void res;
    return { operation, reply: route.run(ctx) };
  }

  // ---- admin API ------------------------------------------------------------------------------------------

  private admin(req: http.IncomingMessage, method: string, s: string[], raw: Buffer): Reply {
    if (!isLoopback(req.socket.remoteAddress)) return { status: 403, body: { error: { code: 'Forbidden', message: 'The admin API is for loopback clients only.' } } };
    const p = s.join('/');
    const ok = (body: unknown): Reply => ({ status: 200, body });
    const bad = (m: string): Reply => ({ status: 400, body: { error: { code: 'BadRequest', message: m } } });
    if (p === 'stats' && method === 'GET') return ok(this.stats.snapshot());
    if (p === 'stats/reset' && method === 'POST') {
      this.stats.reset();
      return ok(this.stats.snapshot());
    }
    if (p === 'ready' && method === 'GET') return ok(this.readyInfo());
    if (p === 'faults') {
      try {
        if (method === 'GET') return ok({ rules: this.faults.list() });
        if (method === 'DELETE') {
          this.faults.set([]);
          return ok({ rules: [] });
        }
        const b = parseJsonBody(raw) as unknown;
        if (method === 'PUT') {
          const rules = Array.isArray(b) ? b : (b as { rules?: unknown })?.rules;
          if (!Array.isArray(rules)) return bad('PUT /_admin/faults takes {"rules":[…]} or an array of rules.');
          this.faults.set(rules as FaultRule[]);
          return ok({ rules: this.faults.list() });
        }
        if (method === 'POST') return ok({ rule: this.faults.add(b as FaultRule), rules: this.faults.list() });
      } catch (e) {
        return bad((e as Error).message);
      }
    }
    return { status: 404, body: { error: { code: 'NotFound', message: 'Admin endpoints: GET /_admin/stats, POST /_admin/stats/reset, GET|PUT|POST|DELETE /_admin/faults, GET /_admin/ready' } } };
  }
}

// ---- helpers --------------------------------------------------------------------------------------------

function splitHost(host: string, fallbackPort: number): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m) return { hostname: host, port: fallbackPort };
  return { hostname: m[1].replace(/\.$/, ''), port: m[2] ? Number(m[2]) : 443 };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Query keys and values decoded (the SDK sends `api%2Dversion`). */
export function decodeQuery(search: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = safeDecode((i < 0 ? part : part.slice(0, i)).replace(/\+/g, ' '));
    const v = i < 0 ? '' : safeDecode(part.slice(i + 1).replace(/\+/g, ' '));
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function readRaw(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new KvError(413, 'RequestBodyTooLarge', `The request body is larger than ${MAX_BODY} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw badParameter('The request body is not valid JSON.');
  }
}

function bearer(req: http.IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^(?:Bearer|PoP)\s+(.+)$/i.exec(h.trim());
  return m ? m[1] : undefined;
}

function basicAuth(req: http.IncomingMessage): { id: string; secret: string } | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Basic\s+(.+)$/i.exec(h) : null;
  if (!m) return undefined;
  const [id, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
  return { id: decodeURIComponent(id), secret: decodeURIComponent(rest.join(':')) };
}

function isLoopback(addr: string | undefined): boolean {
  return !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));
}

function clientAddress(req: http.IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function aadReply(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description, error_codes: [], timestamp: new Date().toISOString(), trace_id: crypto.randomUUID(), correlation_id: crypto.randomUUID() } };
}

function faultReply(rule: ActiveRule, kind: 'kv' | 'arm' | 'aad'): Reply {
  const status = rule.status!;
  const retryAfter = rule.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  const headers: Record<string, string> = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {};
  if (kind === 'kv' && status === 429) {
    const e = throttled(retryAfter ?? 1);
    return { status, body: e.body(), headers };
  }
  if (kind === 'aad') return { ...aadReply(status, status === 429 ? 'temporarily_unavailable' : 'server_error', `AADSTS90033: injected fault ${status}.`), headers };
  const code = status === 429 ? (kind === 'arm' ? 'TooManyRequests' : 'Throttled') : status === 503 ? 'ServiceUnavailable' : 'InjectedFault';
  const message = status === 503 ? 'The service is temporarily unavailable. Please retry later.' : `Injected fault (HTTP ${status}).`;
  return { status, body: { error: { code, message } }, headers };
}

function errorReply(e: unknown, log: (m: string) => void): Reply {
  if (e instanceof KvError) return { status: e.status, body: e.body(), headers: e.headers };
  if (e instanceof ArmError) return { status: e.status, body: e.body() };
  log(`internal error: ${(e as Error)?.stack ?? String(e)}`);
  return { status: 500, body: { error: { code: 'InternalServerError', message: 'The emulator hit an internal error; see its log.' } } };
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {
    'Cache-Control': 'no-cache',
    'x-ms-request-id': crypto.randomUUID(),
    'x-ms-keyvault-service-version': '1.9.0.0-emulator',
    ...reply.headers,
  };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['Content-Type'] = JSON_TYPE;
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers);
  res.end(text);
}
