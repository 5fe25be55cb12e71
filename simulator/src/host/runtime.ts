/** Fleet-wide settings and services every host shares: clock scaling, PRNG, op log, guest choice. */
import type { OpLogEntry } from '../contracts.ts';
import type { Rng } from './rng.ts';

export type GuestMode = 'auto' | 'typescript' | 'linux-agent';

export interface SimRuntime {
  /** Multiplies every simulated duration: 1 = realistic, 0.01 = a hundred times faster, 0 = instant. */
  timeScale: number;
  rng: Rng;
  guestMode: GuestMode;
  /** Path of Linux/aetherv-guest-agent (used when present and guestMode allows it). */
  linuxAgentPath: string;
  /** Where per-VM guest roots are created. */
  tempRoot: string;
  oplog: OpLogEntry[];
  nextSeq: number;
}

/** Simulated durations in milliseconds at timeScale 1 (what Windows Server 2022 roughly takes). */
export const DURATIONS = {
  start: 4_000,
  startFromSaved: 2_500,
  guestBoot: 20_000,
  shutdown: 10_000,
  turnOff: 800,
  save: 4_000,
  pause: 400,
  resume: 400,
  reset: 1_500,
  fullCopyPerGiB: 600,
  differencingCopy: 300,
  createVm: 700,
  newVhdPerGiBFixed: 250,
  small: 150,
} as const;

export function scaled(rt: SimRuntime, simMs: number): number {
  return Math.max(0, Math.round(simMs * rt.timeScale));
}
