import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startSimulator, type Simulator } from './index.ts';

const run = promisify(execFile);

describe('startSimulator (real fleet)', () => {
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({
      hosts: 3, vmsPerHost: 2, clusters: 1, seed: 11, timeScale: 0, addressBase: '127.0.21.1',
      ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 },
    });
  });
  after(async () => {
    const caFile = sim.credentials.caFile;
    await sim.stop();
    assert.equal(existsSync(caFile), false, 'the temporary CA file is removed');
  });

  it('exposes rows, generated credentials, a CA file and known_hosts for the fleet hosts', async () => {
    assert.equal(sim.hosts.length, 3);
    assert.deepEqual(sim.hosts.map((h) => h.name), sim.fleet.hosts.map((h) => h.name));
    assert.deepEqual(sim.hosts.map((h) => h.address), ['127.0.21.1', '127.0.21.2', '127.0.21.3']);
    assert.equal(sim.hosts.filter((h) => h.cluster !== null).length, 2);
    assert.match(readFileSync(sim.credentials.caFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.ok(sim.credentials.password.length >= 16);
    assert.equal(sim.knownHosts.trim().split('\n').length, 3);
    const res = await fetch(`${sim.controlUrl}/hosts`);
    assert.deepEqual(await res.json(), sim.hosts);
  });

  it('runs hostname on a simulated host through pywinrm over HTTPS, verifying the generated CA', async () => {
    const host = sim.hosts[2]!;
    const { stdout } = await run('/usr/bin/python3', ['-c', `
import winrm, sys
s = winrm.Session('https://${host.address}:${host.winrmHttpsPort}/wsman', auth=(sys.argv[1], sys.argv[2]), transport='basic',
                  server_cert_validation='validate', ca_trust_path=sys.argv[3])
r = s.run_cmd('hostname')
print(r.status_code, r.std_out.decode().strip())
`, sim.credentials.username, sim.credentials.password, sim.credentials.caFile], { timeout: 40_000 });
    assert.equal(stdout.trim(), `0 ${host.name}`);
  });
});
