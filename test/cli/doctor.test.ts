/**
 * `aetherv doctor` against simulated hosts: healthy over WinRM and SSH, and each broken
 * setup names the step that fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runDoctor } from '../../server/src/cli/doctor.ts';
import { startLab, type Lab } from '../support/lab.ts';

async function doctor(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await runDoctor(argv, env, (line) => lines.push(line));
  return { code, lines, text: lines.join('\n') };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('aetherv doctor against the simulator', () => {
  let lab: Lab;
  let winrmEnv: NodeJS.ProcessEnv;
  let sshEnv: NodeJS.ProcessEnv;

  before(async () => {
    lab = await startLab();
    const w = lab.settings('winrm').winrm;
    const s = lab.settings('ssh').ssh;
    winrmEnv = { HOST_TRANSPORT: 'winrm', WINRM_TRANSPORT: 'basic', WINRM_PORT: String(w.port), WINRM_USERNAME: w.username, WINRM_PASSWORD: w.password, WINRM_CA_FILE: w.caFile };
    sshEnv = { HOST_TRANSPORT: 'ssh', SSH_PORT: String(s.port), SSH_USERNAME: s.username, SSH_PASSWORD: s.password, SSH_KNOWN_HOSTS: lab.knownHostsFile };
  });
  after(async () => {
    await lab?.stop();
  });

  it('passes every step on a healthy host over WinRM (exit 0)', async () => {
    const { code, lines, text } = await doctor([lab.host, '--address', lab.address], winrmEnv);
    assert.equal(code, 0, text);
    const steps = lines.filter((l) => /^[✔✖–] /.test(l));
    assert.deepEqual(steps.map((l) => l.slice(2, l.indexOf(':'))), ['name resolution', 'tcp', 'tls', 'authentication', 'powershell', 'hyper-v', 'agent version', 'round trip']);
    assert.ok(steps.every((l) => l.startsWith('✔')), text);
    assert.match(text, /chain verified against/);
    assert.match(text, /SANs/);
    assert.match(text, /host\.info answered in \d+ ms/);
    assert.ok(!text.includes(winrmEnv.WINRM_PASSWORD!), 'the password is never printed');
  });

  it('passes every step over SSH, and --json reports the same', async () => {
    const { code, text } = await doctor([lab.host, '--address', lab.address, '--json'], sshEnv);
    assert.equal(code, 0, text);
    const report = JSON.parse(text) as { ok: boolean; transport: string; steps: { name: string; status: string }[] };
    assert.equal(report.ok, true);
    assert.equal(report.transport, 'ssh');
    assert.deepEqual(report.steps.map((s) => s.name), ['name resolution', 'tcp', 'host key', 'authentication', 'powershell', 'hyper-v', 'agent version', 'round trip']);
    assert.ok(report.steps.every((s) => s.status === 'pass'));
  });

  it('names authentication when the password is wrong (WinRM and SSH)', async () => {
    const w = await doctor([lab.host, '--address', lab.address, '--password', 'not-the-password'], winrmEnv);
    assert.equal(w.code, 1);
    assert.match(w.text, /^✖ authentication: .* — fix: /m);
    assert.ok(!w.text.includes('powershell'), 'steps after a failed logon are not attempted');
    const s = await doctor([lab.host, '--address', lab.address, '--password', 'not-the-password'], sshEnv);
    assert.equal(s.code, 1);
    assert.match(s.text, /^✔ host key: /m);
    assert.match(s.text, /^✖ authentication: /m);
  });

  it('names tcp when the port is closed', async () => {
    const port = await closedPort();
    const { code, text } = await doctor([lab.host, '--address', lab.address, '--port', String(port)], winrmEnv);
    assert.equal(code, 1);
    assert.match(text, /^✖ tcp: .*refused the connection — fix: /m);
    assert.ok(!/^. tls/m.test(text));
  });

  it('names tls when the certificate is not trusted', async () => {
    const env = { ...winrmEnv };
    delete env.WINRM_CA_FILE;
    const { code, text } = await doctor([lab.host, '--address', lab.address], env);
    assert.equal(code, 1);
    assert.match(text, /^✖ tls: .*not trusted by the system CAs.* — fix: set --ca-file/m);
    assert.ok(!/^. authentication/m.test(text));
  });

  it('names the host key when known_hosts holds another key', async () => {
    const other = join(lab.dir, 'known_hosts_other');
    await writeFile(other, lab.sim.knownHosts.replace(/ssh-ed25519 \S+/g, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBzDNaK5w5s0MiT4q2V1WWp2HgqBZ1Hq0w9lkF5Y9o3W'));
    const { code, text } = await doctor([lab.host, '--address', lab.address, '--known-hosts', other], sshEnv);
    assert.equal(code, 1);
    assert.match(text, /^✖ host key: .*does not match known_hosts/m);
  });

  it('reports a missing agent and skips the round trip', async () => {
    const bare = await startLab({ preinstall: false });
    try {
      const w = bare.settings('winrm').winrm;
      const { code, text } = await doctor([bare.host, '--address', bare.address, '--port', String(w.port), '--ca-file', w.caFile!], { ...winrmEnv, WINRM_PASSWORD: bare.sim.credentials.password });
      assert.equal(code, 1, text);
      assert.match(text, /^✔ powershell: /m);
      assert.match(text, /^✖ agent version: no agent installed/m);
      assert.match(text, /^– round trip: skipped/m);
    } finally {
      await bare.stop();
    }
  });
});
