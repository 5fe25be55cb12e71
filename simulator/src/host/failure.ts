/**
 * An agent error as the PowerShell agent reports it: a code from Schemas/agent/error-codes.json
 * (retryable comes from there, never decided ad hoc) plus non-secret details.
 */
import { schemas } from './schemas.ts';

export class AgentFailure extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    if (!schemas().errorCodes[code]) throw new Error(`unknown agent error code ${code}`);
    this.code = code;
    this.details = details;
  }

  get retryable(): boolean {
    return schemas().errorCodes[this.code]?.retryable ?? false;
  }

  toJSON(): { code: string; message: string; retryable: boolean; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, retryable: this.retryable, ...(this.details ? { details: this.details } : {}) };
  }
}

export function invalidState(what: string, currentState: string): AgentFailure {
  return new AgentFailure('INVALID_STATE', `${what}: the virtual machine is ${currentState}.`, { currentState });
}
