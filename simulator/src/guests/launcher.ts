/**
 * Starts the guest of a VM booted with a provisioning ISO: the real Linux agent
 * (Linux/aetherv-guest-agent) as a child process when it can run here, else the TypeScript guest.
 */
import { existsSync } from 'node:fs';
import type { GuestHandle } from './guest.ts';
import type { HostModel, OsFamily, VmModel } from '../host/model.ts';
import type { SimRuntime } from '../host/runtime.ts';
import { startTsGuest } from './ts-guest.ts';
import { startLinuxAgentGuest } from './linux-agent-guest.ts';
import { PYTHON } from './pool-file.ts';
import { oobeStopsAt } from './oobe.ts';

export interface GuestEnv {
  host: HostModel;
  vm: VmModel;
  rt: SimRuntime;
  /** The version file on the attached ISO. */
  isoVersion: string;
  family: OsFamily;
  /** Real-clock ms when the guest OS has booted far enough to run its agent. */
  readyAt: number;
  /** unattend.xml of the ISO (null: none on it); undefined when the ISO's bytes are unknown. */
  unattend?: string | null | undefined;
}

/** Why the real Linux agent cannot run here, or null when it can. */
export function linuxAgentUnavailable(rt: SimRuntime): string | null {
  if (!existsSync(rt.linuxAgentPath)) return `${rt.linuxAgentPath} does not exist`;
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  if (!existsSync('/usr/bin/openssl')) return '/usr/bin/openssl is missing';
  return null;
}

export function launchGuest(env: GuestEnv): GuestHandle {
  if (env.family === 'windows' && env.unattend !== undefined) {
    const page = env.unattend === null ? 'no-answer-file' : oobeStopsAt(env.unattend);
    if (page !== null) return oobeStoppedGuest(page);
  }
  const wantsAgent = env.family === 'linux' && env.rt.guestMode !== 'typescript';
  if (wantsAgent) {
    const why = linuxAgentUnavailable(env.rt);
    if (why === null) return startLinuxAgentGuest(env);
    if (env.rt.guestMode === 'linux-agent') throw new Error(`guestMode linux-agent: ${why}`);
  }
  return startTsGuest(env);
}

/**
 * Windows waiting on an OOBE page for someone at the console: the agent (started only after
 * OOBE) never runs, so nothing appears in KVP and provisioning times out, as on real hardware.
 */
function oobeStoppedGuest(page: string): GuestHandle {
  return { info: () => ({ kind: 'windows-oobe', phase: `oobe:${page}` }), notify: () => undefined, stop: () => undefined };
}
