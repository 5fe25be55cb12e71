/** What one doctor step found, and how the doctor prints it (one line per step, or JSON). */
export type StepStatus = 'pass' | 'fail' | 'skip';

export interface StepResult {
  name: string;
  status: StepStatus;
  detail: string;
  /** What to do about a failure. */
  hint?: string;
  ms: number;
}

export const pass = (name: string, detail: string): Omit<StepResult, 'ms'> => ({ name, status: 'pass', detail });
export const fail = (name: string, detail: string, hint: string): Omit<StepResult, 'ms'> => ({ name, status: 'fail', detail, hint });
export const skip = (name: string, detail: string): Omit<StepResult, 'ms'> => ({ name, status: 'skip', detail });

const SYMBOL: Record<StepStatus, string> = { pass: '✔', fail: '✖', skip: '–' };

export function formatStep(step: StepResult): string {
  const hint = step.status === 'fail' && step.hint ? ` — fix: ${step.hint}` : '';
  return `${SYMBOL[step.status]} ${step.name}: ${step.detail}${hint}`;
}

export interface DoctorReport {
  host: string;
  transport: 'winrm' | 'ssh';
  ok: boolean;
  steps: StepResult[];
}
