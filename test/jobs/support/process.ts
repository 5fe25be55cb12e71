/**
 * A real orchestrator process (`node --import tsx server/src/cli/main.ts start`) against a
 * simulator owned by the test process, so the simulator outlives the orchestrator's death.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { REPOSITORY_ROOT } from '../../../server/src/version.ts';
import type { Simulator } from '../../../simulator/src/index.ts';

export const SECRETS_KEY = 'durability-test-secrets-key-0123456789ab';

export function orchestratorEnv(sim: Simulator, databaseUrl: string, artifacts: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH, HOME: process.env.HOME,
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'info',
    HYPERV_HOSTS: sim.hosts.map((h) => h.address).join(','),
    HOST_TRANSPORT: 'winrm', WINRM_TRANSPORT: 'basic', WINRM_PORT: '5986',
    WINRM_USERNAME: sim.credentials.username, WINRM_PASSWORD: sim.credentials.password, WINRM_CA_FILE: sim.credentials.caFile,
    OIDC_ENABLED: 'false', ALLOW_INSECURE_LAB_AUTH: 'true',
    SESSION_SECRET: 'durability-test-session-secret-0123456789', SECRETS_KEY,
    ARTIFACTS_BASE_PATH: artifacts, INVENTORY_REFRESH_INTERVAL: '3600', KVP_POLL_SECONDS: '1',
    ...extra,
  };
}

export interface OrchestratorProcess {
  child: ChildProcess;
  /** Resolves with the base URL once the server listens. */
  url: Promise<string>;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function spawnOrchestrator(env: NodeJS.ProcessEnv): OrchestratorProcess {
  // The repository root has no .env in CI; running there keeps paths as in `npm start`.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', 'start'], { cwd: REPOSITORY_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let resolveUrl: (url: string) => void = () => undefined;
  let rejectUrl: (error: Error) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => { resolveUrl = resolve; rejectUrl = reject; });
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (match) resolveUrl(match[1]!);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    rejectUrl(new Error(`orchestrator exited before listening:\n${text.slice(-3000)}`));
    resolve();
  }));
  return {
    child, url,
    output: () => text,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
