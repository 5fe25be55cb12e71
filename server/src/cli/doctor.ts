/**
 * `aetherv doctor <host>`: checks, in order, everything between this machine and a working
 * host agent, printing one line per step and stopping at the first failure that makes the
 * later steps meaningless. Exit 0 = all passed, 1 = a step failed, 2 = bad usage.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from '../remoting/index.ts';
import { REPOSITORY_ROOT } from '../version.ts';
import { DOCTOR_USAGE, DoctorUsageError, parseDoctorArgs, type DoctorOptions } from './doctor/args.ts';
import { resolveName, targetPort, tcpConnect, tlsCheck } from './doctor/network.ts';
import { hostSteps, sshHostKeyAndAuth, winrmAuth } from './doctor/remote.ts';
import { formatStep, type DoctorReport, type StepResult } from './doctor/report.ts';

type Outcome = Omit<StepResult, 'ms'>;

export async function runDoctor(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(DOCTOR_USAGE);
    return 0;
  }
  let options: DoctorOptions;
  try {
    options = parseDoctorArgs(argv, env);
  } catch (error) {
    if (error instanceof DoctorUsageError) {
      out(`aetherv doctor: ${error.message}`);
      out(DOCTOR_USAGE);
      return 2;
    }
    throw error;
  }

  const report: DoctorReport = { host: options.host, transport: options.settings.transport, ok: true, steps: [] };
  if (!options.json) out(describeTarget(options));
  // Runs one step (or a pair that one exchange answers) and says whether to go on.
  const step = async (work: () => Promise<Outcome | Outcome[]>): Promise<boolean> => {
    const started = Date.now();
    let outcomes: Outcome[];
    try {
      const result = await work();
      outcomes = Array.isArray(result) ? result : [result];
    } catch (error) {
      outcomes = [{ name: 'doctor', status: 'fail', detail: `unexpected error: ${(error as Error).message}`, hint: 'report this as a bug in aetherv doctor' }];
    }
    const ms = Date.now() - started;
    for (const outcome of outcomes) {
      const result: StepResult = { ...outcome, ms };
      report.steps.push(result);
      if (!options.json) out(formatStep(result));
    }
    const failed = outcomes.some((o) => o.status === 'fail');
    if (failed) report.ok = false;
    return !failed;
  };

  await (async () => {
    let address = '';
    if (!(await step(async () => {
      const resolved = await resolveName(options);
      address = resolved.address ?? '';
      return resolved.outcome;
    }))) return;
    if (!(await step(() => tcpConnect(options, address)))) return;
    if (options.settings.transport === 'ssh') {
      if (!(await step(() => sshHostKeyAndAuth(options, address)))) return;
    } else {
      if (!(await step(() => tlsCheck(options, address)))) return;
      if (!(await step(() => winrmAuth(options, address)))) return;
    }
    const transport = createTransport(options.host, options.settings, { address });
    try {
      const expected = (await readFile(join(REPOSITORY_ROOT, 'version'), 'utf8')).trim();
      await step(() => hostSteps(options, transport, expected));
    } finally {
      await transport.close();
    }
  })();

  if (options.json) out(JSON.stringify(report, null, 2));
  return report.ok ? 0 : 1;
}

function describeTarget(options: DoctorOptions): string {
  const { settings, host } = options;
  const via = options.address ? ` via ${options.address}` : '';
  if (settings.transport === 'ssh') return `aetherv doctor: ${host}${via}, SSH port ${settings.ssh.port} as ${settings.ssh.username ?? '(no user)'}`;
  const scheme = settings.winrm.useTls ? 'https' : 'http';
  return `aetherv doctor: ${host}${via}, WinRM ${scheme} port ${targetPort(options)}, ${settings.winrm.auth}${settings.winrm.username ? ` as ${settings.winrm.username}` : ''}`;
}
