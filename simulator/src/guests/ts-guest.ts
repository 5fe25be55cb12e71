/**
 * The TypeScript guest: runs the guest side of aetherv.kvp/1 directly against the VM's KVP
 * store. Event-driven (woken by kvp.set/kvp.remove), so a waiting guest costs no timer.
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { GuestHandle } from './guest.ts';
import type { GuestEnv } from './launcher.ts';
import { GuestFailure, KEYS, openPayload, readConfig, type AppliedConfig } from './protocol.ts';
import { scaled } from '../host/runtime.ts';

const generateRsa = promisify(generateKeyPair);
type Phase = 'booting' | 'version' | 'awaiting-key' | 'generating' | 'awaiting-payload' | 'applying' | 'done';

export function startTsGuest(env: GuestEnv): GuestHandle {
  const { vm } = env;
  let phase: Phase = 'booting';
  let stopped = false;
  let privateKey: KeyObject | null = null;
  let scheduled = false;
  const timers: NodeJS.Timeout[] = [];

  const finish = (summary: string | null, applied?: AppliedConfig): void => {
    if (phase === 'done') return;
    phase = 'done';
    privateKey = null;
    for (const t of timers) clearTimeout(t);
    if (summary !== null) {
      vm.kvp.setGuest(KEYS.guestError, summary.slice(0, 200));
      vm.kvp.setGuest(KEYS.guestState, 'failed');
      return;
    }
    if (applied?.hostname) vm.guestHostname = applied.hostname;
    const nic = vm.nics[0];
    const ipv4 = applied?.ipv4 ?? nic?.ipAddresses.find((a) => a.includes('.')) ?? `10.200.${env.rt.rng.int(0, 255)}.${env.rt.rng.int(10, 250)}`;
    if (nic) nic.ipAddresses = [ipv4];
    vm.kvp.setGuest(KEYS.guestIpv4, ipv4);
    vm.kvp.setGuest(KEYS.guestState, 'applied');
  };

  const step = async (): Promise<void> => {
    scheduled = false;
    if (stopped || phase === 'done') return;
    const host = vm.kvp.hostItems();
    try {
      if (phase === 'version') {
        const hostVersion = (host.get(KEYS.hostVersion) ?? '').trim();
        if (hostVersion === '') return;
        if (hostVersion !== env.isoVersion) throw new GuestFailure(`error version-mismatch:${env.isoVersion.slice(0, 80)}!=${hostVersion.slice(0, 80)}`);
        phase = 'awaiting-key';
      }
      if (phase === 'awaiting-key') {
        if (host.get(KEYS.hostState) !== 'awaiting-key') return;
        phase = 'generating';
        let pair: { publicKey: KeyObject; privateKey: KeyObject };
        try {
          pair = await generateRsa('rsa', { modulusLength: 3072, publicExponent: 0x10001 });
        } catch {
          throw new GuestFailure('error generating:rsa-key');
        }
        if (stopped) return;
        privateKey = pair.privateKey;
        const jwk = pair.publicKey.export({ format: 'jwk' });
        vm.kvp.setGuest(KEYS.guestPubkey, JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e }));
        vm.kvp.setGuest(KEYS.guestState, 'awaiting-payload');
        phase = 'awaiting-payload';
      }
      if (phase === 'awaiting-payload' && privateKey) {
        if (vm.kvp.hostItems().get(KEYS.hostState) !== 'payload-published') return;
        const config = readConfig(openPayload(vm.kvp.hostItems(), privateKey));
        privateKey = null;
        phase = 'applying';
        vm.kvp.setGuest(KEYS.guestState, 'applying');
        finish(null, config);
      }
    } catch (err) {
      finish(err instanceof GuestFailure ? err.summary : 'error:unknown');
    }
  };

  const wake = (): void => {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(() => void step());
  };

  timers.push(setTimeout(() => {
    if (stopped) return;
    // Items of an earlier, interrupted run are cleared, then the guest announces its ISO version.
    for (const k of [KEYS.guestState, KEYS.guestPubkey, KEYS.guestError, KEYS.guestIpv4]) vm.kvp.removeGuest(k);
    vm.kvp.setGuest(KEYS.guestVersion, env.isoVersion);
    phase = 'version';
    wake();
  }, Math.max(0, env.readyAt - Date.now())));
  timers.push(setTimeout(() => {
    if (!stopped && phase !== 'done') finish(`error timeout:${phase}`);
  }, Math.max(60_000, scaled(env.rt, 3_600_000))));
  for (const t of timers) t.unref();

  return {
    info: () => ({ kind: 'typescript', phase }),
    notify: wake,
    stop() {
      stopped = true;
      privateKey = null;
      for (const t of timers) clearTimeout(t);
    },
  };
}
