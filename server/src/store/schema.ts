/**
 * Table types of the store, for Kysely. Each issue that needs durable state adds its tables
 * here and a migration in ./migrations/ (one set for SQLite and PostgreSQL).
 */
export interface StoreInfoTable {
  key: string;
  value: string;
}

export interface NotificationTable {
  id: string;
  dedupe_key: string | null;
  level: 'info' | 'warning' | 'error';
  category: string;
  title: string;
  message: string;
  resource_type: string | null;
  resource_id: string | null;
  occurrences: number;
  created_at: string;
  updated_at: string;
}

export interface NotificationReadTable {
  notification_id: string;
  subject: string;
  read_at: string;
}

export interface JobTable {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  host: string | null;
  vm_id: string | null;
  /** JSON, never secrets. */
  params: string;
  /** AES-256-GCM ciphertext of the job's secrets (jobs/secrets.ts), or null. */
  secrets: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  requested_by: string;
  correlation_id: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: string | null;
  /** JSON {code, message, details}. */
  error: string | null;
  cancel_requested: number;
  cancelled_by: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  current_step: string | null;
  attempts: number;
}

export interface JobStepTable {
  job_id: string;
  index: number;
  name: string;
  state: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'rolled-back';
  started_at: string | null;
  finished_at: string | null;
  output: string | null;
  error: string | null;
}

export interface JobEventTable {
  job_id: string;
  seq: number;
  time: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  step: string | null;
}

export interface JobRollbackTable {
  job_id: string;
  seq: number;
  name: string;
  step_index: number | null;
  data: string;
  done: number;
}

/** A per-host slot taken by a job on one replica (shared limits across replicas). */
export interface JobSlotTable {
  resource: string;
  /** Lower-cased host (or cluster) name. */
  host: string;
  /** 0 .. capacity-1. */
  slot: number;
  job_id: string;
  /** The replica holding it (its engine's replicaId). */
  owner: string;
  lease_expires_at: string;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  role: 'reader' | 'writer' | 'admin';
  /** SHA-256 (hex) of the secret part; the secret itself is never stored. */
  secret_hash: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  last_used_at: string | null;
}

export interface AuditRecordTable {
  id: string;
  at: string;
  subject: string | null;
  name: string | null;
  token_name: string | null;
  via: string | null;
  method: string;
  route: string;
  /** JSON of the route parameters (ids), never a body. */
  target: string | null;
  ip: string | null;
  status: number;
  outcome: 'success' | 'failure' | 'denied' | 'unauthenticated' | 'sign-in-failed';
  job_id: string | null;
  correlation_id: string | null;
  detail: string | null;
}

export interface Database {
  store_info: StoreInfoTable;
  notifications: NotificationTable;
  notification_reads: NotificationReadTable;
  jobs: JobTable;
  job_steps: JobStepTable;
  job_events: JobEventTable;
  job_rollbacks: JobRollbackTable;
  job_slots: JobSlotTable;
  api_tokens: ApiTokenTable;
  audit_records: AuditRecordTable;
  relayed_events: RelayedEventTable;
}

/** Event payloads too large for NOTIFY, parked for the other replicas. */
export interface RelayedEventTable {
  id: string;
  payload: string;
  created_at: string;
}
