/**
 * What a cmdlet implementation gets: the host model, the bound parameters as JSON (shim objects
 * as `{"$ref"}`), a list for non-terminating errors, and an OpContext so that the model logic of
 * host/ops/ (power transitions, their durations) can be reused as it is.
 */
import { AgentFailure } from '../../host/failure.ts';
import { findVm, type HostModel, type VmModel } from '../../host/model.ts';
import { makeSleep, type OpContext } from '../../host/ops/context.ts';
import type { SimRuntime } from '../../host/runtime.ts';
import { CmdletError, hvError, many, refOf, type Wire, type WireError } from '../wire.ts';

export interface CmdletContext {
  cmdlet: string;
  parameterSet: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bound parameters of the stub, checked by PowerShell's binder
  params: Record<string, any>;
  host: HostModel;
  rt: SimRuntime;
  installDirectory: string;
  /** Non-terminating errors (WriteError), in order. */
  errors: WireError[];
}

export type CmdletImpl = (c: CmdletContext) => Promise<Wire[]> | Wire[];

/** The agent waits for transitions itself and has its own deadline; a day bounds a runaway one. */
export function opContext(c: CmdletContext): OpContext {
  const deadline = Date.now() + 86_400_000;
  return { host: c.host, rt: c.rt, installDirectory: c.installDirectory, deadline, log: () => undefined, sleep: makeSleep(c.rt, deadline) };
}

/** PowerShell's -like for names: case-insensitive, `*` and `?`. */
export function wildcard(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

export function vmFromRef(c: CmdletContext, value: unknown): VmModel | undefined {
  const ref = refOf(value);
  const id = ref?.split(':')[1];
  return id ? findVm(c.host, id) : undefined;
}

/**
 * The VMs a cmdlet acts on: `-VM` objects, else `-VMName`/`-Name` (wildcards; a name that
 * matches nothing is a non-terminating error, as Hyper-V writes it), else every VM.
 */
export function targetVms(c: CmdletContext, names: string | undefined = c.params.VMName ?? c.params.Name): VmModel[] {
  if (c.params.VM !== undefined) {
    return many(c.params.VM).map((v) => {
      const vm = vmFromRef(c, v);
      if (!vm) throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'ObjectNotFound', 'The operation cannot be performed because the object is not in a valid state. The virtual machine no longer exists.'));
      return vm;
    });
  }
  if (names === undefined) return [...c.host.vms.values()];
  const out: VmModel[] = [];
  for (const n of many(names) as string[]) {
    const re = wildcard(n);
    const hits = [...c.host.vms.values()].filter((vm) => re.test(vm.name));
    if (hits.length === 0 && !/[*?]/.test(n)) {
      c.errors.push(hvError(c.cmdlet, 'InvalidParameter', 'ObjectNotFound', `Hyper-V was unable to find a virtual machine with name "${n}".`));
    }
    out.push(...hits);
  }
  return out;
}

export function oneVm(c: CmdletContext): VmModel {
  const vms = targetVms(c);
  const first = vms[0];
  if (!first) {
    const e = c.errors.pop();
    throw new CmdletError(e ?? hvError(c.cmdlet, 'InvalidParameter', 'ObjectNotFound', 'No virtual machine was given.'));
  }
  return first;
}

/** Hyper-V's text for the failures the shared model logic reports as AgentFailure. */
export function fromFailure(c: CmdletContext, err: unknown): CmdletError {
  if (err instanceof CmdletError) return err;
  if (!(err instanceof AgentFailure)) return new CmdletError(hvError(c.cmdlet, 'Unspecified', 'NotSpecified', err instanceof Error ? err.message : String(err)));
  const category: Record<string, string> = {
    INVALID_STATE: 'InvalidOperation',
    INSUFFICIENT_MEMORY: 'ResourceUnavailable',
    GUEST_UNAVAILABLE: 'InvalidOperation',
    VM_NOT_FOUND: 'ObjectNotFound',
    PATH_NOT_FOUND: 'ObjectNotFound',
    FILE_EXISTS: 'ResourceExists',
    FILE_IN_USE: 'ResourceBusy',
    DEADLINE_EXCEEDED: 'OperationTimeout',
  };
  const cat = category[err.code] ?? 'InvalidArgument';
  const reason = cat === 'InvalidOperation' ? 'InvalidState' : cat === 'ObjectNotFound' ? 'ObjectNotFound' : 'OperationFailed';
  return new CmdletError(hvError(c.cmdlet, reason, cat, err.message));
}

export function normalisePath(p: unknown): string {
  return String(p).replace(/\//g, '\\');
}
