/**
 * Every environment variable the orchestrator reads (DESIGN §10), as one TypeBox schema.
 * The schema is the single source for validation, for `.env.example` and for the README's
 * configuration table (a test keeps the three in agreement). `x-secret` marks values that
 * must never be printed; `x-group` orders the documentation.
 */
import Type from 'typebox';

const Port = (def: number, description: string) => Type.Integer({ minimum: 1, maximum: 65535, default: def, description });
const Bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });
const Text = (description: string, extra: Record<string, unknown> = {}) => Type.Optional(Type.String({ description, ...extra }));
const Secret = (description: string) => Text(description, { 'x-secret': true });
const OneOf = <T extends string>(values: readonly T[], def: T, description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { default: def, description, 'x-enum': values });

export const ConfigVariables = Type.Object({
  // --- server ---
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000, description: 'TCP port the HTTP server listens on (0 = any free port)' }),
  HOST: Type.String({ default: '0.0.0.0', description: 'Address the HTTP server binds' }),
  DEBUG: Bool(false, 'Verbose logs and stack traces in problem responses'),
  LOG_LEVEL: OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info', 'Log level (DEBUG=true forces debug)'),
  TRUST_PROXY: Bool(false, 'Trust X-Forwarded-* headers from a reverse proxy (TLS terminated in front)'),

  // --- sign-in ---
  OIDC_ENABLED: Type.Optional(Type.Boolean({ description: 'false = no sign-in, every caller is an administrator (laboratory only). Default true; false in the embedded laboratory when no issuer is configured' })),
  OIDC_ISSUER_URL: Text('OpenID provider issuer URL (e.g. https://login.microsoftonline.com/<tenant>/v2.0)'),
  OIDC_CLIENT_ID: Text('OIDC client (application) id'),
  OIDC_CLIENT_SECRET: Secret('OIDC client secret'),
  OIDC_REDIRECT_URI: Text('Redirect URI registered at the provider (https://<host>/auth/callback)'),
  OIDC_API_AUDIENCE: Text('Audience accepted in bearer tokens (default: the client id)'),
  OIDC_READER_ROLES: Type.String({ default: 'vm-reader', description: 'Comma-separated claim values granting the reader role' }),
  OIDC_WRITER_ROLES: Type.String({ default: 'vm-writer', description: 'Comma-separated claim values granting the writer role' }),
  OIDC_ADMIN_ROLES: Type.String({ default: 'vm-admin', description: 'Comma-separated claim values granting the admin role' }),
  ALLOW_INSECURE_LAB_AUTH: Bool(false, 'Allow OIDC_ENABLED=false in front of real HYPERV_HOSTS (never in production)'),
  API_TOKEN: Secret('Static bearer token with the admin role, for automation'),
  SESSION_SECRET: Secret('Cookie session key, at least 32 characters (required unless in the laboratory)'),
  SECRETS_KEY: Secret('Key encrypting secrets at rest, at least 32 characters (required unless in the laboratory)'),

  // --- store ---
  DATABASE_URL: Type.String({ default: 'sqlite:./data/aetherv.db', description: 'sqlite:<file> (one replica) or postgres://… (several replicas)' }),

  // --- hosts and remoting ---
  HYPERV_HOSTS: Text('Comma-separated Hyper-V host names; empty = the embedded simulated laboratory'),
  HOST_TRANSPORT: OneOf(['winrm', 'ssh'] as const, 'winrm', 'How hosts are reached'),
  WINRM_TRANSPORT: OneOf(['basic', 'ntlm', 'kerberos'] as const, 'kerberos', 'WinRM authentication (Kerberos keytab via the standard KRB5_CLIENT_KTNAME)'),
  WINRM_PORT: Port(5986, 'WinRM port: 5986 (HTTPS) or 5985 (HTTP, needs WINRM_ALLOW_UNENCRYPTED)'),
  WINRM_USERNAME: Text('WinRM user (DOMAIN\\user or user@domain) for basic/ntlm'),
  WINRM_PASSWORD: Secret('WinRM password for basic/ntlm'),
  WINRM_CA_FILE: Text('PEM file with the CA that signs the hosts\' WinRM certificates'),
  WINRM_ALLOW_UNENCRYPTED: Bool(false, 'Allow plain HTTP (5985) with basic or ntlm, like Windows\' AllowUnencrypted; laboratories only'),
  WINRM_INSECURE_SKIP_TLS_VERIFY: Bool(false, 'Do not verify host certificates (laboratories only)'),
  SSH_PORT: Port(22, 'SSH port of the hosts'),
  SSH_USERNAME: Text('SSH user'),
  SSH_PASSWORD: Secret('SSH password (password authentication keeps credential delegation)'),
  SSH_PRIVATE_KEY_FILE: Text('SSH private key file'),
  SSH_KNOWN_HOSTS: Text('OpenSSH known_hosts file used to verify host keys'),
  SSH_INSECURE_SKIP_HOST_KEY_CHECK: Bool(false, 'Do not verify SSH host keys (laboratories only)'),

  // --- inventory, limits, deployment ---
  INVENTORY_REFRESH_INTERVAL: Type.Integer({ minimum: 5, maximum: 86400, default: 60, description: 'Seconds between full inventory refreshes' }),
  REMOTE_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1024, default: 32, description: 'Host calls in flight in total' }),
  HOST_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 4, description: 'Host calls in flight per host' }),
  HOST_INSTALL_DIRECTORY: Type.String({ default: 'C:\\Program Files\\Aether-V', description: 'Where the host agent lives on each host' }),
  ARTIFACTS_BASE_PATH: Text('Folder with isos/, scripts/, version, manifest.json (default /app/artifacts in the image, ./artifacts otherwise)'),
  AGENT_DOWNLOAD_BASE_URL: Text('URL hosts use to pull artifacts (default: derived from the request URL)'),
  AGENT_DEPLOY_MODE: OneOf(['pull', 'push'] as const, 'pull', 'pull: hosts download artifacts over HTTP; push: files are sent over the remoting channel'),

  // --- jobs ---
  JOB_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1024, default: 64, description: 'Jobs executing at once per replica (a job that waits — for the guest, a host slot, a timer — does not count)' }),
  JOB_HOST_SLOTS: Type.String({ default: 'image.copy=1', description: 'Per-host limits of named job resources, e.g. image.copy=1,vm.create=4 (unnamed resources: 1 per host)' }),
  JOB_STEP_DEADLINE_SECONDS: Type.Integer({ minimum: 10, maximum: 86400, default: 3600, description: 'Default deadline of one job step (an image copy of a large golden image must fit)' }),
  JOB_ABORT_GRACE_SECONDS: Type.Integer({ minimum: 0, maximum: 600, default: 5, description: 'After a cancel or a step deadline, how long the running step may take to stop before its rollback runs' }),
  JOB_LEASE_SECONDS: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: 'PostgreSQL: how long a replica\'s claim on a job lasts without a heartbeat before another replica takes the job over' }),
  GUEST_KEY_TIMEOUT_SECONDS: Type.Integer({ minimum: 30, maximum: 86400, default: 1800, description: 'How long provisioning waits for a new guest to boot and publish its key over KVP' }),
  GUEST_APPLY_TIMEOUT_SECONDS: Type.Integer({ minimum: 30, maximum: 86400, default: 3600, description: 'How long provisioning waits for the guest to apply its configuration (domain join, updates, reboots)' }),
  KVP_POLL_SECONDS: Type.Integer({ minimum: 1, maximum: 300, default: 5, description: 'How often KVP is polled while waiting for a guest' }),
});

export type ConfigVariableName = keyof typeof ConfigVariables.properties;
export const CONFIG_VARIABLE_NAMES = Object.keys(ConfigVariables.properties) as ConfigVariableName[];

/** The JSON Schema of one variable (description, default, `x-secret`, `x-enum`…). */
export function variableSchema(name: string): Record<string, unknown> | undefined {
  return (ConfigVariables.properties as unknown as Record<string, Record<string, unknown>>)[name];
}

export function isSecretVariable(name: string): boolean {
  return variableSchema(name)?.['x-secret'] === true;
}
