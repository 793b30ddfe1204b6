// Turns anything the SDKs throw into one KeyVaultError with a message that says what to do, and a detail line
// for the output channel. Key Vault's data-plane SDK (4.12) builds RestError from `error.code` and
// `error.message` only — the innererror code is lost — so classification reads status, code and message.
// Neither message nor detail ever holds a secret value, a token or a request body.
import type { RestError } from '@azure/core-rest-pipeline';
import * as l10n from '@vscode/l10n';

export type KeyVaultErrorKind =
  | 'rbac' | 'accessPolicy' | 'firewall' | 'disabled' | 'notFound' | 'conflictDeleted' | 'conflict' | 'beingDeleted'
  | 'beingRecovered'
  | 'throttled' | 'unauthorized' | 'signIn' | 'certificateUntrusted' | 'network' | 'badRequest'
  | 'purgeProtected' | 'managedSecret' | 'hostNotAllowed' | 'cancelled' | 'badResponse' | 'unknown';

export interface ErrorContext {
  /** Vault name or URL. */
  vault?: string;
  /** Alias of `vault`. */
  vaultName?: string;
  secret?: string;
  /** What the user tried, e.g. "reveal", "delete". */
  operation?: string;
}

export class KeyVaultError extends Error {
  override readonly name = 'KeyVaultError';
  constructor(
    readonly kind: KeyVaultErrorKind,
    /** User-facing: what went wrong and what to do. */
    message: string,
    /** For an output channel: status, codes, request id, operation. Never a value, token or body. */
    readonly detail: string,
    /** The raw service or runtime code, when there was one. */
    readonly code?: string,
    readonly statusCode?: number,
    /** For rbac: the denied action and the built-in role that grants it. */
    readonly action?: string,
    readonly role?: string,
    /** The host that could not be reached (network, certificateUntrusted, hostNotAllowed). */
    readonly host?: string,
  ) {
    super(message);
  }
}

/** Thrown by the credential guard when a token would go to a host outside the cloud's vault suffix. */
export class TokenHostNotAllowedError extends Error {
  override readonly name = 'TokenHostNotAllowedError';
  constructor(readonly url: string, readonly allowedSuffix: string) {
    super(`Refusing to send an Azure token to ${safeHost(url)}: only hosts under .${allowedSuffix} may receive one. ` +
      'Check the vault URL, or the cloud selected in microsoft-sovereign-cloud.environment.');
  }
}

export function safeHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try { return new URL(url).host; } catch { return undefined; }
}

const CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REVOKED', 'HOSTNAME_MISMATCH',
]);
const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'REQUEST_SEND_ERROR',
]);

/** Built-in role that grants a denied Key Vault data action (least privilege first). */
export function roleForAction(action: string): string {
  const a = action.toLowerCase();
  if (/\/secrets\/getsecret\/action$/.test(a)) return 'Key Vault Secrets User';
  if (/\/secrets\/readmetadata\/action$/.test(a)) return 'Key Vault Reader';
  if (/\/(secrets|deletedsecrets)\//.test(a)) return 'Key Vault Secrets Officer';
  if (/^microsoft\.keyvault\/vaults\/read$/.test(a) || /\/read$/.test(a)) return 'Reader';
  if (/microsoft\.keyvault\/vaults\/(keys|deletedkeys)\//.test(a)) return 'Key Vault Crypto Officer';
  if (/microsoft\.keyvault\/vaults\/(certificates|deletedcertificates)\//.test(a)) return 'Key Vault Certificates Officer';
  return 'Key Vault Administrator';
}

interface Parsed {
  status?: number;
  code?: string;
  innerCode?: string;
  message: string;
  requestId?: string;
  method?: string;
  path?: string;
  host?: string;
  name?: string;
  /** The body was not JSON: its text was dropped. */
  badBody?: boolean;
}

function innerFromBody(body: unknown): { code?: string; inner?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const e = (body as { error?: unknown }).error ?? body;
  if (!e || typeof e !== 'object') return {};
  const ee = e as { code?: unknown; message?: unknown; innererror?: { code?: unknown }; innerError?: { code?: unknown } };
  const inner = ee.innererror ?? ee.innerError;
  return {
    code: typeof ee.code === 'string' ? ee.code : undefined,
    inner: inner && typeof inner.code === 'string' ? inner.code : undefined,
    message: typeof ee.message === 'string' ? ee.message : undefined,
  };
}

function parse(err: unknown): Parsed {
  if (!(err instanceof Error) && (typeof err !== 'object' || err === null)) {
    return { message: String(err) };
  }
  const e = err as Error & {
    code?: unknown; statusCode?: unknown; status?: unknown; details?: unknown; cause?: unknown;
    request?: { url?: string; method?: string }; response?: RestError['response'] & { parsedBody?: unknown };
  };
  const p: Parsed = { message: typeof e.message === 'string' ? e.message : String(err), name: e.name };
  if (typeof e.code === 'string') p.code = e.code;
  if (typeof e.statusCode === 'number') p.status = e.statusCode;
  else if (typeof e.status === 'number') p.status = e.status;
  const resp = e.response;
  if (resp) {
    p.status ??= resp.status;
    p.requestId = resp.headers?.get?.('x-ms-request-id') ?? resp.headers?.get?.('x-ms-correlation-request-id') ?? undefined;
    let body: unknown = resp.parsedBody;
    if (body === undefined && typeof resp.bodyAsText === 'string') {
      try { body = JSON.parse(resp.bodyAsText); } catch { /* not JSON */ }
    }
    const fromBody = innerFromBody(body);
    p.innerCode = fromBody.inner;
    p.code ??= fromBody.code;
  }
  const fromDetails = innerFromBody(e.details);
  p.innerCode ??= fromDetails.inner;
  p.code ??= fromDetails.code;
  // Paged operations replace the service's message with "Pagination failed with unexpected statusCode N".
  if (fromDetails.message && (/^(Pagination failed|Unexpected status code)/i.test(p.message) || !p.message)) {
    p.message = fromDetails.message;
  }
  const req = e.request ?? resp?.request;
  if (req?.url) {
    try {
      const u = new URL(req.url);
      p.host = u.host;
      p.path = u.pathname; // never the query: it may carry a skip token
    } catch { /* ignore */ }
    p.method = req.method;
  }
  // A body that is not JSON: the pipeline's PARSE_ERROR message and Node's SyntaxError quote the body's text, which
  // may be a secret value (a proxy or a broken service answering with it). Neither text goes anywhere.
  if (p.code === 'PARSE_ERROR' || p.name === 'SyntaxError' || ((resp || e.request) && BODY_PARSE.test(p.message))) {
    p.message = 'The response body is not valid JSON (its text is not shown: it may hold a secret value).';
    p.code ??= 'PARSE_ERROR';
    p.badBody = true;
  }
  // Node network errors nest under `cause` for fetch-style clients.
  if (!p.code && e.cause && typeof e.cause === 'object' && typeof (e.cause as { code?: unknown }).code === 'string') {
    p.code = (e.cause as { code: string }).code;
  }
  return p;
}

const BODY_PARSE = /occurred while parsing the response body|is not valid JSON|Unexpected token|Unexpected end of JSON|JSON at position/i;

function where(ctx: ErrorContext): string {
  if (ctx.secret && ctx.vault) return l10n.t('secret "{0}" in vault "{1}"', ctx.secret, ctx.vault);
  if (ctx.secret) return l10n.t('secret "{0}"', ctx.secret);
  if (ctx.vault) return l10n.t('vault "{0}"', ctx.vault);
  return l10n.t('the vault');
}

function vaultName(ctx: ErrorContext): string {
  return ctx.vault ? l10n.t('vault "{0}"', ctx.vault) : l10n.t('the vault');
}

/** Strips anything that looks like a bearer token or JWT from text bound for the output channel. */
export function redact(text: string): string {
  return text
    .replace(/Bearer\s+[A-Za-z0-9\-._~+/]+=*/gi, 'Bearer <redacted>')
    .replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '<jwt redacted>')
    .replace(/(client_secret|access_token|refresh_token|password)=([^&\s]+)/gi, '$1=<redacted>');
}

function detailOf(p: Parsed, ctx: ErrorContext, kind: KeyVaultErrorKind): string {
  const parts: string[] = [`kind=${kind}`];
  if (ctx.operation) parts.push(`operation=${ctx.operation}`);
  if (p.status !== undefined) parts.push(`status=${p.status}`);
  if (p.code) parts.push(`code=${p.code}`);
  if (p.innerCode) parts.push(`innererror=${p.innerCode}`);
  if (p.method || p.path) parts.push(`request=${p.method ?? ''} ${p.host ?? ''}${p.path ?? ''}`.trim());
  if (p.requestId) parts.push(`requestId=${p.requestId}`);
  if (p.name && p.name !== 'Error' && p.name !== 'RestError') parts.push(`error=${p.name}`);
  // The service's own message is safe (Key Vault never echoes values); cut it and redact tokens regardless.
  const msg = redact(p.message.replace(/\s+/g, ' ')).slice(0, 600);
  parts.push(`message=${msg}`);
  return parts.join(' | ');
}

/** Classifies `err` (RestError, identity errors, Node network errors, AbortError…) into a KeyVaultError. */
export function classifyError(err: unknown, ctx: ErrorContext = {}): KeyVaultError {
  if (err instanceof KeyVaultError) return err;
  if (!ctx.vault && ctx.vaultName) ctx = { ...ctx, vault: ctx.vaultName };
  const p = parse(err);
  const msg = p.message;
  const lower = msg.toLowerCase();
  const code = p.code;
  const inner = p.innerCode?.toLowerCase();
  const host = p.host ?? (ctx.vault && /^https:/.test(ctx.vault) ? safeHost(ctx.vault) : undefined);
  const mk = (kind: KeyVaultErrorKind, message: string, extra: { action?: string; role?: string } = {}) =>
    new KeyVaultError(kind, message, detailOf(p, ctx, kind), p.innerCode ?? code, p.status, extra.action, extra.role, host);

  // Cancellation first: an abort can surface with any status-less shape.
  if (p.name === 'AbortError' || code === 'ABORT_ERR' || /operation was aborted|aborted by the user/i.test(msg)) {
    return mk('cancelled', l10n.t('Cancelled.'));
  }
  if (p.name === 'TokenHostNotAllowedError') return mk('hostNotAllowed', msg);
  if (/challenge (resource|origin) .* does not match/i.test(msg)) {
    return mk('hostNotAllowed', l10n.t('The server at {0} asked for a token for another host, so none was sent. Check that the vault URL is right.', host ?? l10n.t('this URL')));
  }

  // Identity / sign-in errors.
  if (p.name === 'CredentialUnavailableError' || p.name === 'AuthenticationRequiredError' ||
    p.name === 'AggregateAuthenticationError' || p.name === 'ChainCredentialError' || p.name === 'AuthenticationError') {
    const certish = /self[- ]signed|unable to (verify|get local issuer)|certificate has expired|CERT_/i.test(msg);
    if (certish) {
      return mk('certificateUntrusted', l10n.t('The sign-in endpoint\'s TLS certificate is not trusted. {0}', certHint()));
    }
    const why = p.name === 'ChainCredentialError'
      ? redact(msg.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')).slice(0, 900)
      : firstLine(msg);
    return mk('signIn', l10n.t('Sign in to access {0}. {1} Run "Key Vault: Sign In".', vaultName(ctx), why));
  }

  if (code && CERT_CODES.has(code) || /self[- ]signed certificate|unable to verify the first certificate|certificate has expired/i.test(lower)) {
    return mk('certificateUntrusted', l10n.t('The TLS certificate of {0} is not trusted ({1}). {2}', host ?? l10n.t('the server'), code ?? l10n.t('certificate error'), certHint()));
  }
  if (code && NETWORK_CODES.has(code) && p.status === undefined || /getaddrinfo|connect ECONNREFUSED|socket hang up|timed? ?out/i.test(msg) && p.status === undefined) {
    const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? l10n.t('the name does not resolve') :
      code === 'ECONNREFUSED' ? l10n.t('the connection was refused') : code === 'ETIMEDOUT' || /time/i.test(msg) ? l10n.t('the request timed out') : l10n.t('the connection failed');
    return mk('network', l10n.t('Cannot reach {0}: {1}. Check the vault URL, your network, VPN or proxy.', host ?? l10n.t('the vault'), why));
  }

  const status = p.status;
  if (status === 401 || code === 'Unauthorized' || code === 'InvalidAuthenticationToken' || code === 'ExpiredAuthenticationToken') {
    return mk('unauthorized', l10n.t('{0} did not accept the sign-in ({1}). Sign in again with "Key Vault: Sign In", or check that the account belongs to the vault\'s tenant.', capital(vaultName(ctx)), String(code ?? status)));
  }
  if (status === 429 || code === 'Throttled' || code === 'TooManyRequests') {
    return mk('throttled', l10n.t('{0} is throttling requests; the SDK already retried. Try again in a minute.', capital(vaultName(ctx))));
  }

  if (status === 403) {
    const action = /Action:\s*'([^']+)'/i.exec(msg)?.[1] ?? /action '([^']+)'/i.exec(msg)?.[1];
    if (inner === 'forbiddenbyrbac' || /not authorized to perform action/i.test(msg) || code === 'AuthorizationFailed') {
      const act = action ?? (/'(Microsoft\.[^']+)'/.exec(msg)?.[1]);
      const role = act ? roleForAction(act) : ctx.operation === 'reveal' || ctx.operation === 'copy' ? 'Key Vault Secrets User' : 'Key Vault Secrets Officer';
      return mk('rbac', l10n.t('You lack permission for {0}{1}. Ask an owner to assign you the "{2}" role on the vault (Azure RBAC).', where(ctx), act ? l10n.t(' (action {0})', act) : '', role), { action: act, role });
    }
    if (inner === 'forbiddenbypolicy' || /does not have (secrets? )?\w+ permission/i.test(msg) || /access polic/i.test(msg)) {
      const perm = /does not have secrets? (\w+) permission/i.exec(msg)?.[1];
      return mk('accessPolicy', l10n.t('The vault\'s access policy does not grant you {0} on {1}. Ask an owner to add it to your access policy (or move the vault to Azure RBAC).', perm ? l10n.t('the secret "{0}" permission', perm) : l10n.t('this permission'), vaultName(ctx)));
    }
    if (inner === 'forbiddenbyfirewall' || /client address is not authorized|public network access is disabled|private link|network security perimeter|firewall/i.test(msg)) {
      const isPrivate = /public network access is disabled|private link|private endpoint/i.test(msg);
      return mk('firewall', isPrivate
        ? l10n.t('{0} accepts requests only through its private endpoint. Connect from a network that reaches it (VPN, peered network).', capital(vaultName(ctx)))
        : l10n.t('{0}\'s firewall blocks your address. Add your IP to the vault\'s networking rules, or connect from an allowed network.', capital(vaultName(ctx))));
    }
    if (inner === 'secretdisabled' || /disabled secret|secret is disabled/i.test(msg)) {
      return mk('disabled', l10n.t('{0} is disabled, so its value cannot be read. Enable it with "Edit Properties" first.', capital(where(ctx))));
    }
    if (/purge protection|recovery level/i.test(msg) && /purge/i.test(msg)) {
      return mk('purgeProtected', l10n.t('{0} has purge protection: deleted secrets cannot be purged; they are removed when the retention period ends.', capital(vaultName(ctx))));
    }
    if (/managed|certificate/i.test(msg)) {
      return mk('managedSecret', l10n.t('{0} backs a certificate and is read-only here; change it through the certificate.', capital(where(ctx))));
    }
    return mk('rbac', l10n.t('Access to {0} was denied ({1}). Check your role assignments or access policy on the vault.', where(ctx), code ?? 'Forbidden'));
  }

  if (status === 404 || code === 'SecretNotFound' || code === 'ResourceNotFound' || code === 'NotFound') {
    return mk('notFound', l10n.t('{0} was not found: it may have been deleted or renamed. Refresh the view.', capital(ctx.secret ? where(ctx) : vaultName(ctx))));
  }
  if (status === 409 || code === 'Conflict') {
    // delete, recover and purge finish seconds after the service answers: until then the name is "in transit"
    if (/being deleted/i.test(msg) || inner === 'objectisbeingdeleted') {
      return mk('beingDeleted', l10n.t('Key Vault is still deleting {0} (a delete or purge takes a few seconds to finish). Wait a moment, then try again.', where(ctx)));
    }
    if (/being recovered/i.test(msg) || inner === 'objectisbeingrecovered') {
      return mk('beingRecovered', l10n.t('Key Vault is still recovering {0} (a recovery takes a few seconds to finish). Wait a moment, then try again.', where(ctx)));
    }
    if (inner === 'objectisdeletedbutrecoverable' || /deleted but recoverable/i.test(msg)) {
      return mk('conflictDeleted', l10n.t('The name{0} belongs to a deleted secret in {1}. Recover the deleted secret, or purge it to reuse the name.', ctx.secret ? ` "${ctx.secret}"` : '', vaultName(ctx)));
    }
    return mk('conflict', l10n.t('{0} conflicts with an existing secret ({1}). Refresh and try again.', capital(where(ctx)), String(code ?? status)));
  }
  if (status === 400 || code === 'BadParameter' || code === 'BadRequest') {
    if (/purge/i.test(msg) && /protect|recovery level/i.test(msg)) {
      return mk('purgeProtected', l10n.t('{0} has purge protection: deleted secrets cannot be purged.', capital(vaultName(ctx))));
    }
    if (/managed/i.test(msg)) {
      return mk('managedSecret', l10n.t('{0} backs a certificate and is read-only here; change it through the certificate.', capital(where(ctx))));
    }
    let what = firstLine(msg);
    if (/invalid name/i.test(msg)) what = l10n.t('The name is not valid: use 1–127 letters, digits and hyphens.');
    else if (/backup blob|corrupt/i.test(msg)) what = l10n.t('The backup file is corrupt or was not made by Key Vault.');
    else if (/too large|exceeds|maximum|size/i.test(msg)) what = l10n.t('The request is too large: {0}', firstLine(msg));
    else if (/tags?/i.test(msg)) what = l10n.t('The tags are not valid (at most 15, 512 characters each): {0}', firstLine(msg));
    return mk('badRequest', l10n.t('{0} rejected the request: {1}', capital(vaultName(ctx)), what));
  }
  if (p.badBody) {
    return mk('badResponse', l10n.t('{0} answered{1} with a response that could not be read. Try again; if it persists, a proxy may be rewriting responses ("Show Details" has the request id).', capital(vaultName(ctx)), status ? ` (${status})` : ''));
  }
  if (status === 503 || status === 502 || status === 504) {
    return mk('throttled', l10n.t('{0} is temporarily unavailable ({1}); the SDK already retried. Try again later.', capital(vaultName(ctx)), status));
  }
  if (!isRestError(err) && p.name === 'Error' && !status) {
    return mk('unknown', firstLine(msg) || l10n.t('Unexpected error.'));
  }
  return mk('unknown', l10n.t('Unexpected error from {0}{1}: {2}', vaultName(ctx), status ? ` (${status}${code ? ` ${code}` : ''})` : '', firstLine(msg)));
}

/**
 * core-rest-pipeline's isRestError, without loading the pipeline at activation (it lives in dist/secrets.js and
 * dist/identity.js, each with its own RestError class, so the name is what identifies one).
 */
function isRestError(e: unknown): e is RestError {
  if (typeof e !== 'object' || e === null) return false;
  const { name, message } = e as { name?: unknown; message?: unknown };
  return name === 'RestError' && typeof message === 'string';
}

function certHint(): string {
  return l10n.t('For a local emulator, start or attach it from the "Local emulator" view so its CA is trusted for its requests; for a private cloud\'s CA, set keyVault.cloud.caCertificateFile (in a remote window, in that machine\'s Remote settings); behind a TLS-inspecting proxy, enable VS Code\'s system certificates.');
}

function firstLine(s: string): string {
  return redact(s.split('\n')[0]!.trim()).slice(0, 300);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
