/**
 * Turns the environment into a typed configuration plus a report of every problem.
 * Never throws for bad values: the server still starts and explains itself (DESIGN §10).
 */
import { resolve } from 'node:path';
import Value from 'typebox/value';
import { ConfigVariables, CONFIG_VARIABLE_NAMES, variableSchema, type ConfigVariableName } from './variables.ts';
import type { ConfigProblem, ConfigReport } from './report.ts';
import type { RemotingSettings } from '../remoting/settings.ts';
import { DEFAULT_WINRM } from '../remoting/settings.ts';
import { checkConsistency } from './consistency.ts';

export interface AppConfig {
  server: { port: number; host: string; debug: boolean; logLevel: string; trustProxy: boolean };
  auth: {
    oidcEnabled: boolean;
    issuerUrl?: string;
    clientId?: string;
    clientSecret?: string;
    redirectUri?: string;
    apiAudience?: string;
    roleClaims: { reader: string[]; writer: string[]; admin: string[] };
    allowInsecureLabAuth: boolean;
    apiToken?: string;
    sessionSecret?: string;
    secretsKey?: string;
  };
  database: { url: string };
  /** Real hosts; empty means the embedded simulated laboratory. */
  hosts: string[];
  laboratory: boolean;
  remoting: RemotingSettings;
  inventory: { refreshIntervalSeconds: number };
  limits: { remoteConcurrency: number; hostConcurrency: number };
  /** The job engine and the job kinds' waits (seconds). */
  jobs: { concurrency: number; hostSlots: string; leaseSeconds: number; abortGraceSeconds: number; stepDeadlineSeconds: number; guestKeyTimeoutSeconds: number; guestApplyTimeoutSeconds: number; kvpPollSeconds: number };
  agent: { installDirectory: string; artifactsPath: string; downloadBaseUrl?: string; deployMode: 'pull' | 'push' };
}

export interface LoadedConfig {
  config: AppConfig;
  report: ConfigReport;
}

type Raw = { [K in ConfigVariableName]?: unknown };

const list = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { inContainer?: boolean } = {}): LoadedConfig {
  const raw: Raw = {};
  for (const name of CONFIG_VARIABLE_NAMES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  const errors: ConfigProblem[] = [];
  const converted = Value.Default(ConfigVariables, Value.Convert(ConfigVariables, structuredClone(raw))) as Record<string, unknown>;
  const invalid = new Set<string>();
  for (const error of Value.Errors(ConfigVariables, converted)) {
    const name = error.instancePath.replace(/^\//, '').split('/')[0] ?? '';
    if (!name || invalid.has(name)) continue;
    invalid.add(name);
    errors.push(describeInvalid(name, raw[name as ConfigVariableName]));
  }
  // Fall back to defaults for invalid values, so the rest of the configuration is usable.
  const defaults = Value.Default(ConfigVariables, {}) as Record<string, unknown>;
  for (const name of invalid) converted[name] = defaults[name];
  const v = converted as Record<ConfigVariableName, never>;

  const hosts = list(v.HYPERV_HOSTS);
  const laboratory = hosts.length === 0;
  const issuer = v.OIDC_ISSUER_URL as string | undefined;
  const oidcEnabled = (v.OIDC_ENABLED as boolean | undefined) ?? !(laboratory && !issuer);
  const port = v.WINRM_PORT as number;
  const defaultArtifacts = options.inContainer ? '/app/artifacts' : './artifacts';

  const config: AppConfig = {
    server: { port: v.PORT, host: v.HOST, debug: v.DEBUG, logLevel: v.DEBUG ? 'debug' : v.LOG_LEVEL, trustProxy: v.TRUST_PROXY },
    auth: {
      oidcEnabled,
      issuerUrl: issuer,
      clientId: v.OIDC_CLIENT_ID,
      clientSecret: v.OIDC_CLIENT_SECRET,
      redirectUri: v.OIDC_REDIRECT_URI,
      apiAudience: v.OIDC_API_AUDIENCE,
      roleClaims: { reader: list(v.OIDC_READER_ROLES), writer: list(v.OIDC_WRITER_ROLES), admin: list(v.OIDC_ADMIN_ROLES) },
      allowInsecureLabAuth: v.ALLOW_INSECURE_LAB_AUTH,
      apiToken: v.API_TOKEN,
      sessionSecret: v.SESSION_SECRET,
      secretsKey: v.SECRETS_KEY,
    },
    database: { url: v.DATABASE_URL },
    hosts,
    laboratory,
    remoting: {
      transport: v.HOST_TRANSPORT,
      connectTimeoutMs: 10_000,
      winrm: {
        ...DEFAULT_WINRM,
        auth: v.WINRM_TRANSPORT,
        port,
        // 5985 is WinRM's HTTP listener by convention; every other port is HTTPS.
        useTls: port !== 5985,
        username: v.WINRM_USERNAME,
        password: v.WINRM_PASSWORD,
        caFile: v.WINRM_CA_FILE ? resolve(v.WINRM_CA_FILE as string) : undefined,
        allowUnencrypted: v.WINRM_ALLOW_UNENCRYPTED,
        insecureSkipTlsVerify: v.WINRM_INSECURE_SKIP_TLS_VERIFY,
      },
      ssh: {
        port: v.SSH_PORT,
        username: v.SSH_USERNAME,
        password: v.SSH_PASSWORD,
        privateKeyFile: v.SSH_PRIVATE_KEY_FILE,
        knownHostsFile: v.SSH_KNOWN_HOSTS,
        insecureSkipHostKeyCheck: v.SSH_INSECURE_SKIP_HOST_KEY_CHECK,
      },
    },
    inventory: { refreshIntervalSeconds: v.INVENTORY_REFRESH_INTERVAL },
    limits: { remoteConcurrency: v.REMOTE_CONCURRENCY, hostConcurrency: v.HOST_CONCURRENCY },
    jobs: {
      concurrency: v.JOB_CONCURRENCY, hostSlots: v.JOB_HOST_SLOTS, leaseSeconds: v.JOB_LEASE_SECONDS, abortGraceSeconds: v.JOB_ABORT_GRACE_SECONDS, stepDeadlineSeconds: v.JOB_STEP_DEADLINE_SECONDS,
      guestKeyTimeoutSeconds: v.GUEST_KEY_TIMEOUT_SECONDS, guestApplyTimeoutSeconds: v.GUEST_APPLY_TIMEOUT_SECONDS, kvpPollSeconds: v.KVP_POLL_SECONDS,
    },
    agent: {
      installDirectory: v.HOST_INSTALL_DIRECTORY,
      artifactsPath: resolve((v.ARTIFACTS_BASE_PATH as string | undefined) ?? defaultArtifacts),
      downloadBaseUrl: v.AGENT_DOWNLOAD_BASE_URL,
      deployMode: v.AGENT_DEPLOY_MODE,
    },
  };
  const consistency = checkConsistency(config, new Set(Object.keys(raw)));
  return { config, report: { errors: [...errors, ...consistency.errors], warnings: consistency.warnings } };
}

function describeInvalid(name: string, value: unknown): ConfigProblem {
  const schema = variableSchema(name) ?? {};
  const secret = schema['x-secret'] === true;
  const shown = secret ? '(hidden)' : JSON.stringify(value);
  let expected = 'a valid value';
  if (Array.isArray(schema['x-enum'])) expected = `one of ${(schema['x-enum'] as string[]).join(', ')}`;
  else if (schema.type === 'integer') expected = `a whole number from ${String(schema.minimum)} to ${String(schema.maximum)}`;
  else if (schema.type === 'boolean') expected = 'true or false';
  return { variable: name, message: `invalid value ${shown}`, hint: `set it to ${expected} (${String(schema.description ?? '')})` };
}
