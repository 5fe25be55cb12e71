/** Placement: the named host, or the cluster node with the most free memory that can take the VM; every refusal says why. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { place } from '../../../server/src/jobs/placement.ts';
import type { HostRecord } from '../../../server/src/inventory/model.ts';

function host(name: string, cluster: string | null, free: number, extra: { images?: string[]; switches?: string[]; connected?: boolean; shared?: boolean; neverSeen?: boolean } = {}): HostRecord {
  const images = (extra.images ?? ['Ubuntu-24.04']).map((i) => ({ name: i, path: `C:\\Hyper-V\\Golden Images\\${i}.vhdx`, osFamily: 'linux' as const, generation: 2 as const, sizeBytes: 1, fileSizeBytes: 1 }));
  const storagePaths = [
    { path: 'C:\\Hyper-V', totalBytes: 100, freeBytes: 50, shared: false },
    ...(extra.shared ?? cluster !== null ? [{ path: 'C:\\ClusterStorage\\Volume1', totalBytes: 100, freeBytes: 80, shared: true }] : []),
  ];
  return {
    name, cluster, connected: extra.connected ?? true, vmCount: 0,
    lastSuccess: extra.neverSeen || extra.connected === false ? null : '2026-01-01T00:00:00Z',
    lastError: extra.neverSeen || extra.connected !== false ? null : { code: 'REMOTE_CONNECT', message: 'connect ECONNREFUSED', time: '2026-01-01T00:00:00Z' },
    facts: {
      computerName: name, fqdn: `${name}.lab.test`, cpuCores: 8, logicalProcessors: 16, memoryTotalBytes: 64, memoryFreeBytes: free,
      switches: (extra.switches ?? ['External']).map((s) => ({ name: s, id: '00000000-0000-0000-0000-000000000000', type: 'External' as const, managementVlanId: null, allowedVlanIds: [] })),
      storagePaths, images, provisioningIsos: [], installDirectory: 'C:\\Program Files\\Aether-V', agentVersion: '1', osName: 'Windows Server', osVersion: '10', psVersion: '5.1', hypervVersion: '10', time: '2026-01-01T00:00:00Z',
    },
  };
}

describe('placement', () => {
  const estate = [
    host('HV01', 'CLU01', 30),
    host('HV02', 'CLU01', 50, { switches: ['Internal'] }),
    host('HV03', 'CLU01', 40),
    host('HV04', 'CLU01', 90, { connected: false }),
    host('HV05', null, 70),
  ];

  it('picks the connected cluster node with the most free memory that has the image and the switch', () => {
    const p = place(estate, { cluster: 'clu01', image: 'Ubuntu-24.04', switches: ['External'], clustered: false });
    assert.equal(p.host, 'HV03');
    assert.equal(p.cluster, 'CLU01');
    assert.equal(p.storagePath, 'C:\\Hyper-V', 'local storage for a VM that is not clustered');
  });

  it('puts a clustered VM on shared storage, and refuses a standalone host for it', () => {
    assert.equal(place(estate, { cluster: 'CLU01', image: 'Ubuntu-24.04', switches: [], clustered: true }).storagePath, 'C:\\ClusterStorage\\Volume1');
    assert.throws(() => place(estate, { host: 'HV05', image: 'Ubuntu-24.04', switches: [], clustered: true }), { code: 'PLACEMENT_FAILED', message: /HV05: not a cluster node/ });
  });

  it('names every host and its reason when none fits', () => {
    assert.throws(() => place(estate, { cluster: 'CLU01', image: 'Debian-12', switches: ['External'], clustered: false }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PLACEMENT_FAILED');
      assert.match(error.message, /HV01: no golden image Debian-12/);
      assert.match(error.message, /HV04: not connected \(connect ECONNREFUSED\)/);
      return true;
    });
    const starting = [host('HV09', null, 90, { neverSeen: true, connected: false })];
    assert.throws(() => place(starting, { host: 'HV09', image: 'Ubuntu-24.04', switches: [], clustered: false }), { code: 'PLACEMENT_FAILED', message: /HV09: not observed yet/ });
    assert.throws(() => place(estate, { host: 'HV02', image: 'Ubuntu-24.04', switches: ['External'], clustered: false }), { code: 'PLACEMENT_FAILED', message: /HV02: no switch External/ });
  });

  it('skips a node without the memory to start the VM', () => {
    assert.equal(place(estate, { cluster: 'CLU01', image: 'Ubuntu-24.04', switches: [], clustered: false, memoryBytes: 45 }).host, 'HV02');
    assert.throws(() => place(estate, { host: 'HV05', image: 'Ubuntu-24.04', switches: [], clustered: false, memoryBytes: 100 * 2 ** 20 }), { code: 'PLACEMENT_FAILED', message: /HV05: 0 MiB free, the VM needs 100 MiB/ });
  });

  it('404 for a host or cluster that does not exist', () => {
    assert.throws(() => place(estate, { host: 'NOPE', image: 'x', switches: [], clustered: false }), { code: 'NOT_FOUND' });
    assert.throws(() => place(estate, { cluster: 'NOPE', image: 'x', switches: [], clustered: false }), { code: 'NOT_FOUND' });
  });
});
