// Local CA + server certificate (SANs localhost, *.vault.localhost, 127.0.0.1, ::1) and the other keys the
// emulator keeps in its state directory: the JWT signing key and the key that seals backups and journals.
// Keys come from node:crypto, certificates are built with node-forge. Everything is written once (temp file +
// rename, so concurrent first starts cannot tear it) and reused on later starts.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import forge from 'node-forge';
import { hasPersistedData } from './journal';

export interface KeyMaterial {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** PKCS#8 PEM of the RS256 token signing key. */
  signingKey: string;
  /** base64 32 bytes: seals backups and the persisted journal. */
  sealKey: string;
  serverNotAfter: number;
}

export interface LoadedKeys extends KeyMaterial {
  /** Absolute path of the CA PEM (content-addressed, never rewritten). */
  caPath: string;
}

export const SERVER_DNS_NAMES = ['localhost', '*.vault.localhost'];
export const SERVER_IPS = ['127.0.0.1', '::1'];

export function defaultStateDir(): string {
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : os.tmpdir());
  return path.join(base, 'keyvault-emulator');
}

function rsaPair(): { pub: forge.pki.PublicKey; priv: forge.pki.rsa.PrivateKey; privPem: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { pub: forge.pki.publicKeyFromPem(pubPem), priv: forge.pki.privateKeyFromPem(privPem) as forge.pki.rsa.PrivateKey, privPem };
}

function serial(): string {
  // Positive 16-byte serial.
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

function issueCa(): { cert: forge.pki.Certificate; certPem: string; priv: forge.pki.rsa.PrivateKey; privPem: string } {
  const k = rsaPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86400_000);
  const subject = [{ name: 'commonName', value: 'Key Vault Emulator Local CA' },
    { name: 'organizationName', value: 'keyvault-emulator (local development only)' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(k.priv, forge.md.sha256.create());
  return { cert, certPem: forge.pki.certificateToPem(cert), priv: k.priv, privPem: k.privPem };
}

function issueServer(caCertPem: string, caKeyPem: string): { certPem: string; privPem: string; notAfter: number } {
  const ca = forge.pki.certificateFromPem(caCertPem);
  const caKey = forge.pki.privateKeyFromPem(caKeyPem) as forge.pki.rsa.PrivateKey;
  const k = rsaPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  const notAfter = Date.now() + 397 * 86400_000;
  cert.validity.notAfter = new Date(notAfter);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...SERVER_DNS_NAMES.map((value) => ({ type: 2, value })), ...SERVER_IPS.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), privPem: k.privPem, notAfter };
}

function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  fs.writeSync(fd, data);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

function generate(): KeyMaterial {
  const ca = issueCa();
  const server = issueServer(ca.certPem, ca.privPem);
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    caCert: ca.certPem,
    caKey: ca.privPem,
    serverCert: server.certPem,
    serverKey: server.privPem,
    signingKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    sealKey: crypto.randomBytes(32).toString('base64'),
    serverNotAfter: server.notAfter,
  };
}

const RENEW_BEFORE_MS = 30 * 86400_000;

/** Why a keys.json cannot be used, or undefined when it can. */
function keyFileProblem(text: string): string | undefined {
  let km: Partial<KeyMaterial>;
  try {
    km = JSON.parse(text) as Partial<KeyMaterial>;
  } catch (e) {
    return `it is not valid JSON (${(e as Error).message})`;
  }
  if (!km || typeof km !== 'object') return 'it is not a JSON object';
  for (const f of ['caCert', 'caKey', 'serverCert', 'serverKey', 'signingKey', 'sealKey'] as const) {
    if (typeof km[f] !== 'string' || !km[f]) return `its field ${f} is missing`;
  }
  if (Buffer.from(km.sealKey!, 'base64').length !== 32) return 'its sealKey is not 32 bytes of base64';
  return undefined;
}

/**
 * Loads (or creates once) the key material in `dir`. With persisted secrets in `dir/secrets` (sealed with the
 * sealKey), a missing or unreadable keys.json is an error: a new key would make them unreadable for good.
 */
export function loadOrCreateKeys(dir: string, log: (m: string) => void = () => undefined): LoadedKeys {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'keys.json');
  let km: KeyMaterial | undefined;
  let problem: string | undefined;
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (text !== undefined) {
    problem = keyFileProblem(text);
    if (!problem) km = JSON.parse(text) as KeyMaterial;
  }
  if (!km) {
    // server.ts keeps a persisted store in <data dir>/secrets
    if (hasPersistedData(path.join(dir, 'secrets'))) {
      throw new Error(`${file} ${problem ? `cannot be used: ${problem}` : 'is missing'}, but ${path.join(dir, 'secrets')} holds ` +
        'secrets sealed with the key it held. Refusing to create a new key (the secrets would be unreadable for good): restore ' +
        'keys.json from a backup, or move the data folder away to start with an empty one.');
    }
    if (problem) log(`${file} cannot be used (${problem}); creating new keys`);
    log(`creating a local CA and server certificate in ${dir}`);
    km = generate();
    writeAtomic(file, JSON.stringify(km));
  } else if (km.serverNotAfter - Date.now() < RENEW_BEFORE_MS) {
    log('renewing the server certificate');
    const server = issueServer(km.caCert, km.caKey);
    km = { ...km, serverCert: server.certPem, serverKey: server.privPem, serverNotAfter: server.notAfter };
    writeAtomic(file, JSON.stringify(km));
  }
  const fp = crypto.createHash('sha256').update(km.caCert).digest('hex').slice(0, 16);
  const caPath = path.join(dir, `ca-${fp}.pem`);
  if (!fs.existsSync(caPath)) writeAtomic(caPath, km.caCert);
  return { ...km, caPath: path.resolve(caPath) };
}
