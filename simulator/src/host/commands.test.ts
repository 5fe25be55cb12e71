/** The command surface of a simulated Windows host: cmd.exe built-ins, powershell.exe, the agent envelope, faults and the op log. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createFleet, type Fleet, type SimulatedHost } from './fleet.ts';
import { AGENT_COMMAND, callAgent, fakeArtifacts, must, parseAgentOutput, runCommand } from './testing.ts';

let fleet: Fleet;
let bare: Fleet;
let host: SimulatedHost;

before(() => {
  fleet = createFleet({ hosts: 2, vmsPerHost: 2, clusters: 0, seed: 1, timeScale: 0, preinstallAgentFrom: fakeArtifacts() });
  bare = createFleet({ hosts: 1, vmsPerHost: 0, clusters: 0, seed: 1, timeScale: 0 });
  host = fleet.hosts[0]!;
});
after(async () => { await fleet.close(); await bare.close(); });

describe('cmd.exe built-ins', () => {
  it('hostname, whoami, echo, cmd /c', async () => {
    assert.deepEqual(await runCommand(host, 'hostname'), { code: 0, stdout: `${host.name}\r\n`, stderr: '' });
    assert.equal((await runCommand(host, 'whoami')).stdout, 'lab\\admin\r\n');
    assert.equal((await runCommand(host, 'echo hello "world"')).stdout, 'hello "world"\r\n');
    assert.equal((await runCommand(host, 'echo')).stdout, 'ECHO is on.\r\n');
    assert.equal((await runCommand(host, 'cmd /c hostname')).stdout, `${host.name}\r\n`);
  });

  it('more copies stdin to stdout', async () => {
    const text = 'line one\r\nligne deux — ü\r\n'.repeat(1000);
    const r = await runCommand(host, 'more', text);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, text);
  });

  it('limits command lines as cmd.exe (8,191) or CreateProcess (32,767, WinRS skipping cmd) do', async () => {
    const run = (line: string, via: 'winrm' | 'ssh', env?: Record<string, string>) => {
      const p = host.commands.spawn(line, { user: 'admin', via, ...(env ? { env } : {}) });
      let out = '';
      let err = '';
      p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
      p.stdin.end();
      return p.exit.then((code) => ({ code, out, err }));
    };
    const long = `echo ${'x'.repeat(9000)}`;
    assert.deepEqual(await run(long, 'ssh'), { code: 1, out: '', err: 'The command line is too long.\r\n' });
    assert.equal((await run(long, 'winrm')).code, 1);
    assert.equal((await run(long, 'winrm', { WINRS_SKIP_CMD_SHELL: 'TRUE' })).out.length, 9002);
    assert.equal((await run(`echo ${'x'.repeat(33000)}`, 'winrm', { WINRS_SKIP_CMD_SHELL: 'TRUE' })).err, 'The filename or extension is too long.\r\n');
  });

  it('anything else is not recognized', async () => {
    const r = await runCommand(host, 'ipconfig /all');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "'ipconfig' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n");
  });
});

describe('powershell.exe and the agent envelope', () => {
  it('fails like powershell.exe when the agent is not installed', async () => {
    const r = await runCommand(bare.hosts[0]!, AGENT_COMMAND, '{}');
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /The argument 'C:\\Program Files\\Aether-V\\AetherV\.Agent\.ps1' to the -File parameter does not exist/);
  });

  it('reports empty or unparsable input, unknown protocol and operation as results', async () => {
    const empty = parseAgentOutput('host.info', null, await runCommand(host, AGENT_COMMAND, ''));
    assert.equal(empty.error?.code, 'INVALID_REQUEST');
    const garbage = parseAgentOutput('host.info', null, await runCommand(host, AGENT_COMMAND, '{"protocol":'));
    assert.equal(garbage.error?.code, 'INVALID_REQUEST');
    const id = randomUUID();
    const proto = parseAgentOutput('host.info', id, await runCommand(host, AGENT_COMMAND, JSON.stringify({ protocol: 'aetherv.agent/2', id, operation: 'host.info', params: {}, deadlineSeconds: 5 })));
    assert.equal(proto.error?.code, 'UNSUPPORTED_PROTOCOL');
    const unknown = parseAgentOutput('host.info', id, await runCommand(host, AGENT_COMMAND, JSON.stringify({ protocol: 'aetherv.agent/1', id, operation: 'vm.explode', params: {}, deadlineSeconds: 5 })));
    assert.equal(unknown.error?.code, 'UNKNOWN_OPERATION');
    const noDeadline = parseAgentOutput('host.info', id, await runCommand(host, AGENT_COMMAND, `\uFEFF${JSON.stringify({ protocol: 'aetherv.agent/1', id, operation: 'host.info', params: {} })}\r\n`));
    assert.equal(noDeadline.error?.code, 'INVALID_REQUEST');
  });

  it('runs bootstrap-less -EncodedCommand scripts only when they carry the marker', async () => {
    const script = Buffer.from('Get-Process | Stop-Process\r\n', 'utf16le').toString('base64');
    const r = await runCommand(host, `powershell.exe -NoProfile -EncodedCommand ${script}`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /aetherv-bootstrap/);
  });

  it('terminate stops a command that is still reading stdin', async () => {
    const p = host.commands.spawn(AGENT_COMMAND, { user: 'admin', via: 'ssh' });
    p.stdout.resume();
    p.stderr.resume();
    p.stdin.write('{"protocol":');
    p.terminate();
    assert.equal(await p.exit, 1);
  });
});

describe('faults and the operation log', () => {
  it('injects HOST_BUSY (retryable) by failure rate, per host and per operation', async () => {
    const h = fleet.hosts[1]!;
    h.faults = { ...h.faults, operations: { 'host.info': { failureRate: 1 } } };
    const busy = await callAgent(h, 'host.info', {});
    assert.equal(busy.error?.code, 'HOST_BUSY');
    assert.equal(busy.error?.retryable, true);
    assert.ok((await callAgent(h, 'inventory.collect', {})).ok, 'other operations are unaffected');
    h.faults = { ...h.faults, failureRate: 1, operations: {} };
    assert.equal((await callAgent(h, 'inventory.collect', {})).error?.code, 'HOST_BUSY');
    h.faults = { ...h.faults, failureRate: 0, latencyMs: 150, jitterMs: 0 };
    const t0 = Date.now();
    assert.ok((await callAgent(h, 'host.info', {})).ok);
    assert.ok(Date.now() - t0 >= 150, 'latency applied');
    h.faults = { ...h.faults, latencyMs: 0 };
  });

  it('records every operation with its parameters exactly as received', async () => {
    const since = fleet.oplog({}).at(-1)?.seq ?? 0;
    const hostile = `"; Remove-Item C:\\ -Recurse -Force; $(Invoke-Expression 'x') \`n ' ‘’ \u0000? 🚀 \\\\server\\share`;
    const vm = await must(host, 'vm.create', { name: 'hostile', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 1, memory: { startupBytes: 1024 ** 3, dynamic: false }, notes: hostile });
    assert.equal(vm.vm.notes, hostile);
    await callAgent(host, 'vm.power', { vmId: vm.vm.vmId, action: 'dance' }, { checkRequest: false });
    const entries = fleet.oplog({ host: host.name.toLowerCase(), since });
    assert.deepEqual(entries.map((e) => [e.operation, e.outcome]), [['vm.create', 'ok'], ['vm.power', 'rejected']]);
    assert.equal((entries[0]!.params as { notes: string }).notes, hostile);
    assert.equal(entries[1]!.errorCode, 'INVALID_PARAMS');
    assert.ok(entries[0]!.seq < entries[1]!.seq);
    assert.deepEqual(fleet.oplog({ host: fleet.hosts[1]!.name, since }), []);
  });
});
