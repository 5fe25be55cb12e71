/** Orchestrator side of guest provisioning over KVP (`aetherv.kvp/1`, DESIGN §5). */
export * from './kvp-protocol.ts';
export { checkGuestConfig, assertGuestConfig, type GuestConfig, type GuestUser, type GuestConfigCheck } from './guest-config.ts';
export { parseGuestPublicKey, MIN_MODULUS_BITS, MAX_MODULUS_BITS } from './guest-key.ts';
export { sealPayload, chunkBlob, KEY_BYTES, IV_BYTES, MAC_BYTES, type SealedPayload, type SealRandomness } from './payload-seal.ts';
export { handshakeStartItems, payloadItems, type KvpItem } from './publication.ts';
export { readGuestReport, type GuestReport } from './guest-report.ts';
