// Identity: OpenID discovery (tenant ids and domains, `common`, `organizations`, `adfs`), the token endpoint
// (client_credentials with a client secret or a federated client assertion), a local federation issuer that
// mints assertions (workload identity federation, as AKS does), the App Service managed-identity endpoint, and
// bearer-token verification. JWTs are signed and verified with `jose` (RS256).
import * as crypto from 'node:crypto';
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, exportJWK, type JWTPayload } from 'jose';
import type { EmulatorConfig, FederatedCredential, Principal } from './model';

/** client_assertion_type of a JWT client assertion (RFC 7523). */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Path of the emulator's local federation issuer (`https://localhost:<port>/federation`). */
export const FEDERATION_PATH = 'federation';
/** Lifetime of a minted federated assertion (Kubernetes projects service-account tokens for an hour, the kubelet refreshes them; a local file lives a day). */
export const FEDERATED_TOKEN_LIFETIME_S = 86_400;
/** Tenant path segments that are not a tenant: tokens are issued in the client's home tenant. */
export const TENANT_ALIASES = ['common', 'organizations', 'adfs'];

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

/** An audience without trailing slashes, lower case (no work for one that is so already). */
function normAudience(a: string): string {
  const trimmed = a.endsWith('/') ? a.replace(/\/+$/, '') : a;
  return trimmed.toLowerCase();
}

export class TokenService {
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  readonly kid: string;
  /** Verified tokens (raw string → claims) so hot paths do not re-verify RSA signatures. */
  private readonly cache = new Map<string, TokenClaims>();
  /** Normalized audiences of cached claims (worked out once per token, not per request). */
  private readonly audiences = new WeakMap<TokenClaims, string[]>();

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

  /** The local federation issuer (`iss` of minted assertions). */
  federationIssuer(): string {
    return `${this.authority()}/${FEDERATION_PATH}`;
  }

  /**
   * Discovery document of a tenant path segment. `adfs` gets the AD FS shape (issuer `…/adfs`, token endpoint
   * `…/adfs/oauth2/token`; MSAL reads `/adfs/.well-known/openid-configuration` and skips instance discovery
   * for AD FS authorities); `common` and `organizations` get Entra's multi-tenant shape (issuer with the
   * literal `{tenantid}`, as login.microsoftonline.com serves it).
   */
  openidConfiguration(tenant: string): Record<string, unknown> {
    const base = `${this.authority()}/${tenant}`;
    if (tenant.toLowerCase() === 'adfs') {
      return {
        issuer: base,
        token_endpoint: `${base}/oauth2/token`,
        authorization_endpoint: `${base}/oauth2/authorize`,
        jwks_uri: `${base}/discovery/keys`,
        end_session_endpoint: `${base}/oauth2/logout`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        grant_types_supported: ['client_credentials'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
        scopes_supported: ['openid', 'profile', 'email', 'allatclaims'],
        access_token_issuer: base,
      };
    }
    const multi = TENANT_ALIASES.includes(tenant.toLowerCase());
    return {
      issuer: multi ? `${this.authority()}/{tenantid}/v2.0` : this.issuer(tenant),
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      jwks_uri: `${this.authority()}/${tenant}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
      grant_types_supported: ['client_credentials'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'appid', 'azp'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'localhost',
    };
  }

  /** Discovery document of the local federation issuer (what an AKS cluster's OIDC issuer serves). */
  federationConfiguration(): Record<string, unknown> {
    const iss = this.federationIssuer();
    return {
      issuer: iss,
      jwks_uri: `${iss}/keys`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  /** A federated assertion for `credential` (sub, aud from it; iss the local issuer), valid `lifetimeSeconds`. */
  async mintAssertion(credential: FederatedCredential, lifetimeSeconds = FEDERATED_TOKEN_LIFETIME_S): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.federationIssuer())
      .setSubject(credential.subject)
      .setAudience(credential.audiences[0])
      .setIssuedAt(now)
      .setNotBefore(now - CLOCK_SKEW_S)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(crypto.randomUUID())
      .sign(this.privateKey);
  }

  /**
   * Checks a client assertion against a principal's federated credentials (the way Entra matches issuer,
   * subject and audience, case-sensitively) and returns undefined when it is accepted, else the AADSTS error.
   * Assertions of the local issuer are verified with the emulator's key and accepted from any of its ports
   * (`https://localhost:<port>/federation`, also 127.0.0.1), so a minted file survives a restart on another port.
   */
  async checkAssertion(principal: Principal, assertion: string): Promise<TokenRequestResult | undefined> {
    let claims: JWTPayload;
    try {
      decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      return aadError(401, 'invalid_client', 50027, 'JWT token is invalid or is malformed.');
    }
    const iss = typeof claims.iss === 'string' ? claims.iss : '';
    const sub = typeof claims.sub === 'string' ? claims.sub : '';
    const auds = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter((a): a is string => typeof a === 'string');
    const isLocal = /^https:\/\/(?:localhost|127\.0\.0\.1)(?::\d+)?\/federation\/?$/.test(iss);
    const byIssuer = (principal.federatedCredentials ?? []).filter((f) => (f.issuer === 'local' ? isLocal : f.issuer === iss));
    if (!byIssuer.length) {
      return aadError(401, 'invalid_client', 700211, `No matching federated identity record found for presented assertion issuer '${iss}'. ` +
        'Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.');
    }
    const key = byIssuer[0].issuer === 'local' ? this.publicKey : createLocalJWKSet(byIssuer[0].jwks as Parameters<typeof createLocalJWKSet>[0]);
    try {
      await jwtVerify(assertion, key as Parameters<typeof jwtVerify>[1], { clockTolerance: CLOCK_SKEW_S });
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
        return aadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
      }
      return aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    const bySubject = byIssuer.filter((f) => f.subject === sub);
    if (!bySubject.length) {
      return aadError(401, 'invalid_client', 700213, `No matching federated identity record found for presented assertion subject '${sub}'. ` +
        'Check your federated identity credential Subject, Audience and Issuer against the presented assertion.');
    }
    if (!bySubject.some((f) => f.audiences.some((a) => auds.includes(a)))) {
      return aadError(401, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${auds.join(', ')}'. ` +
        'Check your federated identity credential Subject, Audience and Issuer against the presented assertion.');
    }
    return undefined;
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
  /** verify() for a token verified before (no promise on the hot path); undefined when it must be verified. */
  verifyCached(token: string, audiences: string[]): TokenClaims | undefined {
    // the last token seen, compared as a string: a client sends the same one request after request
    let claims: TokenClaims | undefined;
    if (this.last !== undefined && token === this.last.token) {
      claims = this.last.claims;
    } else {
      claims = this.cache.get(token);
      if (!claims) return undefined;
      this.last = { token, claims };
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now - this.skewSeconds) return undefined;
    const aud = this.audiences.get(claims);
    if (!aud) return undefined;
    let wanted = this.wanted.get(audiences);
    if (!wanted) {
      wanted = audiences.map(normAudience);
      this.wanted.set(audiences, wanted);
    }
    for (const w of wanted) if (aud.includes(w)) return claims;
    return undefined;
  }
  private last?: { token: string; claims: TokenClaims };
  /** Normalized forms of the audience lists verifyCached was given (the server passes the same array each time). */
  private readonly wanted = new WeakMap<string[], string[]>();

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
    let aud = this.audiences.get(claims);
    if (!aud) {
      aud = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter((a): a is string => typeof a === 'string').map(normAudience);
      this.audiences.set(claims, aud);
    }
    for (const w of audiences) if (aud.includes(normAudience(w))) return claims;
    return undefined;
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
  for (const name of ['grant_type', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'scope', 'resource']) {
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
  const assertion = form.get('client_assertion');
  const assertionType = form.get('client_assertion_type');
  if (assertion !== null && secret !== undefined && secret !== null) {
    return malformed("give either 'client_secret' or 'client_assertion', not both.");
  }
  if (assertion !== null && assertionType !== JWT_BEARER) {
    return malformed(`'client_assertion_type' must be '${JWT_BEARER}'.`);
  }
  let tenant = resolveTenant(config, tenantInPath);
  if (!tenant) {
    return aadError(400, 'invalid_request', 90002,
      `Tenant '${tenantInPath}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  const principal = config.principals.find((p) => p.clientId.toLowerCase() === clientId.toLowerCase());
  if (!principal) {
    return aadError(400, 'unauthorized_client', 700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
  }
  // common / organizations / adfs: the client's home tenant issues the token.
  if (TENANT_ALIASES.includes(tenantInPath.toLowerCase())) tenant = principal.tenants[0];
  if (!principal.tenants.includes(tenant)) {
    return aadError(400, 'unauthorized_client', 700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
  }
  if (assertion !== null) {
    const refused = await tokens.checkAssertion(principal, assertion);
    if (refused) return refused;
  } else if (secret === undefined || secret === null) {
    return aadError(401, 'invalid_client', 7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
  } else if (!safeEqual(secret, principal.clientSecret)) {
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

/**
 * A tenant path segment may be a tenant id or domain (`contoso.onmicrosoft.com`); `organizations`, `common` and
 * `adfs` resolve to the first tenant here (the token endpoint then uses the client's home tenant).
 */
export function resolveTenant(config: EmulatorConfig, segment: string): string | undefined {
  const s = segment.toLowerCase();
  if (TENANT_ALIASES.includes(s)) return config.tenants[0]?.id;
  const t = config.tenants.find((x) => x.id.toLowerCase() === s || x.defaultDomain.toLowerCase() === s);
  return t?.id;
}

// ---- managed identity (App Service shape) -------------------------------------------------------------------

/** The api-version of App Service's identity endpoint that MSAL and @azure/identity send. */
export const APP_SERVICE_MSI_API_VERSION = '2019-08-01';
/** Path of the managed-identity endpoint (`IDENTITY_ENDPOINT=https://localhost:<port>/msi/token`). */
export const MSI_PATH = 'msi/token';

const msiError = (status: number, error: string, description: string): TokenRequestResult =>
  ({ status, body: { statusCode: status, message: description, error, error_description: description, correlationId: crypto.randomUUID() } });

/**
 * The App Service managed-identity endpoint (Microsoft docs "How to use managed identities for App Service and
 * Azure Functions", REST protocol, api-version 2019-08-01): GET with `resource`, `api-version` and optionally
 * `client_id`, `object_id` (`principal_id`) or `mi_res_id`, header `X-IDENTITY-HEADER` = IDENTITY_HEADER.
 * Answers `{access_token, expires_on (Unix seconds, as a string), resource, token_type, client_id}`.
 * Without an id the principal with `managedIdentity: "system"` answers; with one, the principal with
 * `managedIdentity` set whose client id, object id or display name (the last segment of `mi_res_id`) matches.
 */
export async function handleManagedIdentityRequest(tokens: TokenService, config: EmulatorConfig, query: ReadonlyMap<string, string>,
  headerValue: string | undefined, expectedHeader: string): Promise<TokenRequestResult> {
  if (headerValue === undefined || !safeEqual(headerValue, expectedHeader)) {
    return msiError(401, 'invalid_request', 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.');
  }
  const version = query.get('api-version');
  if (version !== APP_SERVICE_MSI_API_VERSION) {
    return msiError(400, 'invalid_request', `The api-version '${version ?? ''}' is not supported; use ${APP_SERVICE_MSI_API_VERSION}.`);
  }
  const resource = (query.get('resource') ?? '').trim();
  if (!resource) return msiError(400, 'invalid_request', "The 'resource' query parameter is required.");
  const clientId = query.get('client_id') ?? query.get('clientid');
  const objectId = query.get('object_id') ?? query.get('principal_id');
  const resId = query.get('mi_res_id') ?? query.get('msi_res_id');
  const identities = config.principals.filter((p) => p.managedIdentity);
  let principal: Principal | undefined;
  if (clientId) principal = identities.find((p) => p.clientId === clientId.toLowerCase());
  else if (objectId) principal = identities.find((p) => p.objectId === objectId.toLowerCase());
  else if (resId) {
    const name = resId.split('/').filter(Boolean).pop()?.toLowerCase();
    principal = identities.find((p) => p.displayName.toLowerCase() === name);
  } else principal = identities.find((p) => p.managedIdentity === 'system');
  if (!principal) {
    const which = clientId ? `client_id ${clientId}` : objectId ? `object_id ${objectId}` : resId ? `mi_res_id ${resId}` : 'the system-assigned identity';
    return msiError(400, 'invalid_request', `No managed identity found for ${which}. Mark a principal with "managedIdentity" in the seed.`);
  }
  const audience = resource.replace(/\/\.default$/, '').replace(/\/+$/, '');
  const accessToken = await tokens.issue(principal, principal.tenants[0], audience);
  return {
    status: 200,
    body: {
      access_token: accessToken,
      expires_on: String(Math.floor(Date.now() / 1000) + tokens.lifetimeSeconds),
      resource,
      token_type: 'Bearer',
      client_id: principal.clientId,
    },
  };
}
