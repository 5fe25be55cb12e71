import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startEmbeddedLab } from './lab.ts';
import { basic, fixture, post } from './winrm/testing-client.ts';

describe('embedded laboratory', () => {
  it('starts a simulated two-node cluster and a standalone host with about a dozen VMs, reachable with the handed-over settings', async () => {
    const lab = await startEmbeddedLab({ addressBase: '127.0.23.1', timeScale: 0 });
    try {
      assert.equal(lab.simulated, true);
      assert.match(lab.label, /simulated/i);
      assert.equal(lab.hosts.length, 3);
      assert.equal(lab.clusters.length, 1);
      assert.equal(lab.hosts.filter((h) => h.cluster === lab.clusters[0]).length, 2);
      assert.equal(lab.hosts.filter((h) => h.cluster === null).length, 1);
      const vms = lab.simulator.fleet.hosts.map((h) => (h.model() as { vms: unknown[] }).vms.length).reduce((a, b) => a + b, 0);
      assert.ok(vms >= 10 && vms <= 14, `${vms} VMs`);
      assert.ok(lab.transport.winrm.password.length >= 16);
      assert.equal(readFileSync(lab.transport.ssh.knownHostsFile, 'utf8'), lab.knownHosts);

      const host = lab.hosts[2]!;
      const { username, password, caFile } = lab.transport.winrm;
      const https = { url: `https://${host.address}:${host.winrmHttpsPort}/wsman`, ca: readFileSync(caFile, 'utf8') };
      assert.equal((await post(https, fixture('open_shell_request.xml'), basic(username, password))).status, 200);
      // The laboratory refuses plain-HTTP Basic, as a hardened Windows host would.
      assert.equal((await post({ url: `http://${host.address}:${host.winrmPort}/wsman` }, fixture('open_shell_request.xml'), basic(username, password))).status, 401);
    } finally {
      await lab.stop();
    }
    assert.equal(existsSync(lab.transport.winrm.caFile), false);
  });
});
