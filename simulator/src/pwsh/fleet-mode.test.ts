/**
 * A fleet's hosts in powershell mode, without starting pwsh: their model on a C: drive on disk
 * (descriptors that are valid VHDX stand-ins, cluster storage shared by the nodes, installs
 * read back from the disk), switching agents per host, reset and close.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFleet } from '../host/fleet.ts';
import { must } from '../host/testing.ts';
import { VHDX_FORMAT } from './disk-store.ts';
import { agentArtifacts } from './testing.ts';

type Model = { agent: string; drive?: string; installs: { directory: string; version: string; files: { name: string }[] }[]; vms: { vmId: string; configurationPath: string; disks: { path: string }[] }[] };

describe('fleet in powershell mode', () => {
  it('puts each host\'s model on its own C: drive, the cluster volume shared, and removes them on close', async () => {
    const fleet = createFleet({ hosts: 3, vmsPerHost: 2, clusters: 1, seed: 9, timeScale: 0, preinstallAgentFrom: agentArtifacts('5.6.7'), agentByHost: { HV01: 'powershell', HV02: 'powershell' } });
    const [hv01, hv02, hv03] = fleet.hosts.map((h) => h.model() as Model);
    assert.deepEqual([hv01!.agent, hv02!.agent, hv03!.agent], ['powershell', 'powershell', 'typescript']);
    const drive = hv01!.drive!;
    assert.ok(lstatSync(join(drive, 'ClusterStorage', 'Volume1')).isSymbolicLink(), 'the CSV is a link into the cluster folder');
    assert.equal(readFileSync(join(drive, 'ClusterStorage', 'Volume1', 'Golden Images', 'Debian-12.vhdx'), 'utf8'),
      readFileSync(join(hv02!.drive!, 'ClusterStorage', 'Volume1', 'Golden Images', 'Debian-12.vhdx'), 'utf8'));
    const image = JSON.parse(readFileSync(join(drive, 'ClusterStorage', 'Volume1', 'Golden Images', 'Debian-12.vhdx'), 'utf8')) as { format: string; sizeBytes: number; diskIdentifier: string };
    assert.equal(image.format, VHDX_FORMAT);
    assert.equal(image.sizeBytes, 20 * 1024 ** 3);
    assert.match(image.diskIdentifier, /^[0-9A-F-]{36}$/);
    for (const vm of hv01!.vms) {
      const rel = (p: string): string => join(drive, ...p.slice(3).split('\\'));
      assert.ok(existsSync(rel(`${vm.configurationPath}\\Virtual Machines\\${vm.vmId.toUpperCase()}.vmcx`)), vm.configurationPath);
      for (const d of vm.disks) assert.ok(existsSync(rel(d.path)), d.path);
    }
    const install = hv01!.installs.find((i) => i.directory === 'C:\\Program Files\\Aether-V')!;
    assert.equal(install.version, '5.6.7');
    assert.ok(install.files.some((f) => f.name === 'bootstrap/Install-Agent.ps1'));
    // The TypeScript agent works on a disk-backed host as well: a host can switch back and forth.
    const host = fleet.host('HV01')!;
    host.setAgent('typescript');
    const info = await must(host, 'host.info', {});
    assert.deepEqual(info.images.map((i: { name: string }) => i.name), ['Debian-12', 'Ubuntu-24.04', 'Windows-Server-2022']);
    const copy = await must(host, 'image.copy', { image: 'Ubuntu-24.04', destinationPath: 'C:\\ClusterStorage\\Volume1\\new\\new.vhdx', mode: 'full' });
    assert.equal(copy.type, 'Dynamic');
    assert.ok(existsSync(join(hv02!.drive!, 'ClusterStorage', 'Volume1', 'new', 'new.vhdx')), 'the other node sees the copy');
    host.setAgent('powershell');

    writeFileSync(join(drive, 'stray.txt'), 'x');
    fleet.reset();
    const again = fleet.host('HV01')!.model() as Model;
    assert.notEqual(again.drive, drive, 'a reset builds the drives anew');
    assert.ok(!existsSync(drive), 'and removes the old ones');
    assert.ok(existsSync(again.drive!));
    await fleet.close();
    assert.ok(!existsSync(again.drive!), 'close removes the drives');
  });

  it('fails at creation, saying how to get pwsh, when there is none', () => {
    const saved = process.env.PWSH;
    process.env.PWSH = '/nonexistent/pwsh';
    try {
      assert.throws(() => createFleet({ hosts: 1, vmsPerHost: 0, clusters: 0, seed: 1, timeScale: 0, agent: 'powershell' }), /PWSH=\/nonexistent\/pwsh does not exist.*npm run build:pwsh/);
    } finally {
      if (saved === undefined) delete process.env.PWSH;
      else process.env.PWSH = saved;
    }
  });
});
