import { generateKeyPair, randomBytes, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import type Forge from 'node-forge';
import { StateStoreError } from '../../errors.js';

/**
 * A client certificate issued by a keyset's primary CA, as kops's `pki.IssueCert` issues one of
 * type "client" (kops: pkg/pki/issue.go:31-36,67-158, pkg/pki/csr.go:47-107): a new RSA key of
 * kops's default size, a random 128-bit serial, valid from 48 hours ago, for the given lifetime.
 */

/** kops: pkg/pki/privatekey.go:40 DefaultPrivateKeySize, overridden by KOPS_RSA_PRIVATE_KEY_SIZE (:56-64). */
export const DEFAULT_RSA_KEY_SIZE = 2048;

/** What to issue. */
export interface ClientCertificateRequest {
  /** The subject's CommonName. */
  commonName: string;
  /** The subject's Organization values. */
  organizations: readonly string[];
  /** How long the certificate is valid from now, in ms. */
  validityMs: number;
  /** RSA modulus size in bits (default: KOPS_RSA_PRIVATE_KEY_SIZE as kops reads it, else 2048). */
  keySize?: number;
  /** Now, for tests. */
  now?: Date;
}

/** The issued certificate and its new private key (PEM, as kops writes them). */
export interface IssuedClientCertificate {
  certificate: string;
  privateKey: string;
}

const generateRsa = promisify(generateKeyPair);

/** kops's key size: KOPS_RSA_PRIVATE_KEY_SIZE when set (an integer), else 2048 (kops: pkg/pki/privatekey.go:53-64). */
export function kopsKeySize(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.KOPS_RSA_PRIVATE_KEY_SIZE;
  if (text === undefined || text === '') return DEFAULT_RSA_KEY_SIZE;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1024 || size > 16384)
    throw new StateStoreError('InvalidArgument', `KOPS_RSA_PRIVATE_KEY_SIZE=${text} is not a key size in bits`);
  return size;
}

async function loadForge(): Promise<typeof Forge> {
  // Loaded on first use, as pem.ts does: only issuing needs it.
  return ((await import('node-forge')) as unknown as { default: typeof Forge }).default;
}

/** A positive DER INTEGER in hex from random bytes (kops: crypto_rand.Int below 2^128, csr.go:65-71). */
function randomSerialHex(): string {
  const hex =
    randomBytes(16)
      .toString('hex')
      .replace(/^(00)+/, '') || '01';
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

/**
 * Issues a client certificate signed by `caCertificate`/`caPrivateKey` (PEM). The CA key must be
 * RSA (kops's default; node-forge signs only RSA): an EC CA is Unsupported. The CA's private key
 * is used only to sign and never appears in an error message.
 */
export async function issueClientCertificate(
  caCertificate: string,
  caPrivateKey: string,
  request: ClientCertificateRequest,
): Promise<IssuedClientCertificate> {
  if (!Number.isFinite(request.validityMs) || request.validityMs <= 0)
    throw new StateStoreError('InvalidArgument', 'the certificate lifetime must be a positive number of ms');
  const forge = await loadForge();
  let signer: Forge.pki.rsa.PrivateKey;
  let ca: Forge.pki.Certificate;
  try {
    signer = forge.pki.privateKeyFromPem(caPrivateKey);
    ca = forge.pki.certificateFromPem(caCertificate);
  } catch {
    // No cause: node-forge's messages could quote the key's bytes.
    throw new StateStoreError(
      'Unsupported',
      'the CA keypair is not an RSA key and certificate that can issue certificates here (kops creates RSA CAs)',
    );
  }
  const { privateKey } = await generateRsa('rsa', {
    modulusLength: request.keySize ?? kopsKeySize(),
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerialHex();
  const now = request.now?.getTime() ?? Date.now();
  cert.validity.notBefore = new Date(now - 48 * 3600_000); // kops: csr.go:57-59
  cert.validity.notAfter = new Date(now + request.validityMs); // kops: issue.go:145-147
  // Go's pkix.Name puts O before CN (crypto/x509/pkix ToRDNSequence).
  cert.setSubject([
    ...request.organizations.map((value) => ({ name: 'organizationName', value })),
    { name: 'commonName', value: request.commonName },
  ]);
  cert.setIssuer(ca.subject.attributes);
  const extensions: object[] = [
    // kops: issue.go:73-76 BasicConstraintsValid, not a CA; "client" = ExtKeyUsageClientAuth,KeyUsageDigitalSignature.
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'basicConstraints', cA: false, critical: true },
  ];
  const caKeyId = ca.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  // Go's x509.CreateCertificate copies the parent's SubjectKeyId as the AuthorityKeyId.
  if (caKeyId?.subjectKeyIdentifier)
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: forge.util.hexToBytes(caKeyId.subjectKeyIdentifier),
    });
  cert.setExtensions(extensions);
  cert.sign(signer, forge.md.sha256.create());
  const certificate = forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  if (!new X509Certificate(certificate).verify(new X509Certificate(caCertificate).publicKey))
    throw new StateStoreError('IntegrityError', 'the issued certificate does not verify against its CA');
  return { certificate, privateKey };
}
