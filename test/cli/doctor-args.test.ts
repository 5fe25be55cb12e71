import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDoctorArgs, DoctorUsageError } from '../../server/src/cli/doctor/args.ts';
import { runDoctor } from '../../server/src/cli/doctor.ts';

describe('aetherv doctor arguments', () => {
  it('reads the server variables and lets flags override them', () => {
    const env = { HOST_TRANSPORT: 'winrm', WINRM_TRANSPORT: 'ntlm', WINRM_PORT: '5986', WINRM_USERNAME: 'lab\\ops', WINRM_PASSWORD: 'pw', SSH_PORT: '2222', HOST_INSTALL_DIRECTORY: 'D:\\AV' };
    const a = parseDoctorArgs(['hv01'], env);
    assert.equal(a.host, 'hv01');
    assert.equal(a.settings.transport, 'winrm');
    assert.equal(a.settings.winrm.auth, 'ntlm');
    assert.equal(a.settings.winrm.useTls, true);
    assert.equal(a.settings.winrm.username, 'lab\\ops');
    assert.equal(a.settings.ssh.port, 2222);
    assert.equal(a.installDirectory, 'D:\\AV');
    const b = parseDoctorArgs(['--transport', 'ssh', '--username=admin', '--password', 'x', '--ssh-port', '22', '--known-hosts', 'kh', '--address', '127.0.0.5', '--json', 'hv01'], env);
    assert.equal(b.settings.transport, 'ssh');
    assert.equal(b.settings.ssh.username, 'admin');
    assert.equal(b.settings.ssh.port, 22);
    assert.match(b.settings.ssh.knownHostsFile!, /\/kh$/);
    assert.equal(b.address, '127.0.0.5');
    assert.equal(b.json, true);
    const c = parseDoctorArgs(['--port', '5985', '--allow-unencrypted', '--auth', 'basic', 'hv01'], {});
    assert.equal(c.settings.winrm.useTls, false);
    assert.equal(c.settings.winrm.allowUnencrypted, true);
    assert.equal(c.installDirectory, 'C:\\Program Files\\Aether-V');
    assert.equal(c.settings.winrm.auth, 'basic');
  });

  it('refuses bad flags', () => {
    for (const argv of [[], ['a', 'b'], ['--bogus', 'hv01'], ['--port', 'x', 'hv01'], ['--port', '70000', 'hv01'], ['--transport', 'telnet', 'hv01'], ['--auth', 'digest', 'hv01'], ['hv01', '--username'], ['--json=1', 'hv01']]) {
      assert.throws(() => parseDoctorArgs(argv, {}), DoctorUsageError, JSON.stringify(argv));
    }
  });

  it('exits 2 with a message on bad flags', async () => {
    const lines: string[] = [];
    assert.equal(await runDoctor(['--bogus', 'hv01'], {}, (l) => lines.push(l)), 2);
    assert.match(lines[0]!, /unknown option --bogus/);
    assert.match(lines.join('\n'), /Usage: aetherv doctor/);
  });
});
