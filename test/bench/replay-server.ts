// Replay server for the benchmarks: answers recorded list pages (exact request path + query) with their recorded
// bodies — no lookup beyond one Map get, no JSON work — behind the same 401 challenge as the service, on HTTPS.
//   node test/bench/replay-server.js <config.json>   (prints {"port":N} when listening)
// config: { key, cert, placeholder, pages: { "<path?query>": "<body>" } } — `placeholder` in the bodies becomes
// https://replay.vault.localhost:<port> once listening.
import * as fs from 'node:fs';
import * as https from 'node:https';

const config = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as {
  key: string; cert: string; placeholder: string; pages: Record<string, string>;
};
let pages = new Map<string, Buffer>();
/** The SDK's first page asks for `api%2Dversion` (its URL template encodes the hyphen), later pages and other clients `api-version`: one key for both. */
const normalize = (target: string) => target.replace(/([?&])api%2Dversion=/i, '$1api-version=');
let challenge = '';
const unauthorized = Buffer.from(JSON.stringify({ error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }));
const notFound = Buffer.from(JSON.stringify({ error: { code: 'NotFound', message: 'not recorded' } }));

const server = https.createServer({ key: config.key, cert: config.cert, keepAliveTimeout: 60_000 }, (req, res) => {
  if (!req.headers.authorization) {
    res.writeHead(401, { 'content-type': 'application/json', 'content-length': unauthorized.length, 'www-authenticate': challenge });
    res.end(unauthorized);
    return;
  }
  const body = pages.get(normalize(req.url ?? ''));
  if (!body) process.stderr.write(`replay: not recorded: ${req.url}\n`);
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json; charset=utf-8', 'content-length': (body ?? notFound).length });
  res.end(body ?? notFound);
});
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as { port: number }).port;
  const origin = `https://replay.vault.localhost:${port}`;
  pages = new Map(Object.entries(config.pages).map(([k, v]) => [normalize(k), Buffer.from(v.split(config.placeholder).join(origin), 'utf8')]));
  challenge = `Bearer authorization="https://login.replay.invalid/bench", resource="https://vault.localhost:${port}"`;
  console.log(JSON.stringify({ port }));
});
