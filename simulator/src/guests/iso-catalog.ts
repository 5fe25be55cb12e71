/**
 * The answer file of each provisioning ISO whose real bytes the simulator has seen (an install
 * pulled from the orchestrator, or a preinstallAgentFrom artifacts folder), by the ISO's SHA-256:
 * the host model keeps only names and hashes of installed files, not their bytes.
 */
import { readFileSync } from 'node:fs';
import { readRootFile } from './iso9660.ts';

const unattendBySha = new Map<string, string | null>();

/** Records what Windows Setup would find at the root of these ISO bytes. Not an ISO: nothing. */
export function rememberIso(sha256: string, bytes: Buffer): void {
  const unattend = unattendIn(bytes);
  if (unattend !== undefined) unattendBySha.set(sha256.toLowerCase(), unattend);
}

/**
 * The ISO's unattend.xml text; null when the ISO has none; undefined when its bytes were never
 * seen (placeholder installs of scale tests), where guests keep booting as before.
 */
export function unattendOf(sha256: string | undefined): string | null | undefined {
  return sha256 === undefined ? undefined : unattendBySha.get(sha256.toLowerCase());
}

/** The same for a real ISO file (powershell agent mode); undefined when it is not an ISO or unreadable. */
export function unattendOfFile(path: string): string | null | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  return unattendIn(bytes);
}

function unattendIn(bytes: Buffer): string | null | undefined {
  const file = readRootFile(bytes, 'unattend.xml');
  return file === undefined ? undefined : file === null ? null : file.toString('utf8');
}
