/**
 * `npm run simulator -- --hosts N --vms-per-host M --clusters K --seed S --control-port P …`
 * Starts a simulated Hyper-V estate, prints where each host listens and the credentials, and
 * runs until SIGINT/SIGTERM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hostAddresses } from './control/addresses.ts';
import { startSimulator, type SimulatorOptions } from './control/simulator.ts';

const USAGE = `Usage: npm run simulator -- [options]

  --hosts N              simulated Hyper-V hosts (default 3)
  --vms-per-host M       VMs seeded on each host (default 4)
  --clusters K           failover clusters among the hosts (default 0)
  --seed S               seed that makes a run repeatable (default 1)
  --time-scale X         1 = realistic durations, 0.01 = a hundred times faster (default 1)
  --control-port P       control API port on 127.0.0.1 (default 0 = any free port)
  --address-base A       first host address (default 127.0.10.1)
  --winrm-port P         WinRM HTTP port of every host (default 5985; 0 = ephemeral)
  --winrm-https-port P   WinRM HTTPS port of every host (default 5986; 0 = ephemeral)
  --ssh-port P           SSH port of every host (default 22; 0 = ephemeral)
  --username U           account accepted by every host (default aetherv-admin)
  --password P           its password (default: generated for this run)
  --authorized-key FILE  OpenSSH public key accepted for SSH (repeatable)
  --state-dir DIR        where the CA certificate is written (default: a temporary folder)
  --no-unencrypted       refuse Basic/NTLM over plain HTTP (WinRM AllowUnencrypted=false)
  --preinstall-agent     install this checkout's artifacts/ as the host agent on every host
  --agent KIND           what answers agent and bootstrap calls: typescript (default, fast) or
                         powershell (the real Powershell/ scripts in pwsh: PWSH, else npm run build:pwsh)
  --help                 show this help
`;

class UsageError extends Error {}

function integer(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function parseCli(argv: string[]): SimulatorOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'hosts': { type: 'string' }, 'vms-per-host': { type: 'string' }, 'clusters': { type: 'string' }, 'seed': { type: 'string' },
        'time-scale': { type: 'string' }, 'control-port': { type: 'string' }, 'address-base': { type: 'string' },
        'winrm-port': { type: 'string' }, 'winrm-https-port': { type: 'string' }, 'ssh-port': { type: 'string' },
        'username': { type: 'string' }, 'password': { type: 'string' }, 'authorized-key': { type: 'string', multiple: true },
        'state-dir': { type: 'string' }, 'no-unencrypted': { type: 'boolean' }, 'preinstall-agent': { type: 'boolean' },
        'agent': { type: 'string' },
        'help': { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const timeScale = v['time-scale'] === undefined ? undefined : Number(v['time-scale']);
  if (timeScale !== undefined && !(timeScale >= 0 && timeScale <= 100)) throw new UsageError(`--time-scale must be a number from 0 to 100, got "${v['time-scale']}"`);
  const ports: NonNullable<SimulatorOptions['ports']> = {};
  const port = (flag: string): number | undefined => integer(v[flag as keyof typeof v] as string | undefined, flag, 0, 65535);
  if (port('winrm-port') !== undefined) ports.winrm = port('winrm-port')!;
  if (port('winrm-https-port') !== undefined) ports.winrmHttps = port('winrm-https-port')!;
  if (port('ssh-port') !== undefined) ports.ssh = port('ssh-port')!;
  ports.control = port('control-port') ?? 0;
  const options: SimulatorOptions = {
    hosts: integer(v.hosts, 'hosts', 1, 5000) ?? 3,
    vmsPerHost: integer(v['vms-per-host'], 'vms-per-host', 0, 1000) ?? 4,
    clusters: integer(v.clusters, 'clusters', 0, 1000) ?? 0,
    seed: integer(v.seed, 'seed', 0, 2 ** 31) ?? 1,
    timeScale: timeScale ?? 1,
    ports,
    allowUnencrypted: !v['no-unencrypted'],
  };
  if (v['address-base']) {
    try {
      hostAddresses(v['address-base'], options.hosts ?? 1);
    } catch (error) {
      throw new UsageError(`--address-base: ${(error as Error).message}`, { cause: error });
    }
    options.addressBase = v['address-base'];
  }
  if (v.username) options.username = v.username;
  if (v.password) options.password = v.password;
  if (v['state-dir']) options.stateDir = v['state-dir'];
  if (v['authorized-key']) {
    options.authorizedKeys = v['authorized-key'].map((file) => {
      if (!existsSync(file)) throw new UsageError(`--authorized-key: no such file ${file}`);
      return readFileSync(file, 'utf8').trim();
    });
  }
  if (v.agent !== undefined) {
    if (v.agent !== 'typescript' && v.agent !== 'powershell') throw new UsageError(`--agent must be typescript or powershell, got "${v.agent}"`);
    options.agent = v.agent;
  }
  if (v['preinstall-agent']) {
    const artifacts = fileURLToPath(new URL('../../artifacts', import.meta.url));
    if (!existsSync(`${artifacts}/version`)) throw new UsageError(`--preinstall-agent: ${artifacts} has no build; run "npm run build:artifacts" first`);
    options.preinstallAgentFrom = artifacts;
  }
  return options;
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`simulator: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (error) {
    const message = (error as Error).message;
    const hint = /EACCES/.test(message) ? ' (ports below 1024 need privileges: pass --ssh-port 2222 or 0, or other ports)'
      : /EADDRINUSE/.test(message) ? ' (something already listens there: choose other ports or --address-base)' : '';
    process.stderr.write(`simulator: cannot start: ${message}${hint}\n`);
    process.exit(1);
  }
  const out: string[] = [`Aether-V SIMULATED Hyper-V laboratory: ${sim.hosts.length} simulated hosts (not real Hyper-V)`];
  for (const h of sim.hosts) {
    out.push(`  ${h.name.padEnd(10)} ${h.address.padEnd(15)} winrm ${h.winrmPort}  winrm-https ${h.winrmHttpsPort}  ssh ${h.sshPort}  cluster ${h.cluster ?? '-'}`);
  }
  out.push(`Username: ${sim.credentials.username}`, `Password: ${sim.credentials.password}`, `CA file: ${sim.credentials.caFile}`,
    `Control API: ${sim.controlUrl}`, 'Ready. Press Ctrl+C to stop.');
  process.stdout.write(`${out.join('\n')}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
