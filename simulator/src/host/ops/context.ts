/** What an agent operation gets to work with, and the lookups most operations share. */
import { AgentFailure } from '../failure.ts';
import { findVm, type HostModel, type VmModel } from '../model.ts';
import { scaled, type SimRuntime } from '../runtime.ts';

export type LogLevel = 'info' | 'warn' | 'error';

export interface OpContext {
  host: HostModel;
  rt: SimRuntime;
  installDirectory: string;
  /** Absolute ms (real clock) after which the operation must give up with DEADLINE_EXCEEDED. */
  deadline: number;
  log(level: LogLevel, message: string): void;
  /** Waits a simulated duration (scaled by timeScale); fails with DEADLINE_EXCEEDED past the deadline. */
  sleep(simMs: number): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- params were validated against the schema before dispatch
export type OpParams = any;
export type OpHandler = (ctx: OpContext, params: OpParams) => Promise<Record<string, unknown>>;

export function requireVm(ctx: OpContext, vmId: string): VmModel {
  const vm = findVm(ctx.host, vmId);
  if (!vm) throw new AgentFailure('VM_NOT_FOUND', `Hyper-V was unable to find a virtual machine with id "${vmId}".`, { vmId });
  return vm;
}

export function makeSleep(rt: SimRuntime, deadline: number): (simMs: number) => Promise<void> {
  return async (simMs) => {
    const ms = scaled(rt, simMs);
    if (ms === 0) return;
    const remaining = deadline - Date.now();
    if (ms > remaining) {
      await new Promise((r) => setTimeout(r, Math.max(0, remaining)));
      throw new AgentFailure('DEADLINE_EXCEEDED', 'The operation did not complete within deadlineSeconds.');
    }
    await new Promise((r) => setTimeout(r, ms));
  };
}
