import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCli } from './cli.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

function start(args: string[]): { child: ReturnType<typeof spawn>; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

describe('simulator CLI', () => {
  it('prints hosts, ports and credentials, serves the control API, and stops cleanly on SIGTERM', async () => {
    const run = start(['--hosts', '2', '--vms-per-host', '1', '--clusters', '1', '--seed', '5', '--time-scale', '0',
      '--control-port', '0', '--address-base', '127.0.22.1', '--winrm-port', '0', '--winrm-https-port', '0', '--ssh-port', '0',
      '--username', 'ops', '--password', 'Cli-Pa55word']);
    try {
      const deadline = Date.now() + 30_000;
      while (!run.output().includes('Ready.') && Date.now() < deadline && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const text = run.output();
      assert.match(text, /SIMULATED Hyper-V laboratory: 2 simulated hosts/);
      assert.match(text, /127\.0\.22\.1 +winrm \d+ +winrm-https \d+ +ssh \d+/);
      assert.match(text, /Username: ops\nPassword: Cli-Pa55word\n/);
      const control = /Control API: (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      assert.ok(control, text);
      const hosts = await (await fetch(`${control}/hosts`)).json() as Array<{ address: string }>;
      assert.deepEqual(hosts.map((h) => h.address), ['127.0.22.1', '127.0.22.2']);
      run.child.kill('SIGTERM');
      assert.equal(await run.exit, 0);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });

  it('rejects bad flags with a clear message and a non-zero exit', async () => {
    for (const [args, message] of [
      [['--hosts', 'many'], /--hosts must be a whole number/],
      [['--frobnicate'], /Unknown option '--frobnicate'/],
      [['--address-base', '10.0.0.1'], /--address-base: address base must be an IPv4 loopback address/],
      [['--agent', 'python'], /--agent must be typescript or powershell, got "python"/],
    ] as const) {
      const run = start([...args]);
      assert.equal(await run.exit, 2);
      assert.match(run.output(), message);
      assert.match(run.output(), /Usage: npm run simulator/);
    }
  });

  it('takes --agent powershell', () => {
    const options = parseCli(['--agent', 'powershell', '--hosts', '2']);
    assert.ok(options !== 'help');
    assert.equal(options.agent, 'powershell');
    assert.equal((parseCli([]) as Exclude<ReturnType<typeof parseCli>, 'help'>).agent, undefined);
  });
});
