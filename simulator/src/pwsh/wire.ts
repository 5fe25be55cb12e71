/**
 * The JSON between the simulator and AetherV.SimBackend.psm1. JSON has no GUID, Int32, DateTime
 * or enum, and the agent's code depends on them ([guid] Id, [int] ProcessorCount, a State whose
 * ToString() is 'Running'), so such values travel tagged (`{"$t":"guid","$v":…}`) and objects carry
 * their PowerShell type names (`$type`) and the simulator's reference to them (`$ref`, hidden on
 * the PowerShell side and sent back when the object is passed to another cmdlet).
 */

export type Wire = null | string | number | boolean | Wire[] | { [key: string]: Wire };

export const guid = (v: string): Wire => ({ $t: 'guid', $v: v });
export const int = (v: number): Wire => ({ $t: 'int', $v: v });
export const int16 = (v: number): Wire => ({ $t: 'int16', $v: v });
export const uint16 = (v: number): Wire => ({ $t: 'uint16', $v: v });
export const uint32 = (v: number): Wire => ({ $t: 'uint32', $v: v });
export const long = (v: number): Wire => ({ $t: 'long', $v: v });
export const uint64 = (v: number): Wire => ({ $t: 'uint64', $v: v });
export const date = (ms: number): Wire => ({ $t: 'date', $v: new Date(ms).toISOString() });
export const timespan = (ms: number): Wire => ({ $t: 'timespan', $v: ms });
export const version = (v: string): Wire => ({ $t: 'version', $v: v });
export const strings = (v: string[]): Wire => ({ $t: 'strings', $v: v });
export const enumValue = (type: string, v: string): Wire => ({ $t: 'enum', $e: type, $v: v });

export const HV = 'Microsoft.HyperV.PowerShell';
export const VmState = (s: string): Wire => enumValue(`${HV}.VMState`, s);

/** An object whose first type name is `type` (as Get-Member shows it); `ref` identifies it to the simulator. */
export function psObject(types: string | string[], ref: string | null, props: Record<string, Wire>): Wire {
  const out: Record<string, Wire> = { $type: Array.isArray(types) ? types : [types] };
  if (ref !== null) out.$ref = ref;
  return Object.assign(out, props);
}

/** How a cmdlet's error reaches PowerShell (AetherV.SimBackend New-SimErrorRecord). */
export interface WireError {
  message: string;
  /** A System.Management.Automation.ErrorCategory name. */
  category: string;
  fqid: string;
  /** Exception kind: VirtualizationException (default), ItemNotFound, Argument, InvalidOperation, CimException, Command. */
  exception?: string;
  target?: Wire;
}

export interface CmdletAnswer {
  output: Wire[];
  errors: WireError[];
  terminating: WireError | null;
}

/** Thrown by a cmdlet implementation: becomes ThrowTerminatingError (or WriteError when `nonTerminating`). */
export class CmdletError extends Error {
  constructor(readonly wire: WireError, readonly nonTerminating = false) {
    super(wire.message);
  }
}

/** `<reason>,Microsoft.HyperV.PowerShell.Commands.GetVM`: the ids the Hyper-V module gives its errors. */
export function hvError(cmdlet: string, reason: string, category: string, message: string, exception = 'VirtualizationException'): WireError {
  return { message, category, fqid: `${reason},Microsoft.HyperV.PowerShell.Commands.${cmdlet.replace(/-/g, '')}`, exception };
}

/** A reference sent back by PowerShell: `{"$ref":"vm:<id>"}`. */
export function refOf(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { $ref?: unknown }).$ref === 'string') {
    return (value as { $ref: string }).$ref;
  }
  return undefined;
}

/** A parameter that may be one value or an array (PowerShell's [object[]] parameters). */
export function many(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
