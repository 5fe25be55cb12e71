/**
 * The one catalogue of this service's error codes (as Fastify's lib/errors.js).
 * Every error the orchestrator raises is an AppError with a code from this table; the HTTP
 * layer maps it once to an application/problem+json response. Callers match on `code`,
 * never on message text. Add new codes here (append to the right group); do not invent
 * ad-hoc strings elsewhere.
 */
export interface ErrorSpec {
  /** HTTP status when this error reaches an API caller. */
  status: number;
  /** Short human title (the problem's `title`). */
  title: string;
  /** Whether retrying the same operation may succeed. */
  retryable: boolean;
}

export const ERRORS = {
  // --- generic / HTTP ---
  NOT_FOUND: { status: 404, title: 'Not found', retryable: false },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', retryable: false },
  VALIDATION_FAILED: { status: 400, title: 'Request validation failed', retryable: false },
  BAD_REQUEST: { status: 400, title: 'Bad request', retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', retryable: false },
  CONFLICT: { status: 409, title: 'Conflict', retryable: false },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required', retryable: false },
  FORBIDDEN: { status: 403, title: 'Forbidden', retryable: false },
  RATE_LIMITED: { status: 429, title: 'Too many requests', retryable: true },
  NOT_READY: { status: 503, title: 'Service not ready', retryable: true },
  INTERNAL: { status: 500, title: 'Internal server error', retryable: false },

  // --- configuration / store ---
  CONFIG_INVALID: { status: 503, title: 'Configuration invalid', retryable: false },
  STORE_UNAVAILABLE: { status: 503, title: 'Store unavailable', retryable: true },

  // --- remoting (reaching a host) ---
  REMOTE_DNS: { status: 502, title: 'Host name does not resolve', retryable: true },
  REMOTE_CONNECT: { status: 502, title: 'Cannot connect to host', retryable: true },
  REMOTE_CONNECTION_DROPPED: { status: 502, title: 'Connection to host dropped', retryable: true },
  REMOTE_TLS: { status: 502, title: 'TLS verification failed', retryable: false },
  REMOTE_AUTH: { status: 502, title: 'Host rejected our credentials', retryable: false },
  REMOTE_ACCESS_DENIED: { status: 502, title: 'Access denied on host', retryable: false },
  REMOTE_SHELL_QUOTA: { status: 503, title: 'Host shell quota exceeded', retryable: true },
  REMOTE_SHELL_GONE: { status: 502, title: 'Remote shell no longer exists', retryable: true },
  REMOTE_TIMEOUT: { status: 504, title: 'Host call timed out', retryable: true },
  REMOTE_FAULT: { status: 502, title: 'Host returned a WS-Management fault', retryable: false },
  REMOTE_PROTOCOL: { status: 502, title: 'Unexpected response from host', retryable: false },
  REMOTE_HOST_KEY: { status: 502, title: 'SSH host key not trusted', retryable: false },
  REMOTE_CIRCUIT_OPEN: { status: 503, title: 'Host temporarily unavailable (circuit open)', retryable: true },
  REMOTE_CANCELLED: { status: 499, title: 'Host call cancelled', retryable: false },

  // --- host agent protocol (aetherv.agent/1) ---
  AGENT_TRANSPORT: { status: 502, title: 'Host agent produced no valid result', retryable: true },
  AGENT_DEADLINE: { status: 504, title: 'Host agent deadline exceeded', retryable: true },
  AGENT_OPERATION_FAILED: { status: 502, title: 'Host agent operation failed', retryable: false },

  // --- guest provisioning (aetherv.kvp/1) ---
  GUEST_CONFIG_INVALID: { status: 400, title: 'Guest configuration invalid', retryable: false },
  GUEST_PAYLOAD_TOO_LARGE: { status: 400, title: 'Guest configuration too large for KVP', retryable: false },
  GUEST_KEY_INVALID: { status: 502, title: 'Guest published an unusable public key', retryable: false },
  GUEST_PROVISIONING_FAILED: { status: 502, title: 'Guest reported that its configuration failed', retryable: false },
  GUEST_TIMEOUT: { status: 504, title: 'Guest did not answer in time', retryable: false },

  // --- VM lifecycle jobs ---
  VM_NAME_TAKEN: { status: 409, title: 'VM name already in use', retryable: false },
  VM_STATE_CONFLICT: { status: 409, title: 'Not possible in the VM\'s current state', retryable: false },
  PLACEMENT_FAILED: { status: 409, title: 'No host can take this VM', retryable: false },

  // --- jobs ---
  JOB_KIND_UNKNOWN: { status: 400, title: 'Unknown job kind', retryable: false },
  JOB_STEP_DEADLINE: { status: 504, title: 'Job step deadline exceeded', retryable: true },
  JOB_CANCELLED: { status: 409, title: 'Job cancelled', retryable: false },
  JOB_SECRETS_UNREADABLE: { status: 500, title: 'Job secrets cannot be decrypted', retryable: false },
  JOB_STEP_FAILED: { status: 500, title: 'Job step failed', retryable: false },

  // --- artifacts (host scripts, provisioning ISOs, manifest) ---
  ARTIFACT_BUILD: { status: 500, title: 'Artifact build failed', retryable: false },
  ARTIFACTS_UNAVAILABLE: { status: 503, title: 'Artifacts are not built or unreadable', retryable: true },
  ARTIFACT_MISMATCH: { status: 500, title: 'Artifact does not match its manifest', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  /** Extra, non-secret fields for the problem document (e.g. `host`, `agentCode`). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.retryable = options.retryable ?? ERRORS[code].retryable;
    this.details = options.details ?? {};
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
