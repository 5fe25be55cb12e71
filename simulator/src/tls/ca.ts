/**
 * The simulator's private certificate authority: a CA certificate clients trust (written to a
 * PEM file) and one server certificate per host whose SubjectAltName holds the host's name and
 * loopback address, as an enterprise CA would issue for WinRM HTTPS listeners.
 * ECDSA P-256 keeps issuing a thousand certificates fast; hosts share one leaf key pair
 * (each still gets its own certificate), which is harmless on loopback and saves seconds.
 */
// tsyringe (used inside @peculiar/x509) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface HostCertificate {
  /** PEM certificate chain (leaf then CA). */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface CertificateAuthority {
  /** PEM of the CA certificate. */
  readonly caPem: string;
  issue(hostName: string, address: string): Promise<HostCertificate>;
  writeCaFile(path: string): Promise<void>;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

export async function createCertificateAuthority(commonName = 'Aether-V Simulator CA'): Promise<CertificateAuthority> {
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - DAY);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${commonName}, O=Aether-V simulated laboratory`,
    notBefore,
    notAfter: new Date(Date.now() + 365 * DAY),
    keys: caKeys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = caCert.toString('pem') + '\n';
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey);
  const leafKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const leafKeyPem = toPem(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY');
  const leafKeyId = await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey);
  let serial = 0x1000;

  return {
    caPem,
    async issue(hostName, address) {
      serial += 1;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial.toString(16).padStart(8, '0'),
        subject: `CN=${hostName}`,
        issuer: caCert.subject,
        notBefore,
        notAfter: new Date(Date.now() + 365 * DAY),
        publicKey: leafKeys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: EC,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostName }, { type: 'ip', value: address }]),
          leafKeyId,
          authorityKeyId,
        ],
      });
      return { cert: cert.toString('pem') + '\n' + caPem, key: leafKeyPem };
    },
    async writeCaFile(path) {
      await writeFile(path, caPem, { mode: 0o644 });
    },
  };
}
