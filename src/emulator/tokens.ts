// Identity: OpenID discovery, the v2 token endpoint (client_credentials) and bearer-token verification.
// JWTs are signed and verified with `jose` (RS256).
import * as crypto from 'node:crypto';
import { SignJWT, jwtVerify, exportJWK, type JWTPayload } from 'jose';
import type { EmulatorConfig, Principal } from './model';

export const TOKEN_LIFETIME_S = 3600;

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

  constructor(signingKeyPem: string, private readonly authority: () => string) {
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
      .setNotBefore(now - 5)
      .setExpirationTime(now + TOKEN_LIFETIME_S)
      .setJti(crypto.randomUUID())
      .sign(this.privateKey);
  }

  /** Signature, expiry, not-before and audience; returns undefined (never throws) when the token is bad. */
  async verify(token: string, audiences: string[]): Promise<TokenClaims | undefined> {
    let claims = this.cache.get(token);
    if (!claims) {
      try {
        const r = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], clockTolerance: 5 });
        claims = r.payload as TokenClaims;
      } catch {
        return undefined;
      }
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(token, claims);
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < now - 5) {
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

export async function handleTokenRequest(tokens: TokenService, config: EmulatorConfig, tenantInPath: string,
  form: URLSearchParams, basicAuth: { id: string; secret: string } | undefined): Promise<TokenRequestResult> {
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003,
      `The app requested an unsupported grant type '${grant ?? ''}'. The emulator supports client_credentials only.`);
  }
  const clientId = form.get('client_id') ?? basicAuth?.id ?? '';
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
    body: { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, ext_expires_in: TOKEN_LIFETIME_S, access_token: accessToken },
  };
}

/** A tenant path segment may be a tenant id or domain; "organizations"/"common" map to the first tenant. */
export function resolveTenant(config: EmulatorConfig, segment: string): string | undefined {
  const s = segment.toLowerCase();
  if (s === 'organizations' || s === 'common') return config.tenants[0]?.id;
  const t = config.tenants.find((x) => x.id.toLowerCase() === s || x.defaultDomain.toLowerCase() === s);
  return t?.id;
}
