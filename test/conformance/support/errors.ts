// Asserting on the errors the unmodified SDK throws: RestError with statusCode, `code` from the body's
// error.code, and the service's innererror.code (match on that: messages vary).
import * as assert from 'node:assert/strict';

export interface ExpectedError {
  status: number;
  code?: string;
  inner?: string;
  /** A fragment the message must contain (only where the service's wording is fixed). */
  message?: RegExp;
}

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } };
  response?: { bodyAsText?: string | null; headers?: { get(name: string): string | undefined } };
}

/** innererror.code from the deserialized details, or from the raw body when the SDK kept only that. */
export function innerCode(err: unknown): string | undefined {
  const e = err as RestErrorLike;
  const fromDetails = e.details?.error?.innerError?.code ?? e.details?.error?.innererror?.code;
  if (fromDetails) return fromDetails;
  const text = e.response?.bodyAsText;
  if (text) {
    try {
      const body = JSON.parse(text) as { error?: { innererror?: { code?: string } } };
      return body.error?.innererror?.code;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export async function rejectsWith(promise: Promise<unknown>, expected: ExpectedError): Promise<RestErrorLike> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `expected HTTP ${expected.status}${expected.code ? ' ' + expected.code : ''}, but the call succeeded`);
  const e = caught as RestErrorLike;
  const seen = `status=${e.statusCode} code=${e.code} inner=${innerCode(e)} message=${String(e.message).slice(0, 200)}`;
  assert.equal(e.statusCode, expected.status, `status: ${seen}`);
  if (expected.code !== undefined) assert.equal(e.code, expected.code, `code: ${seen}`);
  if (expected.inner !== undefined) assert.equal(innerCode(e), expected.inner, `innererror.code: ${seen}`);
  if (expected.message) assert.match(String(e.message), expected.message, `message: ${seen}`);
  return e;
}
