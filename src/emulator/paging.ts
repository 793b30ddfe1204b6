// Paging like the service: `maxresults` 1–25 (default 25), `$skiptoken` opaque, nextLink on the request's
// own origin, last page nextLink null.
import { badParameter } from './errors';

export const DEFAULT_PAGE = 25;
export const MAX_PAGE = 25;

export function parseMaxResults(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE;
  if (!/^\d+$/.test(raw)) throw badParameter(`Invalid maxresults: ${raw}. It must be an integer between 1 and ${MAX_PAGE}.`);
  const n = Number(raw);
  if (n < 1 || n > MAX_PAGE) {
    throw badParameter(`Invalid maxresults: ${raw}. It must be an integer between 1 and ${MAX_PAGE}.`);
  }
  return n;
}

export function encodeSkipToken(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

export function decodeSkipToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through
  }
  throw badParameter('The skip token is invalid.');
}

export interface Page<T> {
  items: T[];
  /** Key of the first item of the next page, or undefined on the last page. */
  next?: string;
}

/** `sorted` must be sorted by `key` ascending. The page starts at the first item whose key >= `from`. */
export function page<T>(sorted: T[], key: (t: T) => string, size: number, from?: string): Page<T> {
  let start = 0;
  if (from !== undefined) {
    start = sorted.findIndex((t) => key(t) >= from);
    if (start < 0) return { items: [] };
  }
  const items = sorted.slice(start, start + size);
  const nextItem = sorted[start + size];
  return { items, next: nextItem === undefined ? undefined : key(nextItem) };
}

/** nextLink with the same origin and path as the request, the api-version kept, a new $skiptoken. */
export function nextLink(origin: string, path: string, apiVersion: string | undefined, next: string | undefined,
  maxresults: number | undefined): string | null {
  if (next === undefined) return null;
  const q = new URLSearchParams();
  if (apiVersion !== undefined) q.set('api-version', apiVersion);
  q.set('$skiptoken', encodeSkipToken(next));
  if (maxresults !== undefined) q.set('maxresults', String(maxresults));
  return `${origin}${path}?${q.toString()}`;
}
