/**
 * The answer file of each provisioning ISO whose real bytes the simulator has seen (an install
 * pulled from the orchestrator, or a preinstallAgentFrom artifacts folder), by the ISO's SHA-256:
 * the host model keeps only names and hashes of installed files, not their bytes.
 */
import { readRootFile } from './iso9660.ts';

const unattendBySha = new Map<string, string | null>();

/** Records what Windows Setup would find at the root of these ISO bytes. Not an ISO: nothing. */
export function rememberIso(sha256: string, bytes: Buffer): void {
  const file = readRootFile(bytes, 'unattend.xml');
  if (file !== undefined) unattendBySha.set(sha256.toLowerCase(), file === null ? null : file.toString('utf8'));
}

/**
 * The ISO's unattend.xml text; null when the ISO has none; undefined when its bytes were never
 * seen (placeholder installs of scale tests), where guests keep booting as before.
 */
export function unattendOf(sha256: string | undefined): string | null | undefined {
  return sha256 === undefined ? undefined : unattendBySha.get(sha256.toLowerCase());
}
