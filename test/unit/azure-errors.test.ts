// Classification of the SDK's own RestError, built the way keyvault-secrets 4.12 builds it (code and message
// from the error body; the innererror is not carried), with the service messages from keyvault-facts.
import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import { classifyError, KeyVaultError, redact, roleForAction, TokenHostNotAllowedError } from '../../src/azure/errors';

function rest(status: number, code: string, message: string, opts: { bodyAsText?: string; path?: string } = {}): RestError {
  const request = createPipelineRequest({ url: `https://kv1.vault.azure.net${opts.path ?? '/secrets/db-pass/'}?api-version=2026-04-01&$skiptoken=abc`, method: 'GET' });
  return new RestError(message, {
    statusCode: status, code, request,
    response: { status, headers: createHttpHeaders({ 'x-ms-request-id': 'req-123' }), request, bodyAsText: opts.bodyAsText },
  });
}

const ctx = { vault: 'kv1', secret: 'db-pass', operation: 'reveal' };

describe('azure/errors classifyError', () => {
  it('RBAC: parses the action and names the role', () => {
    const e = classifyError(rest(403, 'Forbidden', "Caller is not authorized to perform action on resource.\r\nIf role assignments were recently changed, please wait several minutes.\r\nCaller: appid=abc;oid=def\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nResource: '/subscriptions/x/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv1/secrets/db-pass'\r\nAssignment: (not found)\r\nVault: kv1;location=westeurope"), ctx);
    assert.equal(e.kind, 'rbac');
    assert.equal(e.action, 'Microsoft.KeyVault/vaults/secrets/getSecret/action');
    assert.equal(e.role, 'Key Vault Secrets User');
    assert.match(e.message, /"Key Vault Secrets User" role/);
    assert.match(e.message, /secret "db-pass" in vault "kv1"/);
    for (const [action, role] of [
      ['Microsoft.KeyVault/vaults/secrets/setSecret/action', 'Key Vault Secrets Officer'],
      ['Microsoft.KeyVault/vaults/secrets/delete', 'Key Vault Secrets Officer'],
      ['Microsoft.KeyVault/vaults/secrets/purge/action', 'Key Vault Secrets Officer'],
      ['Microsoft.KeyVault/vaults/secrets/recover/action', 'Key Vault Secrets Officer'],
      ['Microsoft.KeyVault/vaults/secrets/backup/action', 'Key Vault Secrets Officer'],
      ['Microsoft.KeyVault/vaults/secrets/restore/action', 'Key Vault Secrets Officer'],
      ['Microsoft.KeyVault/vaults/secrets/readMetadata/action', 'Key Vault Reader'],
    ]) {
      assert.equal(roleForAction(action!), role, action);
    }
  });

  it('uses the innererror code when the body is available', () => {
    const body = JSON.stringify({ error: { code: 'Forbidden', message: 'Denied.', innererror: { code: 'ForbiddenByRbac' } } });
    const e = classifyError(rest(403, 'Forbidden', 'Denied.', { bodyAsText: body }), ctx);
    assert.equal(e.kind, 'rbac');
    assert.equal(e.code, 'ForbiddenByRbac');
    assert.match(e.detail, /innererror=ForbiddenByRbac/);
  });

  it('access policy, firewall, private endpoint, disabled', () => {
    const ap = classifyError(rest(403, 'Forbidden', "The user, group or application 'appid=x;oid=y' does not have secrets get permission on key vault 'kv1;location=westeurope'."), ctx);
    assert.equal(ap.kind, 'accessPolicy');
    assert.match(ap.message, /secret "get" permission/);
    const fw = classifyError(rest(403, 'Forbidden', 'Client address is not authorized and caller is not a trusted service.\r\nClient address: 1.2.3.4'), ctx);
    assert.equal(fw.kind, 'firewall');
    assert.match(fw.message, /firewall blocks your address/);
    const pe = classifyError(rest(403, 'Forbidden', 'Public network access is disabled and request is not from a trusted service nor via an approved private link.'), ctx);
    assert.equal(pe.kind, 'firewall');
    assert.match(pe.message, /private endpoint/);
    const dis = classifyError(rest(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.'), ctx);
    assert.equal(dis.kind, 'disabled');
    assert.match(dis.message, /is disabled.*Enable it/);
  });

  it('not found, deleted-name conflict, being deleted, throttled, unauthorized', () => {
    const nf = classifyError(rest(404, 'SecretNotFound', 'A secret with (name/id) db-pass was not found in this key vault.'), ctx);
    assert.equal(nf.kind, 'notFound');
    assert.match(nf.message, /Refresh/);
    const cd = classifyError(rest(409, 'Conflict', 'Secret db-pass is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.'), ctx);
    assert.equal(cd.kind, 'conflictDeleted');
    assert.match(cd.message, /Recover the deleted secret, or purge it/);
    const bd = classifyError(rest(409, 'Conflict', 'Secret db-pass is currently being deleted.'), ctx);
    assert.equal(bd.kind, 'beingDeleted');
    const th = classifyError(rest(429, 'Throttled', 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached'), ctx);
    assert.equal(th.kind, 'throttled');
    assert.match(th.message, /already retried/);
    const un = classifyError(rest(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'), ctx);
    assert.equal(un.kind, 'unauthorized');
    assert.match(un.message, /Sign in/);
  });

  it('bad requests: invalid name, corrupt backup; purge protection; managed secret', () => {
    assert.match(classifyError(rest(400, 'BadParameter', 'The request URI contains an invalid name: my_secret'), ctx).message, /1–127 letters/);
    const cb = classifyError(rest(400, 'BadParameter', 'Backup blob contains invalid or corrupt version.'), { vault: 'kv1' });
    assert.equal(cb.kind, 'badRequest');
    assert.match(cb.message, /backup file is corrupt/);
    assert.equal(classifyError(rest(403, 'Forbidden', "Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed."), ctx).kind, 'purgeProtected');
    assert.equal(classifyError(rest(403, 'Forbidden', "Operation \"set\" is not allowed on a managed secret."), ctx).kind, 'managedSecret');
  });

  it('network and certificate errors name the host', () => {
    const req = createPipelineRequest({ url: 'https://nosuch.vault.azure.net/secrets', method: 'GET' });
    const nf = classifyError(new RestError('getaddrinfo ENOTFOUND nosuch.vault.azure.net', { code: 'ENOTFOUND', request: req }), { vault: 'nosuch' });
    assert.equal(nf.kind, 'network');
    assert.match(nf.message, /Cannot reach nosuch\.vault\.azure\.net: the name does not resolve/);
    const cr = classifyError(new RestError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED', request: req }));
    assert.match(cr.message, /connection was refused/);
    const cert = classifyError(new RestError('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN', request: req }));
    assert.equal(cert.kind, 'certificateUntrusted');
    assert.match(cert.message, /nosuch\.vault\.azure\.net is not trusted/);
    assert.equal(classifyError(new RestError('unable to verify the first certificate', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })).kind, 'certificateUntrusted');
  });

  it('identity errors mean sign in; abort means cancelled; host refusals pass through', () => {
    assert.equal(classifyError(new CredentialUnavailableError('Azure CLI could not be found.')).kind, 'signIn');
    assert.equal(classifyError(new AuthenticationRequiredError({ scopes: ['https://vault.azure.net/.default'] })).kind, 'signIn');
    const abort = new Error('The operation was aborted.'); abort.name = 'AbortError';
    assert.equal(classifyError(abort).kind, 'cancelled');
    const host = classifyError(new TokenHostNotAllowedError('https://evil.example.com/', 'vault.azure.net'));
    assert.equal(host.kind, 'hostNotAllowed');
    assert.match(host.message, /evil\.example\.com/);
    const challenge = classifyError(new Error("The challenge resource 'vault.localhost' does not match the requested domain. Set disableChallengeResourceVerification to true in your client options to disable. See https://aka.ms/azsdk/blog/vault-uri for more information."));
    assert.equal(challenge.kind, 'hostNotAllowed');
    assert.match(challenge.message, /so none was sent/);
    const same = new KeyVaultError('notFound', 'm', 'd');
    assert.equal(classifyError(same), same);
  });

  it('detail carries status, code, request id and path, never the query, a token or a value', () => {
    const e = classifyError(rest(403, 'Forbidden', 'Operation get is not allowed on a disabled secret. Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'), ctx);
    assert.match(e.detail, /status=403/);
    assert.match(e.detail, /code=Forbidden/);
    assert.match(e.detail, /requestId=req-123/);
    assert.match(e.detail, /operation=reveal/);
    assert.match(e.detail, /request=GET kv1\.vault\.azure\.net\/secrets\/db-pass\//);
    assert.doesNotMatch(e.detail, /skiptoken|eyJhbGci/);
    assert.equal(redact('access_token=abc&x=1 client_secret=s3cr3t'), 'access_token=<redacted>&x=1 client_secret=<redacted>');
  });

  it('a body that is not JSON is never quoted: the pipeline\'s PARSE_ERROR', () => {
    const value = 'super-secret-value-123';
    const body = `{"value":"${value}","id":"https://kv1.vault.azure.net/secrets/db-pass/1"`;
    const err = rest(200, 'PARSE_ERROR', `Error "SyntaxError: Unexpected end of JSON input" occurred while parsing the response body - ${body}.`, { bodyAsText: body });
    const e = classifyError(err, ctx);
    assert.equal(e.kind, 'badResponse');
    assert.match(e.message, /could not be read/);
    assert.ok(!e.message.includes(value) && !e.detail.includes(value), `${e.message} | ${e.detail}`);
  });

  it('a body that is not JSON is never quoted: Node\'s SyntaxError with a fragment of the text', () => {
    let syntax: unknown;
    try { JSON.parse('secret-token-abc and more'); } catch (x) { syntax = x; }
    assert.match(String((syntax as Error).message), /secret-tok/, 'Node quotes the start of the text');
    const e = classifyError(syntax, ctx);
    assert.ok(!e.message.includes('secret-tok') && !e.detail.includes('secret-tok'), `${e.message} | ${e.detail}`);
  });

  it('an error of our own that mentions JSON is not taken for an unreadable response', () => {
    const e = classifyError(new Error('input rejected by validation: Unexpected end of JSON input'), ctx);
    assert.notEqual(e.kind, 'badResponse');
    assert.match(e.message, /Unexpected end of JSON input/);
  });
});
