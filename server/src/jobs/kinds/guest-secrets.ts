/**
 * A guest configuration is stored in two halves: the job's params hold it without any password
 * (shown in the API, logs and events), the job's secrets hold the passwords only (encrypted at
 * rest; the engine redacts every secret value wherever it would appear, so nothing else — host
 * names, addresses, user names — may go there). The job joins them just before encrypting the
 * payload for the guest.
 */
import type { GuestConfig } from '../../provisioning/index.ts';

export interface GuestPasswords {
  localAdmin?: string;
  domainJoin?: string;
  /** By index in `users`. */
  users?: Record<string, string>;
}

export interface GuestSecrets {
  guestPasswords?: GuestPasswords;
}

/** Splits a (validated) configuration into its public part and its passwords. */
export function splitGuestConfig(config: GuestConfig): { config: Record<string, unknown>; passwords: GuestPasswords } {
  const copy = structuredClone(config) as GuestConfig;
  const passwords: GuestPasswords = {};
  if (copy.localAdmin) {
    passwords.localAdmin = copy.localAdmin.password;
    delete (copy.localAdmin as Partial<typeof copy.localAdmin>).password;
  }
  if (copy.domainJoin) {
    passwords.domainJoin = copy.domainJoin.password;
    delete (copy.domainJoin as Partial<typeof copy.domainJoin>).password;
  }
  copy.users?.forEach((user, i) => {
    if (user.password === undefined) return;
    (passwords.users ??= {})[String(i)] = user.password;
    delete user.password;
  });
  return { config: copy as Record<string, unknown>, passwords };
}

/** The full configuration again (what payloadItems encrypts). */
export function joinGuestConfig(config: Record<string, unknown>, passwords: GuestPasswords = {}): GuestConfig {
  const full = structuredClone(config) as unknown as GuestConfig;
  if (full.localAdmin && passwords.localAdmin !== undefined) full.localAdmin.password = passwords.localAdmin;
  if (full.domainJoin && passwords.domainJoin !== undefined) full.domainJoin.password = passwords.domainJoin;
  full.users?.forEach((user, i) => {
    const password = passwords.users?.[String(i)];
    if (password !== undefined) user.password = password;
  });
  return full;
}
