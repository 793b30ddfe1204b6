// Identity: OpenID discovery, the v2 token endpoint (client_credentials) and bearer-token verification.
// JWTs are signed and verified with `jose` (RS256).
import * as crypto from 'node:crypto';
import { SignJWT, jwtVerify, exportJWK, type JWTPayload } from 'jose';
import type { EmulatorConfig, Principal } from './model';

/** Default lifetime of issued access tokens (seed `tokenLifetimeSeconds` / CLI `--token-lifetime` change it). */
export const TOKEN_LIFETIME_S = 3600;
/** Clock skew allowed on exp/nbf (the token lifetime when that is shorter, so short-lived tokens really expire). */
export const CLOCK_SKEW_S = 5;

export interface TokenClaims extends JWTPayload {
  tid: string;
  oid: string;
  appid: string;
  aud: string;
}

export class TokenService {
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  readonly kid: string;
  /** Verified tokens (raw string → claims) so hot paths do not re-verify RSA signatures. */
  private readonly cache = new Map<string, TokenClaims>();

  readonly skewSeconds: number;

  constructor(signingKeyPem: string, private readonly authority: () => string, readonly lifetimeSeconds = TOKEN_LIFETIME_S) {
    this.skewSeconds = Math.min(CLOCK_SKEW_S, lifetimeSeconds);
    this.privateKey = crypto.createPrivateKey(signingKeyPem);
    this.publicKey = crypto.createPublicKey(this.privateKey);
    this.kid = crypto.createHash('sha256')
      .update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 27);
  }

  issuer(tenant: string): string {
    return `${this.authority()}/${tenant}/v2.0`;
  }

  openidConfiguration(tenant: string): Record<string, unknown> {
    const base = `${this.authority()}/${tenant}`;
    return {
      issuer: this.issuer(tenant),
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      jwks_uri: `${this.authority()}/${tenant}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      grant_types_supported: ['client_credentials'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'appid', 'azp'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'localhost',
    };
  }

  async jwks(): Promise<{ keys: unknown[] }> {
    const jwk = await exportJWK(this.publicKey);
    return { keys: [{ ...jwk, kid: this.kid, use: 'sig', alg: 'RS256' }] };
  }

  async issue(principal: Principal, tenant: string, audience: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      tid: tenant, oid: principal.objectId, appid: principal.clientId, azp: principal.clientId,
      idtyp: 'app', ver: '2.0', roles: [],
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuer(tenant))
      .setSubject(principal.objectId)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now - CLOCK_SKEW_S)
      .setExpirationTime(now + this.lifetimeSeconds)
      .setJti(crypto.randomUUID())
      .sign(this.privateKey);
  }

  /** Signature, expiry, not-before and audience; returns undefined (never throws) when the token is bad. */
  async verify(token: string, audiences: string[]): Promise<TokenClaims | undefined> {
    let claims = this.cache.get(token);
    if (!claims) {
      try {
        const r = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], clockTolerance: this.skewSeconds });
        claims = r.payload as TokenClaims;
      } catch {
        return undefined;
      }
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(token, claims);
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now - this.skewSeconds) {
      this.cache.delete(token);
      return undefined;
    }
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const norm = (a: string) => a.replace(/\/+$/, '').toLowerCase();
    const wanted = audiences.map(norm);
    if (!aud.some((a) => typeof a === 'string' && wanted.includes(norm(a)))) return undefined;
    return claims;
  }
}

export interface TokenRequestResult {
  status: number;
  body: Record<string, unknown>;
}

function aadError(status: number, error: string, code: number, description: string): TokenRequestResult {
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} ` +
        `Timestamp: ${new Date().toISOString().replace('T', ' ').replace('Z', 'Z')}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: 'https://login.microsoftonline.com/error?code=' + code,
    },
  };
}

/** The resource of a v2 scope: "https://vault.localhost:8443/.default" → "https://vault.localhost:8443". */
export function resourceOfScope(scope: string): string | undefined {
  const scopes = scope.split(/\s+/).filter(Boolean);
  const main = scopes.find((s) => s.endsWith('/.default')) ?? scopes.find((s) => /^https?:\/\//.test(s));
  if (!main) return undefined;
  return main.replace(/\/\.default$/, '');
}

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export interface BasicCredentials {
  id: string;
  secret: string;
}

/**
 * HTTP Basic client authentication (RFC 6749 2.3.1: base64 of form-encoded `id:secret`): the credentials,
 * undefined when the header is not Basic, or 'malformed' (bad base64, no colon, bad percent-encoding).
 */
export function parseBasicAuth(header: string | undefined): BasicCredentials | 'malformed' | undefined {
  if (!header) return undefined;
  const m = /^Basic(?:\s+(.*))?$/i.exec(header.trim());
  if (!m) return undefined;
  const b64 = (m[1] ?? '').trim();
  if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) return 'malformed';
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1 || text.includes('\ufffd')) return 'malformed';
  const decode = (s: string): string | undefined => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };
  const id = decode(text.slice(0, colon));
  const secret = decode(text.slice(colon + 1));
  if (id === undefined || secret === undefined || !id) return 'malformed';
  return { id, secret };
}

const missingParameter = (name: string): TokenRequestResult =>
  aadError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);

const malformed = (why: string): TokenRequestResult =>
  aadError(400, 'invalid_request', 9002313, `Invalid request. Request is malformed or invalid: ${why}`);

/**
 * The v2 token endpoint. Malformed input (a bad Basic header, missing grant_type or client_id, a parameter
 * given twice) is a 400 `invalid_request` in Entra's shape, never an exception.
 */
export async function handleTokenRequest(tokens: TokenService, config: EmulatorConfig, tenantInPath: string,
  form: URLSearchParams, basicAuth: BasicCredentials | 'malformed' | undefined): Promise<TokenRequestResult> {
  if (basicAuth === 'malformed') {
    return malformed("the Authorization header is not valid HTTP Basic client authentication (base64 of 'client_id:client_secret').");
  }
  for (const name of ['grant_type', 'client_id', 'client_secret', 'scope', 'resource']) {
    if (form.getAll(name).length > 1) return malformed(`the parameter '${name}' is given more than once.`);
  }
  const grant = form.get('grant_type');
  if (!grant) return missingParameter('grant_type');
  if (grant !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003,
      `The app requested an unsupported grant type '${grant}'. The emulator supports client_credentials only.`);
  }
  const formId = form.get('client_id');
  if (formId !== null && basicAuth && formId.toLowerCase() !== basicAuth.id.toLowerCase()) {
    return malformed('client_id in the body and in the Authorization header differ.');
  }
  const clientId = formId || basicAuth?.id || '';
  if (!clientId) return missingParameter('client_id');
  const secret = form.get('client_secret') ?? basicAuth?.secret;
  const tenant = resolveTenant(config, tenantInPath);
  if (!tenant) {
    return aadError(400, 'invalid_request', 90002,
      `Tenant '${tenantInPath}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  const principal = config.principals.find((p) => p.clientId.toLowerCase() === clientId.toLowerCase());
  if (!principal) {
    return aadError(400, 'unauthorized_client', 700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
  }
  if (!principal.tenants.includes(tenant)) {
    return aadError(400, 'unauthorized_client', 700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
  }
  if (secret === undefined || secret === null) {
    return aadError(401, 'invalid_client', 7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
  }
  if (!safeEqual(secret, principal.clientSecret)) {
    return aadError(401, 'invalid_client', 7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${principal.clientId}'.`);
  }
  const resource = resourceOfScope(form.get('scope') ?? '');
  if (!resource) {
    return aadError(400, 'invalid_scope', 1002012,
      'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).');
  }
  const accessToken = await tokens.issue(principal, tenant, resource);
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: tokens.lifetimeSeconds, ext_expires_in: tokens.lifetimeSeconds, access_token: accessToken },
  };
}

/** A tenant path segment may be a tenant id or domain; "organizations"/"common" map to the first tenant. */
export function resolveTenant(config: EmulatorConfig, segment: string): string | undefined {
  const s = segment.toLowerCase();
  if (s === 'organizations' || s === 'common') return config.tenants[0]?.id;
  const t = config.tenants.find((x) => x.id.toLowerCase() === s || x.defaultDomain.toLowerCase() === s);
  return t?.id;
}
