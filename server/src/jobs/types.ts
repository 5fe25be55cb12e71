/** The job as the API, the bus and the CLI see it (issue 7 contract: `{id, kind, state, steps, result, error, …}`). */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'rolled-back';
export const FINISHED_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export interface JobError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface JobStepView {
  index: number;
  name: string;
  state: StepState;
  startedAt: string | null;
  finishedAt: string | null;
  output: unknown;
  error: JobError | null;
}

export interface JobSummary {
  id: string;
  kind: string;
  state: JobState;
  host: string | null;
  vmId: string | null;
  requestedBy: string;
  correlationId: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  currentStep: string | null;
  cancelRequested: boolean;
  error: JobError | null;
}

export interface JobView extends JobSummary {
  params: Record<string, unknown>;
  /** Whether the job carries encrypted secrets (their values are never shown). */
  hasSecrets: boolean;
  steps: JobStepView[];
  result: unknown;
}

export interface JobEventView {
  seq: number;
  time: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  step: string | null;
}

export interface JobSubmission {
  kind: string;
  params: Record<string, unknown>;
  /** Encrypted at rest, decrypted only in memory for `ctx.secrets`. */
  secrets?: Record<string, unknown>;
  requestedBy: string;
  correlationId: string;
  idempotencyKey?: string;
  host?: string;
  vmId?: string;
}

export interface JobListFilter {
  state?: JobState;
  kind?: string;
  host?: string;
  vmId?: string;
}

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.includes(state);
}
