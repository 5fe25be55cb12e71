/**
 * What the guest has reported so far, read from its KVP items (`kvp.get` on the host). The job
 * engine polls this until `state` is `applied` (then waits for `ipv4` if it wants an address) or
 * `failed` (then `error` says why). Values the guest wrote are untrusted: anything malformed is
 * reported as absent rather than passed on.
 */
import { isIPv4 } from 'node:net';
import { GUEST_ERROR_MAX_CHARS, GUEST_ITEM, isGuestState, parseGuestError, type GuestError, type GuestState } from './kvp-protocol.ts';

export interface GuestReport {
  state?: GuestState;
  /** The JWK text, unparsed (parseGuestPublicKey checks it). */
  pubkey?: string;
  /** `summary` is the raw `aetherv.guest.error` (≤ 200 printable characters), safe to show and log. */
  error?: GuestError & { summary: string };
  version?: string;
  ipv4?: string;
}

function printable(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  return text !== '' && text.length <= max && ![...text].some((c) => c < ' ' || c === '\u007f') ? text : undefined;
}

export function readGuestReport(items: ReadonlyMap<string, string> | Readonly<Record<string, string>>): GuestReport {
  const get = (name: string): string | undefined => (items instanceof Map ? items.get(name) : (items as Record<string, string>)[name]);
  const report: GuestReport = {};
  const state = get(GUEST_ITEM.state)?.trim();
  if (state !== undefined && isGuestState(state)) report.state = state;
  const pubkey = printable(get(GUEST_ITEM.pubkey), 4096);
  if (pubkey !== undefined) report.pubkey = pubkey;
  const summary = printable(get(GUEST_ITEM.error), GUEST_ERROR_MAX_CHARS);
  const parsed = summary === undefined ? undefined : parseGuestError(summary);
  if (summary !== undefined) report.error = { ...(parsed ?? { stage: 'unknown', detail: '' }), summary };
  const version = printable(get(GUEST_ITEM.version), 128);
  if (version !== undefined) report.version = version;
  const ipv4 = get(GUEST_ITEM.ipv4)?.trim();
  if (ipv4 !== undefined && isIPv4(ipv4)) report.ipv4 = ipv4;
  return report;
}
