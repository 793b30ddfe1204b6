// Errors in the service's shape: {"error":{"code","message","innererror"?:{"code"}}}.

export class KvError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): unknown {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.inner) error.innererror = { code: this.inner };
    return { error };
  }
}

export const badParameter = (message: string): KvError => new KvError(400, 'BadParameter', message);

/** A request body over the emulator's limit (HTTP 413, in the service's error shape). */
export const payloadTooLarge = (maxBytes: number): KvError =>
  new KvError(413, 'RequestBodyTooLarge', `The request body is larger than the limit of ${maxBytes} bytes.`);

export const invalidName = (name: string): KvError =>
  badParameter(`The request URI contains an invalid name: ${name}`);

export const secretNotFound = (nameOrId: string): KvError =>
  new KvError(404, 'SecretNotFound',
    `A secret with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this secret ` +
    'you may be able to recover it using the correct recovery command. For help resolving this issue, please ' +
    'see https://go.microsoft.com/fwlink/?linkid=2125182');

export const deletedSecretNotFound = (name: string): KvError =>
  new KvError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);

export const throttled = (retryAfterSeconds: number): KvError =>
  new KvError(429, 'Throttled',
    'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
    undefined, { 'Retry-After': String(retryAfterSeconds) });
