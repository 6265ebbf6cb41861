/** Certificates with a chosen validity, for the expiry tests of the store and the CLI. */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

/** A self-signed CA valid from `from` to `to` (ms since the epoch), as PEM. */
export function caWithValidity(name: string, from: number, to: number): { certificate: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '0a';
  cert.validity.notBefore = new Date(from);
  cert.validity.notAfter = new Date(to);
  cert.setSubject([{ name: 'commonName', value: name }]);
  cert.setIssuer([{ name: 'commonName', value: name }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }]);
  cert.sign(key, forge.md.sha256.create());
  return { certificate: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), privateKey };
}
