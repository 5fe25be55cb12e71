/**
 * What the VM job kinds share: agent call options derived from the step context, live reads
 * of one VM or of a host's VMs (the host, not the cached inventory, is the truth a step
 * compares against), and the job marker that lets a re-run step recognise its own work.
 */
import { AppError, isAppError } from '../../errors.ts';
import type { AgentCallOptions } from '../../agent/client.ts';
import type { Vm } from '../../agent/types.generated.ts';
import type { JobStep, StepContext } from '../kind.ts';

/** Params every job on an existing VM carries: where it is and which one. */
export interface VmTarget {
  host: string;
  vmId: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kinds have their own params/secrets types
export type AnyContext = StepContext<any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shared steps serve kinds with different params
export type AnyStep = JobStep<any, any>;

/**
 * Host work that must not be abandoned half-way (a disk being copied or created: aborting the
 * call would not stop the host, and the file would appear after the rollback removed the VM
 * folder). It runs without the abort signal; the job's cancel takes effect once it ends, and a
 * rollback of the same job first waits for it (`settled`).
 */
const inFlight = new Map<string, Set<Promise<unknown>>>();

export async function hostWork<T>(ctx: AnyContext, work: () => Promise<T>): Promise<T> {
  const running = work();
  const set = inFlight.get(ctx.job.id) ?? new Set();
  inFlight.set(ctx.job.id, set);
  set.add(running);
  try {
    const result = await running;
    ctx.signal.throwIfAborted();
    return result;
  } finally {
    set.delete(running);
    if (set.size === 0) inFlight.delete(ctx.job.id);
  }
}

/** Resolves once no host work of this job is running (used before a rollback removes files). */
export async function settled(jobId: string): Promise<void> {
  const set = inFlight.get(jobId);
  if (set) await Promise.allSettled([...set]);
}

/** Agent call options of a step: cancellation, correlation, and an agent deadline inside the step's. */
export function callOptions(ctx: AnyContext, extra: AgentCallOptions = {}): AgentCallOptions {
  return { signal: ctx.signal, correlationId: ctx.job.correlationId, deadlineSeconds: ctx.services.settings.stepDeadlineSeconds, ...extra };
}

/** Options for rollbacks and host work that must finish even after a cancel: no abort signal. */
export function uncancellable(ctx: AnyContext, deadlineSeconds?: number): AgentCallOptions {
  return { correlationId: ctx.job.correlationId, deadlineSeconds: deadlineSeconds ?? ctx.services.settings.stepDeadlineSeconds };
}

/** The VM as its host reports it now, or undefined when the host does not have it. */
export async function observeVm(ctx: AnyContext, host: string, vmId: string): Promise<Vm | undefined> {
  const result = await ctx.services.agent.inventoryCollect(host, { vmIds: [vmId] }, callOptions(ctx));
  return result.vms.find((v) => v.vmId.toLowerCase() === vmId.toLowerCase());
}

/** As observeVm, but a missing VM fails the job. */
export async function requireVm(ctx: AnyContext, host: string, vmId: string): Promise<Vm> {
  const vm = await observeVm(ctx, host, vmId);
  if (!vm) throw new AppError('NOT_FOUND', `VM ${vmId} no longer exists on ${host}`, { details: { host, vmId } });
  return vm;
}

/** Every VM of a host, asked of the host. */
export async function hostVms(ctx: AnyContext, host: string): Promise<Vm[]> {
  return (await ctx.services.agent.inventoryCollect(host, {}, callOptions(ctx))).vms;
}

/** Marker put in a VM's notes while a job creates it: how a re-run step knows the VM is its own. */
export function jobMarker(jobId: string): string {
  return `aetherv-job:${jobId}`;
}

export function carriesMarker(vm: Pick<Vm, 'notes'>, jobId: string): boolean {
  return vm.notes.includes(jobMarker(jobId));
}

/** True when an agent call failed with this host agent error code. */
export function agentCode(error: unknown, code: string): boolean {
  return isAppError(error) && error.details.agentCode === code;
}

/** Re-reads the VM into the inventory after a change; a failure here never fails the job. */
export async function refreshVm(ctx: AnyContext, host: string, vmId: string): Promise<void> {
  try {
    await ctx.services.inventory.refreshVms(host, [vmId], ctx.job.correlationId);
  } catch (error) {
    ctx.log('warn', `inventory refresh of ${vmId} on ${host} failed: ${(error as Error).message}`);
  }
}

/** The agent install must be this build's before a job changes anything on a host. */
export async function ensureAgent(ctx: AnyContext, host: string): Promise<void> {
  const status = await ctx.services.deployment.ensureCurrent(host, { correlationId: ctx.job.correlationId });
  if (status.state !== 'current') {
    throw new AppError('AGENT_OPERATION_FAILED', `the host agent on ${host} is not current: ${status.reason ?? status.state}`, { details: { host } });
  }
}

/** Hyper-V names compare case-insensitively. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The folder holding a VM's files (its configuration location). */
export function vmFolder(vm: Pick<Vm, 'configurationPath'>): string {
  return vm.configurationPath.replace(/\\+$/, '');
}

export function target(ctx: StepContext<VmTarget, unknown>): VmTarget {
  return { host: ctx.job.params.host, vmId: ctx.job.params.vmId };
}

/** First step of every job on an existing VM: this build's agent on its host. */
export const ensureAgentStep: AnyStep = {
  name: 'ensure-agent',
  async run(ctx) {
    await ensureAgent(ctx, (ctx.job.params as VmTarget).host);
    return {};
  },
};

/** Last step of every job on an existing VM: the inventory re-reads that VM only. */
export const refreshStep: AnyStep = {
  name: 'refresh',
  async run(ctx) {
    const { host, vmId } = ctx.job.params as VmTarget;
    await refreshVm(ctx, host, vmId);
    return {};
  },
};

/** The hosts a VM name must be unique on: the host, or every connected node of its cluster. */
export function nameScope(ctx: AnyContext, host: string): string[] {
  const record = ctx.services.inventory.host(host);
  const cluster = record?.cluster ?? null;
  if (!cluster) return [host];
  return ctx.services.inventory.snapshot().hosts.filter((h) => h.cluster !== null && sameName(h.cluster, cluster) && (h.connected || h.name === host)).map((h) => h.name);
}

/** Fails with VM_NAME_TAKEN when another VM (not `self`) has this name on the host or its cluster. */
export async function assertNameFree(ctx: AnyContext, host: string, name: string, self?: (vm: Vm) => boolean): Promise<void> {
  for (const h of nameScope(ctx, host)) {
    const clash = (await hostVms(ctx, h)).find((vm) => sameName(vm.name, name) && !(self?.(vm) ?? false));
    if (clash) throw new AppError('VM_NAME_TAKEN', `a VM named ${name} already exists on ${h}`, { details: { host: h, vmId: clash.vmId } });
  }
}
