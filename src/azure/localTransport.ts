// Reaching the local emulator with unmodified SDK clients: `<vault>.vault.localhost` does not resolve
// through glibc here, and the emulator's CA must be trusted for those requests only. Inside VS Code's
// extension host an `agent` is replaced by the proxy agent, so both go in per-request overrides set by a
// pipeline policy (see shared keyvault-facts: "Per-request overrides work in every proxy mode").
import * as dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** RFC 6761: every name under .localhost is loopback. Other names go to the system resolver. */
export const localhostLookup: LookupFunction = (hostname, options, callback) => {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) {
    const family = typeof options === 'object' && options?.family === 6 ? 6 : 4;
    const address = family === 6 ? '::1' : '127.0.0.1';
    if (typeof options === 'object' && options?.all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
    return;
  }
  dns.lookup(hostname, options, callback);
};

/** A perCall policy that resolves *.localhost to loopback and trusts `ca` for this client's requests only. */
export function localEmulatorPolicy(ca: string | Buffer): PipelinePolicy {
  return {
    name: 'localEmulatorPolicy',
    sendRequest(request, next) {
      request.requestOverrides = { ...request.requestOverrides, lookup: localhostLookup, ca };
      return next(request);
    },
  };
}
