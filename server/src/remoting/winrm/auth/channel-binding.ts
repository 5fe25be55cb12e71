/**
 * TLS channel binding for NTLM over HTTPS (Extended Protection for Authentication):
 * RFC 5929 "tls-server-end-point" — a hash of the host's certificate — inside a GSS
 * channel-bindings structure, whose MD5 the NTLMv2 response carries (MsvAvChannelBindings).
 * Hosts with CbtHardeningLevel=Strict require it; Relaxed hosts check it when present.
 */
import { createHash } from 'node:crypto';

/** DER-encoded signature algorithm OIDs whose hash is stronger than SHA-256 (RFC 5929 §4.1). */
const STRONGER_HASHES: Array<{ oid: Buffer; hash: 'sha384' | 'sha512' }> = [
  { oid: Buffer.from('06092a864886f70d01010c', 'hex'), hash: 'sha384' }, // sha384WithRSAEncryption
  { oid: Buffer.from('06092a864886f70d01010d', 'hex'), hash: 'sha512' }, // sha512WithRSAEncryption
  { oid: Buffer.from('06082a8648ce3d040303', 'hex'), hash: 'sha384' }, // ecdsa-with-SHA384
  { oid: Buffer.from('06082a8648ce3d040304', 'hex'), hash: 'sha512' }, // ecdsa-with-SHA512
];
const SHA256_OR_WEAKER = [
  Buffer.from('06092a864886f70d01010b', 'hex'), // sha256WithRSAEncryption
  Buffer.from('06092a864886f70d010105', 'hex'), // sha1WithRSAEncryption
  Buffer.from('06092a864886f70d010104', 'hex'), // md5WithRSAEncryption
  Buffer.from('06082a8648ce3d040302', 'hex'), // ecdsa-with-SHA256
  Buffer.from('06072a8648ce3d0401', 'hex'), // ecdsa-with-SHA1
];

/** The certificate hash algorithm: the one of its signature, never weaker than SHA-256. */
export function certificateHashAlgorithm(certDer: Buffer): 'sha256' | 'sha384' | 'sha512' {
  // The first signature-algorithm OID in the DER is tbsCertificate.signature.
  let best: { at: number; hash: 'sha256' | 'sha384' | 'sha512' } | undefined;
  for (const { oid, hash } of STRONGER_HASHES) {
    const at = certDer.indexOf(oid);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, hash };
  }
  for (const oid of SHA256_OR_WEAKER) {
    const at = certDer.indexOf(oid);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, hash: 'sha256' };
  }
  return best?.hash ?? 'sha256';
}

/** gss_channel_bindings_struct with empty addresses and the tls-server-end-point application data. */
export function channelBindingsStruct(certDer: Buffer): Buffer {
  const appData = Buffer.concat([Buffer.from('tls-server-end-point:', 'ascii'), createHash(certificateHashAlgorithm(certDer)).update(certDer).digest()]);
  const header = Buffer.alloc(20);
  // initiator addrtype, initiator address length, acceptor addrtype, acceptor address length: all 0.
  header.writeUInt32LE(appData.length, 16);
  return Buffer.concat([header, appData]);
}

/** The 16-byte MsvAvChannelBindings value for a host certificate. */
export function ntlmChannelBindingHash(certDer: Buffer): Buffer {
  return createHash('md5').update(channelBindingsStruct(certDer)).digest();
}
