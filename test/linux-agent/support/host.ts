/**
 * Plays the Hyper-V host and the orchestrator for the Linux agent tests: writes pool 0 with the
 * orchestrator's own provisioning code (server/src/provisioning) and reads the guest's answers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GUEST_ITEM, GUEST_STATE, handshakeStartItems, payloadItems, type KvpItem } from '../../../server/src/provisioning/index.ts';
import type { AgentRun, GuestRoot } from './guest-root.ts';
import { readPool, writeHostItems } from './kvp-pool.ts';

/** Polls `probe` until it returns a value, the agent exits (→ undefined) or `timeoutMs` passes (→ throws). */
export async function waitFor<T>(agent: AgentRun, probe: () => T | undefined, timeoutMs = 30_000): Promise<T | undefined> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (agent.hasExited()) return probe();
    if (Date.now() > giveUp) throw new Error('timed out waiting for the guest');
    await sleep(25);
  }
}

export interface HostPlay {
  version: string;
  config: unknown;
  /** Changes the items before they are published (to tamper with them). */
  tamper?: (items: KvpItem[]) => KvpItem[];
}

/** Runs the host's side of the handshake; returns the guest's final items once the agent has exited. */
export async function playHost(root: GuestRoot, agent: AgentRun, play: HostPlay): Promise<{ items: Map<string, string>; code: number | null; stderr: string }> {
  writeHostItems(root.pool0, handshakeStartItems(play.version));
  const pubkey = await waitFor(agent, () => {
    const guest = readPool(root.pool1);
    return guest.get(GUEST_ITEM.state) === GUEST_STATE.awaitingPayload ? guest.get(GUEST_ITEM.pubkey) : undefined;
  });
  if (pubkey !== undefined) {
    const items = payloadItems(play.config, pubkey);
    writeHostItems(root.pool0, play.tamper ? play.tamper(items) : items);
  }
  const { code, stderr } = await agent.exited;
  return { items: readPool(root.pool1), code, stderr };
}
