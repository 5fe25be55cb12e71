/**
 * The built-in Administrator password Windows Server's OOBE needs to run unattended
 * (Microsoft-Windows-Shell-Setup UserAccounts/AdministratorPassword). `Windows/unattend.xml`
 * holds only a token; the build puts in a value derived from everything else on the ISO, so the
 * ISO stays reproducible (equal inputs, equal bytes) and no fixed password is in the repository
 * or shared by two builds. It is not a secret: whoever can read the ISO can read it. It is a
 * throw-away: SetupComplete.cmd, which Windows runs after OOBE and before the logon screen,
 * replaces it with a random password that is never stored (docs/provisioning.md).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { SourceFile } from './sources.ts';

export const THROWAWAY_TOKEN = 'AETHERV-THROWAWAY-PASSWORD';
const UNATTEND = 'unattend.xml';

/** 32 characters with upper case, lower case, a digit and a symbol, so any complexity policy takes it. */
export function throwawayPassword(files: readonly SourceFile[]): string {
  const hash = createHash('sha256').update('aetherv unattend throw-away password\0');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${file.path}\0${file.data.length}\0`).update(file.data);
  }
  return `Av1-${hash.digest('base64url').slice(0, 28)}`;
}

/** The ISO's files with the token in unattend.xml replaced; the token must be there exactly once. */
export function withThrowawayPassword(files: readonly SourceFile[]): SourceFile[] {
  const unattend = files.find((f) => f.path.toLowerCase() === UNATTEND);
  if (!unattend) return [...files];
  const text = unattend.data.toString('utf8');
  const count = text.split(THROWAWAY_TOKEN).length - 1;
  if (count === 0) return [...files];
  if (count !== 1) throw new AppError('ARTIFACT_BUILD', `Windows/${UNATTEND} holds ${THROWAWAY_TOKEN} ${count} times; it must appear once (UserAccounts/AdministratorPassword)`);
  const password = throwawayPassword(files);
  const data = Buffer.from(text.replace(THROWAWAY_TOKEN, password), 'utf8');
  return files.map((f) => (f === unattend ? { path: f.path, data } : f));
}
