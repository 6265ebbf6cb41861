import { createPrivateKey, generateKeyPair, randomBytes, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import type Forge from 'node-forge';
import { StateStoreError } from '../../errors.js';

/**
 * The certificate and private-key rules of kops's keysets (kops: pkg/pki/certificate.go,
 * pkg/pki/privatekey.go, pkg/pki/csr.go, pkg/pki/issue.go). Parsing uses Node's crypto (any key
 * type kops accepts); issuing a self-signed CA uses node-forge. No ASN.1 is written by hand.
 */

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The PEM blocks of a text, in order, as Go's `pem.Decode` finds them (text between blocks is skipped). */
export function pemBlocks(text: string): Array<{ type: string; der: Buffer }> {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({
    type: m[1]!,
    der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'),
  }));
}

/**
 * Decodes a `[]byte` field as Go's encoding/json does: standard base64 with padding, nothing else
 * (Node's decoder would silently skip stray characters).
 */
export function decodeBase64Field(value: unknown, field: string, key?: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value))
    throw new StateStoreError('InvalidArgument', `${field} is not base64 (standard alphabet, padded)`, { key });
  return Buffer.from(value, 'base64');
}

/**
 * Checks a certificate as kops's `ParsePEMCertificate` does: the first `CERTIFICATE` block (other
 * blocks ignored) must parse as X.509. Returns the serial number, which kops compares to decide
 * which keys are older than the primary.
 */
export function parseCertificatePem(pem: string, field: string, key?: string): bigint {
  const block = pemBlocks(pem).find((b) => b.type === 'CERTIFICATE');
  if (block === undefined) throw new StateStoreError('InvalidArgument', `${field} is not a PEM certificate`, { key });
  try {
    return BigInt(`0x${new X509Certificate(block.der).serialNumber}`);
  } catch (err) {
    throw new StateStoreError(
      'InvalidArgument',
      `${field} holds a CERTIFICATE block that is not a valid X.509 certificate`,
      { key, cause: err },
    );
  }
}

// kops: pkg/pki/privatekey.go parsePEMPrivateKey: PKCS#1 RSA, SEC 1 EC or PKCS#8; other blocks are skipped.
const KEY_BLOCKS: Record<string, 'pkcs1' | 'sec1' | 'pkcs8'> = {
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
  'PRIVATE KEY': 'pkcs8',
};

/** Checks a private key as kops's `ParsePEMPrivateKey` does (the first block of a known key type must parse). */
export function parsePrivateKeyPem(pem: string, field: string, key?: string): void {
  const block = pemBlocks(pem).find((b) => KEY_BLOCKS[b.type] !== undefined);
  if (block === undefined)
    throw new StateStoreError(
      'InvalidArgument',
      `${field} is not a PEM private key (RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)`,
      { key },
    );
  try {
    createPrivateKey({ key: block.der, format: 'der', type: KEY_BLOCKS[block.type]! });
  } catch (err) {
    throw new StateStoreError(
      'InvalidArgument',
      `${field} holds a ${block.type} block that is not a valid private key`,
      { key, cause: err },
    );
  }
}

/**
 * A serial that is later for later calls: nanoseconds since the epoch shifted left 32 bits, OR a
 * 32-bit random number (kops: pkg/pki/csr.go BuildPKISerial). kops uses it both as a certificate
 * serial and as the floor for new keyset item ids.
 */
export function buildPkiSerial(nowMs: number = Date.now()): bigint {
  const nanos = BigInt(Math.floor(nowMs)) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  return (nanos << 32n) | BigInt(randomBytes(4).readUInt32BE(0));
}

/** A new self-signed CA as `kops create keypair` makes it: certificate and private key (PEM) and the serial. */
export interface IssuedCa {
  certificate: string;
  privateKey: string;
  serial: bigint;
}

const generateRsa = promisify(generateKeyPair);

/**
 * Issues a self-signed CA certificate the way `kops create keypair` does (kops: cmd/kops/create_keypair.go,
 * pkg/pki/issue.go type "ca", pkg/pki/csr.go signNewCertificate): subject CN=<keyset name> plus
 * serialNumber=<serial>, serial from {@link buildPkiSerial}, valid from 48 hours ago for ten years,
 * basic constraints CA, key usage certSign and cRLSign, SHA-256. Without `privateKeyPem`, a new RSA
 * 2048 key (kops's default size) written as `RSA PRIVATE KEY`, as kops writes it.
 */
export async function issueSelfSignedCa(name: string, privateKeyPem?: string): Promise<IssuedCa> {
  const privateKey =
    privateKeyPem ??
    (
      await generateRsa('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      })
    ).privateKey;
  // Loaded on first use: only issuing needs it, and it costs ~70 ms at import in a fresh process.
  const { default: forge } = (await import('node-forge')) as unknown as { default: typeof Forge };
  let signer: Forge.pki.rsa.PrivateKey;
  try {
    signer = forge.pki.privateKeyFromPem(privateKey);
  } catch (err) {
    throw new StateStoreError(
      'Unsupported',
      'privateKey: only RSA keys can be used to issue a new certificate here; pass a certificate too',
      { cause: err },
    );
  }
  const serial = buildPkiSerial();
  const now = Date.now();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(signer.n, signer.e);
  // A DER INTEGER: an even number of hex digits, and a leading zero byte keeps it positive.
  const hex = serial.toString(16).padStart(serial.toString(16).length + (serial.toString(16).length % 2), '0');
  cert.serialNumber = /^[89a-f]/.test(hex) ? `00${hex}` : hex;
  cert.validity.notBefore = new Date(now - 48 * 3600_000);
  cert.validity.notAfter = new Date(now + 10 * 365 * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: name },
    { name: 'serialNumber', value: serial.toString() },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' }, // Go's x509 adds one to every CA certificate it creates
  ]);
  cert.sign(signer, forge.md.sha256.create());
  return { certificate: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), privateKey, serial };
}
