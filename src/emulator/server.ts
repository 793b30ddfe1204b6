// The emulator server: one HTTPS port serves the token endpoint, ARM, the admin API and every vault,
// dispatched on the Host header (`localhost` → identity/ARM/admin, `<vault>.vault.localhost` → data plane).
//
// Lifecycle: closed → starting → running → closing → closed.
// Request chain (handle()):
//   1. dispatch    — Host header + method + path → an operation with a stable name (counted in stats)
//   2. auth        — bearer token: signature, expiry, audience, tenant (401 + challenge before any body is read)
//   3. authorize   — firewall, RBAC or access policy (403 in the service's shape)
//   4. body        — read only now, at most maxBodyBytes (413 otherwise; the rest is drained, not dropped)
//   5. faults      — injected delay / 429 / 503 / connection reset for this operation
//   6. handler     — validates the body and runs (secrets.ts, arm.ts, tokens.ts)
//   7. errors      — KvError/ArmError → {"error":{code,message,innererror}}; a client that went away is an
//                    abort (logged, counted apart); anything else → 500 without details
// Limits: header and request timeouts, a TLS handshake timeout, keep-alive timeout and a connection cap
// (shared by the IPv4 and IPv6 listeners); see DEFAULT_LIMITS and docs/emulator.md.
// The admin API (/_admin/*) needs the per-run admin token (ready line `adminToken`, instance file).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type * as http from 'node:http';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import * as path from 'node:path';
import { checkArmVersion, checkDataPlaneVersion, shapeOf } from './apiversions';
import { ArmError, routeArm, type ArmContext } from './arm';
import { KvError, badParameter, payloadTooLarge, throttled } from './errors';
import { FaultRuleError, Faults, Stats, type ActiveRule } from './faults';
import type { EmulatorConfig, Principal, RoleAssignment, VaultConfig } from './model';
import { Actions, ROLE_NAMES, policyAllows, rbacAllows, sameAssignment } from './rbac';
import { routeSecrets, seedVault, type HandlerResult, type SecretsRoute } from './secrets';
import { defaultSeed, loadOrCreateDefaultSecret, loadSeedFile, newClientSecret, parseSeed, tokenLifetime, type SeedData } from './seed';
import { MemoryStore, PersistedStore, type SecretStore } from './store';
import { defaultStateDir, loadOrCreateKeys, type LoadedKeys } from './tls';
import {
  FEDERATED_TOKEN_LIFETIME_S, FEDERATION_PATH, MSI_PATH, TOKEN_LIFETIME_S, TokenService, handleManagedIdentityRequest,
  handleTokenRequest, parseBasicAuth, resolveTenant, type TokenClaims,
} from './tokens';
import { EnvError, environmentBlock, renderEnv, type EnvFormat, type EnvKind } from './env';
import { Transit, WINDOW_KEYS, WindowError, windowMs, windowsOf, type VaultWindows } from './windows';

export enum ServerStatus {
  Closed = 'closed',
  Starting = 'starting',
  Running = 'running',
  Closing = 'closing',
}

export interface EmulatorLimits {
  /** Largest request body read (bytes); a larger one gets 413. */
  maxBodyBytes: number;
  /** Time to receive the request line and headers (ms); then 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (ms); then 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** Open connections (both listeners together); further connections are closed at once. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: EmulatorLimits = {
  maxBodyBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
};

/** After an early answer (401, 413, …) the rest of a body is read and thrown away up to this, then the connection is closed. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export interface EmulatorOptions extends Partial<EmulatorLimits> {
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
  /** Lifetime of issued access tokens in seconds (default: the seed's tokenLifetimeSeconds, else 3600). */
  tokenLifetimeSeconds?: number;
  /** Window lengths (ms) for vaults whose seed entry does not set its own (default 0: delete, recover and purge finish at once). */
  deleteDelayMs?: number;
  recoverDelayMs?: number;
  purgeDelayMs?: number;
  /** Principals (client id, object id or display name) for which a federated assertion file is minted at start. */
  mintFederatedTokens?: string[];
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
    /** Subjects of the principal's federated credentials of the local issuer. */
    federatedSubjects: string[];
    managedIdentity?: 'system' | 'user';
  }[];
  tenants: { id: string; displayName: string; defaultDomain: string }[];
  subscriptions: { id: string; tenantId: string; displayName: string }[];
  keyVaultResource: string;
  armAudiences: string[];
  adminEndpoint: string;
  /** Send as `Authorization: Bearer <adminToken>` (or `X-Emulator-Admin-Token`) to /_admin/*. New on every start. */
  adminToken: string;
  /** App Service managed-identity endpoint and its secret header value (IDENTITY_ENDPOINT / IDENTITY_HEADER). New on every start. */
  identityEndpoint: string;
  identityHeader: string;
  /** `iss` of the assertions the local federation issuer mints. */
  federationIssuer: string;
  /** Minted federated assertion files (AZURE_FEDERATED_TOKEN_FILE), by client id. */
  federatedTokenFiles: Record<string, string>;
  /** Window lengths per vault (ms). */
  windows: Record<string, VaultWindows>;
  limits: EmulatorLimits & { tokenLifetimeSeconds: number };
  stateDir: string;
  dataDir: string | null;
  pid: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const VAULT_SUFFIX = '.vault.localhost';
const MAIN_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
export const ADMIN_TOKEN_HEADER = 'x-emulator-admin-token';

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** JSON.stringify(body), when the handler already has it (a cached serialization); sent instead of serializing again. */
  json?: string;
  /** Buffer.byteLength(json), when the handler has it (a cached answer). */
  byteLength?: number;
  /** corruptBody fault: the JSON text is cut short (invalid JSON that still carries the handler's data). */
  corrupt?: boolean;
}

/** One data-plane request on its way through vaultRequest, once the vault and the route are known. */
interface VaultCall {
  req: http.IncomingMessage;
  vault: VaultConfig;
  route: SecretsRoute | undefined;
  operation: string;
  /** `https://` and the request's Host header (lower case): the origin of the ids in the answer. */
  origin: string;
  port: number;
  segments: readonly string[];
  query: ReadonlyMap<string, string>;
  body: LazyBody;
}

/** applyFault's answer for a corruptBody rule: run the handler, then cut its JSON short. */
const CORRUPT: Reply = { status: 0, corrupt: true };

/** The connection was reset on purpose (reset fault): nothing to send, nothing to count. */
class Abort extends Error {}
/** The client closed the connection before the request was read or answered. */
class ClientAbort extends Error {}

/** The request body, read on first use only (so 401/403 answers come before any body byte is read). */
class LazyBody {
  private promise?: Promise<Buffer>;
  constructor(private readonly req: http.IncomingMessage, private readonly max: number) {}
  get started(): boolean {
    return this.promise !== undefined;
  }
  read(): Promise<Buffer> {
    this.promise ??= readRaw(this.req, this.max);
    return this.promise;
  }
  /**
   * The body when the request is known to have none: no Content-Length and no Transfer-Encoding (HTTP/1.1 then
   * has no body, so the parser delivers none, complete or not yet), with nothing buffered.
   */
  readNow(): Buffer | undefined {
    if (this.promise || this.req.readableLength !== 0 || this.req.headers['content-length'] !== undefined) return undefined;
    if (this.req.headers['transfer-encoding'] !== undefined) return undefined;
    this.promise = EMPTY_BODY_READ;
    return EMPTY_BODY;
  }
}

const EMPTY_BODY = Buffer.alloc(0);
const EMPTY_BODY_READ = Promise.resolve(EMPTY_BODY);

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
  private adminToken = '';
  private identityHeader = '';
  private readonly federatedTokenFiles: Record<string, string> = {};
  /** Names in a recover or purge window. */
  private readonly transit = new Transit();
  private readonly limits: EmulatorLimits;
  /** Connections closed at once because maxConnections were open. */
  refusedConnections = 0;
  tlsFailures = 0;
  readonly stats = new Stats();
  /**
   * Parsed Host headers (name, port and the `https://` origin handlers build ids from) and request targets: a client
   * sends the same few again and again (the parse results are shared between requests and never changed: readonly).
   */
  private readonly hosts = new ParseCache<{ hostname: string; port: number; origin: string }>(64);
  private readonly targets = new ParseCache<Target>(1024);
  faults = new Faults();
  private readonly log: (m: string) => void;

  constructor(private readonly opts: EmulatorOptions = {}) {
    this.log = opts.log ?? ((m) => process.stderr.write(`[keyvault-emulator] ${m}\n`));
    this.limits = checkLimits(opts);
    for (const k of WINDOW_KEYS) if (opts[k] !== undefined) windowMs(opts[k], k);
  }

  private windowDefaults(): Partial<VaultWindows> {
    const d: Partial<VaultWindows> = {};
    for (const k of WINDOW_KEYS) if (this.opts[k] !== undefined) d[k] = this.opts[k];
    return d;
  }

  async start(): Promise<ReadyInfo> {
    if (this.status !== ServerStatus.Closed) throw new Error(`cannot start: server is ${this.status}`);
    this.status = ServerStatus.Starting;
    try {
      const dataDir = this.opts.dataDir ? path.resolve(this.opts.dataDir) : undefined;
      this.stateDir = dataDir ?? path.resolve(this.opts.stateDir ?? defaultStateDir());
      this.keys = loadOrCreateKeys(this.stateDir, this.log);
      // Without a seed: the default principal's secret belongs to the data folder (kept there, 0600) or to this run.
      const seed: SeedData = this.opts.seedFile ? loadSeedFile(this.opts.seedFile, this.windowDefaults())
        : parseSeed(this.opts.seed ?? defaultSeed(dataDir ? loadOrCreateDefaultSecret(dataDir) : newClientSecret()), undefined, this.windowDefaults());
      this.config = seed.config;
      const lifetime = this.opts.tokenLifetimeSeconds !== undefined
        ? tokenLifetime(this.opts.tokenLifetimeSeconds, 'tokenLifetimeSeconds')
        : this.config.tokenLifetimeSeconds ?? TOKEN_LIFETIME_S;
      this.faults = new Faults(this.config.faults);
      const sealKey = Buffer.from(this.keys.sealKey, 'base64');
      this.store = dataDir ? new PersistedStore(path.join(dataDir, 'secrets'), sealKey) : new MemoryStore();
      for (const v of this.config.vaults) seedVault(this.store, v, seed.secrets.get(v.name.toLowerCase()) ?? []);
      this.tokens = new TokenService(this.keys.signingKey, () => `https://localhost:${this.port}`, lifetime);
      this.adminToken = crypto.randomBytes(32).toString('base64url');
      this.identityHeader = crypto.randomBytes(24).toString('base64url');
      await this.listen();
      for (const who of this.opts.mintFederatedTokens ?? []) await this.mintFederatedTokenFile(who);
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
    const l = this.limits;
    const tlsOpts: https.ServerOptions = {
      key: this.keys.serverKey, cert: this.keys.serverCert,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      // Node checks the two timeouts above on this interval (default 30 s): keep it well under them.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(l.headersTimeoutMs / 4))),
      handshakeTimeout: l.headersTimeoutMs,
    };
    const hosts = this.opts.host ? [this.opts.host] : ['127.0.0.1', '::1'];
    let port = this.opts.port ?? 0;
    for (const [i, host] of hosts.entries()) {
      const server = https.createServer(tlsOpts, (req, res) => {
        // handle() answers every error itself; this is the last line so nothing can take the process down.
        try {
          this.handle(req, res)?.catch((e: unknown) => this.internalError(e, res));
        } catch (e) {
          this.internalError(e, res);
        }
      });
      server.on('connection', (s: net.Socket) => {
        if (this.sockets.size >= l.maxConnections) {
          // Over the cap: close at once (the TLS layer never gets to read from it).
          this.refusedConnections++;
          if (this.refusedConnections === 1 || this.opts.verbose) this.log(`connection refused: ${l.maxConnections} connections are open (maxConnections)`);
          s.destroy();
          return;
        }
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      // A client that does not trust the emulator's CA ends the handshake: say which name it asked for (SNI), so
      // a user (or a test log) can tell which client lacks the CA. The first few, then every 100th.
      server.on('tlsClientError', (e: Error, s: tls.TLSSocket) => {
        this.tlsFailures++;
        if (this.tlsFailures <= 5 || this.tlsFailures % 100 === 0 || this.opts.verbose) {
          const name = (s as tls.TLSSocket & { servername?: string | false }).servername || '(no server name)';
          // a client that rejects the certificate just closes (Node: "socket hang up"), so the hint is always given
          this.log(`TLS handshake failed (${this.tlsFailures} so far) for ${name}: ${e.message}. A client that does not trust ` +
            `the emulator's CA ends the handshake so: give it ${this.keys.caPath}`);
        }
      });
      // No 'clientError' listener: Node's default answers malformed requests with 400 and header/request
      // timeouts with 408, then closes the connection.
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
    // a Host header without a port means this server's port: parsed anew for a new one
    this.hosts.clear();
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

  /** Open connections right now (both listeners). */
  get connections(): number {
    return this.sockets.size;
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
        federatedSubjects: (p.federatedCredentials ?? []).filter((f) => f.issuer === 'local').map((f) => f.subject),
        ...(p.managedIdentity ? { managedIdentity: p.managedIdentity } : {}),
      })),
      tenants: c.tenants,
      subscriptions: c.subscriptions,
      keyVaultResource: `https://vault.localhost:${this.port}`,
      armAudiences: this.armAudiences(this.port),
      adminEndpoint: `${this.origin}/_admin`,
      adminToken: this.adminToken,
      identityEndpoint: `${this.origin}/${MSI_PATH}`,
      identityHeader: this.identityHeader,
      federationIssuer: this.tokens.federationIssuer(),
      federatedTokenFiles: { ...this.federatedTokenFiles },
      windows: Object.fromEntries(c.vaults.map((v) => [v.name, windowsOf(v)])),
      limits: { ...this.limits, tokenLifetimeSeconds: this.tokens.lifetimeSeconds },
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
      // Holds the admin token and the principals' secrets: readable by this user only.
      fs.writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600 });
      fs.chmodSync(tmp, 0o600);
      fs.renameSync(tmp, file);
      this.instanceFile = file;
    } catch (e) {
      this.log(`could not write the instance file: ${(e as Error).message}`);
    }
  }

  /** A principal by client id, object id or display name. */
  private findPrincipal(who: string): Principal | undefined {
    const w = who.toLowerCase();
    return this.config.principals.find((p) => p.clientId === w || p.objectId === w || p.displayName.toLowerCase() === w);
  }

  /** A federated assertion of the local issuer for a principal (its first local federated credential). */
  async mintFederatedToken(who: string, lifetimeSeconds = FEDERATED_TOKEN_LIFETIME_S): Promise<{ principal: Principal; token: string; subject: string; audience: string }> {
    const principal = this.findPrincipal(who);
    if (!principal) throw new AdminError(`unknown principal ${who} (give its client id, object id or display name)`);
    const fc = (principal.federatedCredentials ?? []).find((f) => f.issuer === 'local');
    if (!fc) throw new AdminError(`principal ${principal.displayName} has no federated credential of the local issuer (seed "federatedCredentials": [{"issuer": "local", "subject": …}])`);
    return { principal, token: await this.tokens.mintAssertion(fc, lifetimeSeconds), subject: fc.subject, audience: fc.audiences[0] };
  }

  /**
   * Mints an assertion into `<stateDir>/federated-tokens/<clientId>.jwt` (0600, in a 0700 folder), the file
   * AZURE_FEDERATED_TOKEN_FILE names; returns its path.
   */
  async mintFederatedTokenFile(who: string, lifetimeSeconds = FEDERATED_TOKEN_LIFETIME_S): Promise<string> {
    const { principal, token } = await this.mintFederatedToken(who, lifetimeSeconds);
    const dir = path.join(this.stateDir, 'federated-tokens');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${principal.clientId}.jwt`);
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, token, { mode: 0o600 });
    fs.renameSync(tmp, file);
    this.federatedTokenFiles[principal.clientId] = file;
    if (this.status === ServerStatus.Running) this.writeInstanceFile(this.readyInfo());
    return file;
  }

  private armAudiences(port: number): string[] {
    return [`https://localhost:${port}`, `https://127.0.0.1:${port}`, 'https://management.azure.com', 'https://management.core.windows.net'];
  }

  // ---- request chain --------------------------------------------------------------------------------------

  private internalError(e: unknown, res: http.ServerResponse): void {
    this.log(`internal error: ${(e as Error)?.stack ?? String(e)}`);
    res.destroy();
  }

  /**
   * Answers one request. Synchronously when nothing has to be waited for (a token seen before, no body, no fault
   * rule: a data-plane read), else through the promise it returns; either way every error becomes an answer.
   */
  private handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> | undefined {
    const started = Date.now();
    let operation = 'unknown';
    const setOperation = (op: string) => { operation = op; };
    const body = new LazyBody(req, this.limits.maxBodyBytes);
    let reply: Reply | Promise<Reply>;
    try {
      reply = this.dispatch(req, body, setOperation);
    } catch (e) {
      this.failed(e, req, res, body, operation, started);
      return undefined;
    }
    if (reply instanceof Promise) {
      return reply.then((r) => this.finish(req, res, r, body, operation, started),
        (e: unknown) => this.failed(e, req, res, body, operation, started));
    }
    this.finish(req, res, reply, body, operation, started);
    return undefined;
  }

  private dispatch(req: http.IncomingMessage, body: LazyBody, setOperation: (op: string) => void): Reply | Promise<Reply> {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const { hostname, port, origin } = this.hosts.get(hostHeader) ?? this.hosts.set(hostHeader, { ...splitHost(hostHeader, this.port), origin: `https://${hostHeader}` });
    const url = req.url ?? '/';
    const target = this.targets.get(url) ?? this.targets.set(url, parseTarget(url));
    const { segments, query } = target;
    if (hostname.endsWith(VAULT_SUFFIX)) {
      return this.vaultRequest(req, hostname.slice(0, -VAULT_SUFFIX.length), origin, port, target, body, setOperation);
    }
    if (MAIN_HOSTS.has(hostname)) {
      return this.mainRequest(req, port, origin, segments, query, body, setOperation).then((r) => r.reply);
    }
    return { status: 400, body: { error: { code: 'BadRequest', message: `Unknown host ${hostname}. Vaults are served at https://<vault>${VAULT_SUFFIX}:${this.port}/.` } } };
  }

  private failed(e: unknown, req: http.IncomingMessage, res: http.ServerResponse, body: LazyBody, operation: string, started: number): void {
    if (e instanceof Abort) return; // the connection was reset on purpose
    if (e instanceof ClientAbort || clientGone(req, res)) {
      this.aborted(req, operation, started);
      return;
    }
    this.finish(req, res, errorReply(e, this.log), body, operation, started);
  }

  private finish(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, body: LazyBody, operation: string, started: number): void {
    if (clientGone(req, res)) {
      // The client closed the connection while the request was being handled (e.g. during a delay fault).
      this.aborted(req, operation, started);
      return;
    }
    if (operation !== 'admin') this.stats.status(reply.status);
    this.send(req, res, reply, body);
    if (this.opts.verbose) this.log(`${req.method} ${req.headers.host} ${operation} ${reply.status} ${Date.now() - started}ms`);
  }

  private aborted(req: http.IncomingMessage, operation: string, started: number): void {
    if (operation !== 'admin') this.stats.abort();
    this.log(`client aborted: ${req.method} ${req.headers.host} ${operation} (connection closed by the client after ${Date.now() - started}ms)`);
  }

  /** Writes the reply; a body the handler never read is drained (up to DRAIN_LIMIT) so the answer is not lost to a reset. */
  private send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, body: LazyBody): void {
    if (!body.started && !req.complete) discardRest(req);
    try {
      send(res, reply);
    } catch (e) {
      // Only a bug can get here (headers are validated before they are stored); answer 500 rather than crash.
      this.log(`internal error while sending: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, body: { error: { code: 'InternalServerError', message: 'The emulator hit an internal error; see its log.' } } });
      } else {
        res.destroy();
      }
    }
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
      resetConnection(req.socket);
      throw new Abort();
    }
    if (rule.corruptBody) return CORRUPT;
    if (rule.status === undefined) return undefined;
    return faultReply(rule, kind);
  }

  private vaultRequest(req: http.IncomingMessage, vaultName: string, origin: string, port: number,
    target: Target, body: LazyBody, setOperation: (op: string) => void): Reply | Promise<Reply> {
    const { segments, query } = target;
    // 1. dispatch
    const route = secretsRouteOf(target, req.method ?? 'GET');
    const operation = route?.operation ?? 'secrets.unknown';
    setOperation(operation);
    this.count(operation);
    const vault = this.vaultByName(vaultName);
    if (!vault) {
      return { status: 404, body: { error: { code: 'VaultNotFound', message: `Vault ${vaultName} does not exist in this emulator.` } } };
    }
    // 2. auth (no body is looked at before this)
    const token = bearer(req);
    if (!token) return this.unauthorized(vault, port, 'AKV10000: Request is missing a Bearer or PoP token.');
    const audiences = this.vaultAudiences(port);
    const call: VaultCall = { req, vault, route, operation, origin, port, segments, query, body };
    const known = this.tokens.verifyCached(token, audiences);
    if (known) return this.vaultRequestAs(call, known);
    return this.tokens.verify(token, audiences).then((claims) => (claims ? this.vaultRequestAs(call, claims)
      : this.unauthorized(vault, port, `AKV10022: Invalid audience, signature or expired token. Expected audience ${audiences[0]}.`)));
  }

  private unauthorized(vault: VaultConfig, port: number, message: string): Reply {
    return {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer authorization="${this.origin}/${vault.tenantId}", resource="https://vault.localhost:${port}"` },
      body: { error: { code: 'Unauthorized', message } },
    };
  }

  /** A vault request from a verified caller: authorization, then the handler (synchronously when nothing is to be waited for). */
  private vaultRequestAs(call: VaultCall, claims: TokenClaims): Reply | Promise<Reply> {
    const { req, vault, route, port, segments, query } = call;
    if (claims.tid !== vault.tenantId) {
      return this.unauthorized(vault, port, `AKV10032: Invalid issuer. Expected one of ${this.origin}/${vault.tenantId}/v2.0, found ${String(claims.iss)}.`);
    }
    const principal = this.principalOf(claims);
    if (!principal) return this.unauthorized(vault, port, 'AKV10000: The token names an unknown principal.');
    // 2b. api-version: required and known (apiversions.ts), checked once the caller is known
    const apiVersion = query.get('api-version');
    const versionProblem = checkDataPlaneVersion(apiVersion);
    if (versionProblem) throw new KvError(400, versionProblem.code, versionProblem.message);
    // 3. authorize
    if (vault.firewall === 'deny') {
      throw new KvError(403, 'Forbidden',
        `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${clientAddress(req)}\r\n` +
        `Caller: appid=${principal.clientId};oid=${principal.objectId};iss=${String(claims.iss)}\r\nVault: ${vault.name};location=${vault.location}`,
        'ForbiddenByFirewall');
    }
    if (!route) throw new KvError(404, 'NotFound', `The requested operation ${req.method} ${'/' + segments.join('/')} is not supported by this vault.`);
    this.authorize(vault, principal, claims, route.action, segments);
    // 4. body (413 when too large) and 5. faults: waited for only when there is one
    const raw = call.body.readNow();
    if (raw === undefined || this.faults.active) return this.vaultRequestLater(call, route, apiVersion!, raw);
    // 6. handler
    return this.runRoute(call, route, apiVersion!, raw);
  }

  private async vaultRequestLater(call: VaultCall, route: SecretsRoute, apiVersion: string, now: Buffer | undefined): Promise<Reply> {
    const raw = now ?? await call.body.read();
    const fault = this.faults.active ? await this.applyFault(call.operation, call.vault.name, call.req, 'kv') : undefined;
    if (fault && fault !== CORRUPT) return fault;
    const result = this.runRoute(call, route, apiVersion, raw);
    return fault === CORRUPT ? { ...result, corrupt: true } : result;
  }

  private runRoute(call: VaultCall, route: SecretsRoute, apiVersion: string, raw: Buffer): HandlerResult {
    return route.run({
      vault: call.vault, store: this.store, origin: call.origin, sealKey: this.sealKey(), query: call.query,
      readBody: () => parseJsonBody(raw), transit: this.transit, shape: shapeOf(apiVersion),
    });
  }

  private audienceCache?: { ownPort: number; byPort: Map<number, string[]> };
  /** The audiences a data-plane token may carry for a request addressed to `port` (and this server's port). */
  private vaultAudiences(port: number): string[] {
    if (this.audienceCache?.ownPort !== this.port) this.audienceCache = { ownPort: this.port, byPort: new Map() };
    let a = this.audienceCache.byPort.get(port);
    if (!a) {
      a = [...new Set([`https://vault.localhost:${port}`, `https://vault.localhost:${this.port}`])];
      if (this.audienceCache.byPort.size > 64) this.audienceCache.byPort.clear();
      this.audienceCache.byPort.set(port, a);
    }
    return a;
  }

  private vaultIndex?: { of: VaultConfig[]; length: number; byName: Map<string, VaultConfig> };
  /** A vault by lower-cased name (an index over config.vaults, rebuilt when that list changes). */
  private vaultByName(lower: string): VaultConfig | undefined {
    const vaults = this.config.vaults;
    if (this.vaultIndex?.of !== vaults || this.vaultIndex.length !== vaults.length) {
      const byName = new Map<string, VaultConfig>();
      for (const v of vaults) if (!byName.has(v.name.toLowerCase())) byName.set(v.name.toLowerCase(), v);
      this.vaultIndex = { of: vaults, length: vaults.length, byName };
    }
    return this.vaultIndex.byName.get(lower);
  }

  private sealKeyBuffer?: { from: string; key: Buffer };
  private sealKey(): Buffer {
    if (this.sealKeyBuffer?.from !== this.keys.sealKey) this.sealKeyBuffer = { from: this.keys.sealKey, key: Buffer.from(this.keys.sealKey, 'base64') };
    return this.sealKeyBuffer.key;
  }

  private principalOf(claims: TokenClaims): Principal | undefined {
    for (const p of this.config.principals) if (p.objectId === claims.oid || p.clientId === claims.appid) return p;
    return undefined;
  }

  /** Throws the service's 403 unless the caller may; `segments` name the secret in the refusal. */
  private authorize(vault: VaultConfig, principal: Principal, claims: TokenClaims, action: string, segments: readonly string[]): void {
    if (vault.rbac ? rbacAllows(principal, vault, action) : policyAllows(principal, vault, action)) return;
    const caller = () => `appid=${principal.clientId};oid=${principal.objectId};iss=${String(claims.iss)}`;
    if (vault.rbac) {
      const secretName = segments[0] === 'secrets' || segments[0] === 'deletedsecrets' ? segments[1]?.toLowerCase() || undefined : undefined;
      const secret = secretName ? `/secrets/${secretName}` : '';
      throw new KvError(403, 'Forbidden',
        'Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
        `Caller: ${caller()}\r\nAction: '${action}'\r\nResource: '/subscriptions/${vault.subscriptionId}/resourcegroups/${vault.resourceGroup.toLowerCase()}/providers/microsoft.keyvault/vaults/${vault.name.toLowerCase()}${secret}'\r\n` +
        `Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${vault.name};location=${vault.location}\r\n`,
        'ForbiddenByRbac');
    }
    const perm = action === Actions.readMetadata ? 'list' : action.split('/').slice(-2, -1)[0].replace(/Secret$/, '').toLowerCase();
    throw new KvError(403, 'Forbidden',
      `The user, group or application '${caller()}' does not have secrets ${perm} permission on key vault '${vault.name};location=${vault.location}'. ` +
      'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287', 'ForbiddenByPolicy');
  }

  private async mainRequest(req: http.IncomingMessage, port: number, origin: string, segments: readonly string[],
    query: ReadonlyMap<string, string>, body: LazyBody, setOperation: (op: string) => void): Promise<{ reply: Reply }> {
    const method = req.method ?? 'GET';
    const s = segments.filter((x, i) => x !== '' || i < segments.length - 1);
    const lc = s.map((x) => x.toLowerCase());
    // Admin API (loopback clients with the admin token of this run)
    if (lc[0] === '_admin') {
      setOperation('admin');
      return { reply: await this.admin(req, method, lc.slice(1), body) };
    }
    // The local federation issuer (an OIDC issuer like an AKS cluster's) and the managed-identity endpoint
    if (method === 'GET' && lc[0] === FEDERATION_PATH && (lc.slice(1).join('/') === '.well-known/openid-configuration' || lc.slice(1).join('/') === 'keys')) {
      const operation = 'federation';
      setOperation(operation);
      this.count(operation);
      return { reply: { status: 200, body: lc[1] === 'keys' ? await this.tokens.jwks() : this.tokens.federationConfiguration() } };
    }
    if (lc.join('/') === MSI_PATH) {
      const operation = 'managedIdentity';
      setOperation(operation);
      this.count(operation);
      if (method !== 'GET') return { reply: { status: 405, headers: { Allow: 'GET' }, body: { error: 'invalid_request', error_description: 'Use GET.' } } };
      const fault = await this.applyFault(operation, undefined, req, 'aad');
      if (fault && fault !== CORRUPT) return { reply: fault };
      const header = req.headers['x-identity-header'];
      return { reply: await handleManagedIdentityRequest(this.tokens, this.config, query, typeof header === 'string' ? header : undefined, this.identityHeader) };
    }
    // Identity
    if (method === 'GET' && s.length >= 3 && lc.slice(-2).join('/') === '.well-known/openid-configuration') {
      const operation = 'openidConfiguration';
      setOperation(operation);
      this.count(operation);
      const tenant = s[0];
      if (!resolveTenant(this.config, tenant)) return { reply: aadReply(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`) };
      const fault = await this.applyFault(operation, undefined, req, 'aad');
      if (fault && fault !== CORRUPT) return { reply: fault };
      return { reply: { status: 200, body: this.tokens.openidConfiguration(tenant) } };
    }
    if (method === 'GET' && s.length >= 3 && lc.slice(-1)[0] === 'keys' && lc.includes('discovery')) {
      setOperation('jwks');
      this.count('jwks');
      return { reply: { status: 200, body: await this.tokens.jwks() } };
    }
    if (method === 'POST' && s.length >= 3 && lc[1] === 'oauth2' && lc[lc.length - 1] === 'token') {
      const operation = 'token';
      setOperation(operation);
      this.count(operation);
      const raw = await body.read();
      const fault = await this.applyFault(operation, undefined, req, 'aad');
      if (fault && fault !== CORRUPT) return { reply: fault };
      const form = new URLSearchParams(raw.toString('utf8'));
      const resource = form.get('resource');
      if (!form.get('scope') && resource) form.set('scope', `${resource.replace(/\/+$/, '')}/.default`);
      const r = await handleTokenRequest(this.tokens, this.config, s[0], form, parseBasicAuth(req.headers.authorization));
      return { reply: r };
    }
    // ARM
    const route = routeArm(method, s);
    const operation = route?.operation ?? 'arm.unknown';
    setOperation(operation);
    this.count(operation);
    const token = bearer(req);
    if (!token) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    }
    const claims = await this.tokens.verify(token, this.armAudiences(port).concat(this.armAudiences(this.port)));
    if (!claims) throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid, expired, or has the wrong audience.');
    const principal = this.principalOf(claims);
    if (!principal) throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token names an unknown principal.');
    if (!route) throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${'/' + s.join('/')}'.`);
    const versionProblem = checkArmVersion(query.get('api-version'), operation);
    if (versionProblem) throw new ArmError(400, versionProblem.code, versionProblem.message);
    const raw = await body.read();
    const fault = await this.applyFault(operation, undefined, req, 'arm');
    if (fault && fault !== CORRUPT) return { reply: fault };
    const ctx: ArmContext = {
      config: this.config, principal, tenant: claims.tid, vaultUrl: (v) => this.vaultUrl(v), origin, query,
      readBody: () => parseJsonBody(raw),
    };
    return { reply: route.run(ctx) };
  }

  // ---- admin API ------------------------------------------------------------------------------------------

  /** The admin token of this run, from `Authorization: Bearer …` or `X-Emulator-Admin-Token`, compared in constant time. */
  private adminAuthorized(req: http.IncomingMessage): boolean {
    const header = req.headers[ADMIN_TOKEN_HEADER];
    const presented = (typeof header === 'string' ? header.trim() : undefined) ?? bearer(req);
    return presented !== undefined && safeEqual(presented, this.adminToken);
  }

  private async admin(req: http.IncomingMessage, method: string, s: string[], body: LazyBody): Promise<Reply> {
    if (!isLoopback(req.socket.remoteAddress)) return { status: 403, body: { error: { code: 'Forbidden', message: 'The admin API is for loopback clients only.' } } };
    if (!this.adminAuthorized(req)) {
      return {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="keyvault-emulator-admin"' },
        body: { error: { code: 'Unauthorized', message: 'The admin API needs the admin token of this run: send "Authorization: Bearer <adminToken>" or "X-Emulator-Admin-Token: <adminToken>" (adminToken is in the ready line and in <stateDir>/instances/<port>.json).' } },
      };
    }
    const p = s.join('/');
    const ok = (b: unknown): Reply => ({ status: 200, body: b });
    const bad = (m: string): Reply => ({ status: 400, body: { error: { code: 'BadRequest', message: m } } });
    const json = async (): Promise<unknown> => parseJsonBody(await body.read());
    try {
      if (p === 'stats' && method === 'GET') return ok(this.stats.snapshot());
      if (p === 'stats/reset' && method === 'POST') {
        this.stats.reset();
        return ok(this.stats.snapshot());
      }
      if (p === 'ready' && method === 'GET') return ok(this.readyInfo());
      if (p === 'faults') {
        if (method === 'GET') return ok({ rules: this.faults.list() });
        if (method === 'DELETE') {
          this.faults.set([]);
          return ok({ rules: [] });
        }
        if (method === 'PUT') {
          const b = await json();
          const rules = Array.isArray(b) ? b : b && typeof b === 'object' ? (b as { rules?: unknown }).rules : undefined;
          if (!Array.isArray(rules)) return bad('PUT /_admin/faults takes {"rules":[…]} or an array of rules.');
          this.faults.set(rules);
          return ok({ rules: this.faults.list() });
        }
        if (method === 'POST') {
          const rule = this.faults.add(await json());
          return ok({ rule, rules: this.faults.list() });
        }
      }
      if (p === 'roles') {
        if (method === 'GET') return ok({ assignments: this.assignments() });
        if (method === 'POST' || method === 'DELETE') return this.changeRole(method, await json());
      }
      if (p === 'windows') {
        if (method === 'GET') return ok({ vaults: this.windows() });
        if (method === 'PUT' || method === 'PATCH') return ok({ vaults: this.changeWindows(await json()) });
      }
      if (p === 'federated-token' && method === 'POST') return ok(await this.adminMint(await json()));
      if (p === 'env' && method === 'GET') {
        const q = decodeQuery(new URL(req.url ?? '/', 'https://x').search);
        const format = (q.get('format') ?? 'sh') as EnvFormat;
        if (!['sh', 'dotenv', 'powershell'].includes(format)) return bad('format must be sh, dotenv or powershell');
        const kind = q.get('kind') as EnvKind | undefined;
        if (kind !== undefined && !['workload', 'secret', 'managedIdentity'].includes(kind)) return bad('kind must be workload, secret or managedIdentity');
        const block = environmentBlock(this.readyInfo(), { principal: q.get('principal'), kind, vault: q.get('vault') });
        return ok({ vars: Object.fromEntries(block.vars), text: renderEnv(block, format) });
      }
    } catch (e) {
      if (e instanceof FaultRuleError || e instanceof AdminError || e instanceof WindowError || e instanceof EnvError) return bad(e.message);
      if (e instanceof KvError && e.status === 400) return bad(e.message);
      throw e;
    }
    return {
      status: 404,
      body: {
        error: {
          code: 'NotFound',
          message: 'Admin endpoints: GET /_admin/stats, POST /_admin/stats/reset, GET|PUT|POST|DELETE /_admin/faults, GET|POST|DELETE /_admin/roles, ' +
            'GET|PATCH /_admin/windows, POST /_admin/federated-token, GET /_admin/env, GET /_admin/ready',
        },
      },
    };
  }

  private windows(): Record<string, VaultWindows> {
    return Object.fromEntries(this.config.vaults.map((v) => [v.name, windowsOf(v)]));
  }

  /** PATCH/PUT /_admin/windows: `{vault?, deleteDelayMs?, recoverDelayMs?, purgeDelayMs?}`; without vault, every vault. */
  private changeWindows(b: unknown): Record<string, VaultWindows> {
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new AdminError('the body must be {"vault"?, "deleteDelayMs"?, "recoverDelayMs"?, "purgeDelayMs"?}');
    const o = b as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'vault' && !(WINDOW_KEYS as readonly string[]).includes(k)) throw new AdminError(`unknown field "${k}"`);
    const change: Partial<VaultWindows> = {};
    for (const k of WINDOW_KEYS) if (o[k] !== undefined) change[k] = windowMs(o[k], k);
    if (!Object.keys(change).length) throw new AdminError('give at least one of deleteDelayMs, recoverDelayMs, purgeDelayMs');
    let vaults = this.config.vaults;
    if (o.vault !== undefined) {
      if (typeof o.vault !== 'string') throw new AdminError('vault must be a vault name');
      vaults = vaults.filter((v) => v.name.toLowerCase() === (o.vault as string).toLowerCase());
      if (!vaults.length) throw new AdminError(`unknown vault ${o.vault}`);
    }
    // Applies to operations that start from now on; windows already running keep their end.
    for (const v of vaults) Object.assign(v, change);
    return this.windows();
  }

  /** POST /_admin/federated-token: `{principal, lifetimeSeconds?, file?}` → the assertion (and the file it was written to). */
  private async adminMint(b: unknown): Promise<Record<string, unknown>> {
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new AdminError('the body must be {"principal", "lifetimeSeconds"?, "file"?}');
    const o = b as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['principal', 'lifetimeSeconds', 'file'].includes(k)) throw new AdminError(`unknown field "${k}"`);
    if (typeof o.principal !== 'string' || !o.principal) throw new AdminError('principal (client id, object id or display name) is required');
    const lifetime = o.lifetimeSeconds ?? FEDERATED_TOKEN_LIFETIME_S;
    if (!Number.isInteger(lifetime) || (lifetime as number) < 1 || (lifetime as number) > 7 * 86400) throw new AdminError('lifetimeSeconds must be an integer from 1 to 604800');
    if (o.file !== undefined && typeof o.file !== 'boolean') throw new AdminError('file must be true or false');
    const minted = await this.mintFederatedToken(o.principal, lifetime as number);
    const file = o.file ? await this.mintFederatedTokenFile(o.principal, lifetime as number) : undefined;
    return {
      clientId: minted.principal.clientId, issuer: this.tokens.federationIssuer(), subject: minted.subject, audience: minted.audience,
      token: minted.token, ...(file ? { file } : {}),
    };
  }

  private assignments(): { clientId: string; objectId: string; role: string; vault?: string; subscription?: string; arm?: boolean }[] {
    return this.config.principals.flatMap((p) => p.roles.map((r) => ({ clientId: p.clientId, objectId: p.objectId, ...r })));
  }

  /** POST adds a role assignment (idempotent), DELETE removes it; effective on the next request, until restart. */
  private changeRole(method: 'POST' | 'DELETE' | string, b: unknown): Reply {
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new AdminError('the body must be {"clientId"|"objectId", "role", "vault"|"subscription", "arm"?}');
    const o = b as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['clientId', 'objectId', 'role', 'vault', 'subscription', 'arm'].includes(k)) throw new AdminError(`unknown field "${k}"`);
    }
    const id = o.clientId ?? o.objectId;
    if (typeof id !== 'string' || !id) throw new AdminError('clientId (or objectId) is required');
    const principal = this.config.principals.find((p) => p.clientId === id.toLowerCase() || p.objectId === id.toLowerCase());
    if (!principal) throw new AdminError(`unknown principal ${id}`);
    if (typeof o.role !== 'string' || !ROLE_NAMES.includes(o.role as RoleAssignment['role'])) {
      throw new AdminError(`role must be one of: ${ROLE_NAMES.join(', ')}`);
    }
    const ra: RoleAssignment = { role: o.role as RoleAssignment['role'] };
    if (typeof o.vault === 'string' && o.subscription === undefined) {
      const vault = this.config.vaults.find((v) => v.name.toLowerCase() === (o.vault as string).toLowerCase());
      if (!vault) throw new AdminError(`unknown vault ${o.vault}`);
      ra.vault = vault.name;
    } else if (typeof o.subscription === 'string' && o.vault === undefined) {
      const sub = this.config.subscriptions.find((x) => x.id === (o.subscription as string).toLowerCase());
      if (!sub) throw new AdminError(`unknown subscription ${o.subscription}`);
      ra.subscription = sub.id;
    } else {
      throw new AdminError('give exactly one of vault or subscription (a string)');
    }
    if (o.arm !== undefined) {
      if (typeof o.arm !== 'boolean') throw new AdminError('arm must be true or false');
      if (!o.arm) ra.arm = false;
    }
    if (method === 'POST') {
      const existing = principal.roles.findIndex((r) => sameAssignment(r, ra));
      if (existing >= 0) principal.roles[existing] = ra; // same role and scope: only `arm` may change
      else principal.roles.push(ra);
      return { status: 200, body: { added: existing < 0, assignments: this.assignments() } };
    }
    const before = principal.roles.length;
    principal.roles = principal.roles.filter((r) => !sameAssignment(r, ra));
    const removed = before - principal.roles.length;
    if (removed === 0) return { status: 404, body: { error: { code: 'NotFound', message: 'No such role assignment.' } } };
    return { status: 200, body: { removed, assignments: this.assignments() } };
  }
}

class AdminError extends Error {}

function checkLimits(o: Partial<EmulatorLimits>): EmulatorLimits {
  const l: EmulatorLimits = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof EmulatorLimits)[]) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer`);
    l[k] = v;
  }
  if (l.headersTimeoutMs > l.requestTimeoutMs) {
    if (o.requestTimeoutMs !== undefined) throw new Error('headersTimeoutMs must not be larger than requestTimeoutMs');
    l.requestTimeoutMs = l.headersTimeoutMs;
  }
  return l;
}

// ---- helpers --------------------------------------------------------------------------------------------

function splitHost(host: string, fallbackPort: number): { hostname: string; port: number } {
  // the usual "name:port" without a regex; anything else (IPv6, odd forms) takes the full parse
  const colon = host.indexOf(':');
  if (colon > 0 && host[0] !== '[' && host.indexOf(':', colon + 1) < 0) {
    const digits = host.slice(colon + 1);
    if (digits.length > 0 && digits.length <= 5 && isDigits(digits)) {
      const name = host.charCodeAt(colon - 1) === 46 /* . */ ? host.slice(0, colon - 1) : host.slice(0, colon);
      return { hostname: name, port: Number(digits) };
    }
  }
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m) return { hostname: host, port: fallbackPort };
  return { hostname: m[1].replace(/\.$/, ''), port: m[2] ? Number(m[2]) : 443 };
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Path characters that URL parsing leaves as they are (no dot segments, escapes or backslashes to resolve). */
function isPlainPath(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    // a-z A-Z 0-9 / - _
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 47 || c === 45 || c === 95)) return false;
  }
  return true;
}

/** A request target, parsed: the decoded path segments and the decoded query. */
interface Target {
  readonly segments: readonly string[];
  readonly query: ReadonlyMap<string, string>;
  /** The data-plane route per method (routeSecrets depends on nothing else). */
  readonly routes: Map<string, SecretsRoute | undefined>;
}

function parseTarget(target: string): Target {
  const url = pathAndQuery(target);
  return { segments: url.pathname.split('/').slice(1).map(safeDecode), query: decodeQuery(url.search), routes: new Map() };
}

function secretsRouteOf(target: Target, method: string): SecretsRoute | undefined {
  if (target.routes.has(method)) return target.routes.get(method);
  const route = routeSecrets(method, target.segments);
  target.routes.set(method, route);
  return route;
}

/** A bounded memo of parse results by input string: emptied when full (clients repeat a handful of inputs). */
class ParseCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly max: number) {}
  get(key: string): T | undefined {
    return this.map.get(key);
  }
  /** Stores and returns the value. */
  set(key: string, value: T): T {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
    return value;
  }
  clear(): void {
    this.map.clear();
  }
}

/** Path and query of a request target: a plain path is split as is, anything else goes through URL parsing. */
function pathAndQuery(target: string): { pathname: string; search: string } {
  const q = target.indexOf('?');
  const p = q < 0 ? target : target.slice(0, q);
  if (p.length > 0 && p.charCodeAt(0) === 47 && isPlainPath(p) && target.indexOf('#') < 0) {
    return { pathname: p, search: q < 0 ? '' : target.slice(q) };
  }
  const url = new URL(target, 'https://x');
  return { pathname: url.pathname, search: url.search };
}

function safeDecode(s: string): string {
  if (s.indexOf('%') < 0) return s; // nothing to decode
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Query keys and values decoded (the SDK sends `api%2Dversion`). */
export function decodeQuery(search: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (search.charCodeAt(0) === 63 /* ? */ ? search.slice(1) : search).split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const rawK = i < 0 ? part : part.slice(0, i);
    const rawV = i < 0 ? '' : part.slice(i + 1);
    const k = safeDecode(rawK.indexOf('+') < 0 ? rawK : rawK.replace(/\+/g, ' '));
    const v = safeDecode(rawV.indexOf('+') < 0 ? rawV : rawV.replace(/\+/g, ' '));
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

/**
 * The request body, at most `max` bytes: a larger declared Content-Length is refused before reading, a larger
 * (chunked) body as soon as it passes the limit; the rest is then drained so the 413 reaches the client.
 */
function readRaw(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => payloadTooLarge(max);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      discardRest(req);
      reject(tooLarge());
      return;
    }
    if (req.complete && req.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        cleanup();
        discardRest(req, size);
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = () => {
      cleanup();
      reject(new ClientAbort('the client closed the connection while sending the body'));
    };
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(new ClientAbort('the client closed the connection while sending the body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Reads and throws away the rest of a request body (keeps the connection usable); past DRAIN_LIMIT the connection is closed. */
function discardRest(req: http.IncomingMessage, already = 0): void {
  let n = already;
  req.on('data', (c: Buffer) => {
    n += c.length;
    if (n > DRAIN_LIMIT) req.socket?.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

/** The client closed the connection (or it broke) before the answer could be sent. */
function clientGone(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  return res.destroyed || !!req.socket?.destroyed || (!req.complete && req.destroyed);
}

/** A TCP reset (RST), so the client sees ECONNRESET; for TLS the reset goes to the TCP socket under it. */
function resetConnection(socket: net.Socket): void {
  const tcp = ((socket as net.Socket & { _parent?: net.Socket })._parent ?? socket) as net.Socket & { resetAndDestroy?: () => void };
  try {
    if (typeof tcp.resetAndDestroy === 'function') {
      tcp.resetAndDestroy();
      if (tcp !== socket) socket.destroy();
      return;
    }
  } catch {
    // not a TCP handle: fall through to a plain close
  }
  socket.destroy();
}

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
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
  if (h.startsWith('Bearer ') && h.length > 7 && h.charCodeAt(7) > 32 && h.charCodeAt(h.length - 1) > 32) return h.slice(7);
  const m = /^(?:Bearer|PoP)\s+(.+)$/i.exec(h.trim());
  return m ? m[1] : undefined;
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
  const headers: Record<string, string> = { ...rule.headers };
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
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

/** x-ms-request-id: GUID-shaped and unique among this process's answers (a random prefix and a counter). */
const REQUEST_ID_PREFIX = crypto.randomUUID().slice(0, 24);
let requestCount = 0;
function requestId(): string {
  return REQUEST_ID_PREFIX + (++requestCount).toString(16).padStart(12, '0');
}

/** `base` ([name, value, …]) with `extra` added; a name in both (any case) keeps only the value from `extra`. */
function withHeaders(base: string[], extra: Record<string, string>): string[] {
  const names = new Set(Object.keys(extra).map((n) => n.toLowerCase()));
  const out: string[] = [];
  for (let i = 0; i < base.length; i += 2) if (!names.has(base[i].toLowerCase())) out.push(base[i], base[i + 1]);
  for (const name of Object.keys(extra)) out.push(name, extra[name]);
  return out;
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  // a flat [name, value, …] list: Node takes it as is (no object to build and walk per answer)
  let headers: string[] = ['Cache-Control', 'no-cache', 'x-ms-request-id', requestId(), 'x-ms-keyvault-service-version', '1.9.0.0-emulator'];
  if (reply.headers !== undefined) headers = withHeaders(headers, reply.headers);
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  // A string body: Node writes the head and the body as one chunk (a Buffer body goes out as a second chunk).
  let payload: string;
  let length = reply.byteLength;
  if (reply.corrupt) {
    const text = reply.json ?? JSON.stringify(reply.body);
    payload = text.slice(0, Math.max(1, text.length - 2)); // drops the closing quote and brace
    length = undefined;
  } else {
    payload = reply.json ?? JSON.stringify(reply.body);
  }
  headers.push('Content-Type', JSON_TYPE, 'Content-Length', String(length ?? Buffer.byteLength(payload)));
  res.writeHead(reply.status, headers);
  res.end(payload);
}
