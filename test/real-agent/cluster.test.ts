/**
 * A clustered Linux VM provisioned through the real host agent on a cluster: placed on a node,
 * its files on the cluster's shared storage (C:\ClusterStorage\Volume1, one folder on disk that
 * both nodes' C: drives see), configured by the real Linux guest agent, given its cluster role;
 * then deleted, the cluster role removed first, and nothing of it left on either node's disk.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linuxRequest } from '../jobs/kinds/requests.ts';
import { modelVms, oplog, type ModelVm } from '../jobs/kinds/harness.ts';
import type { JobView } from '../../server/src/jobs/types.ts';
import { explain, filesOnDisk, startRealAgent, type RealAgentOrchestrator } from './support.ts';

const CSV = 'C:\\ClusterStorage\\Volume1\\';

type Guest = { kind: string } | null;
const guestOf = (vm: ModelVm): Guest => (vm as unknown as { guest: Guest }).guest;
const under = (files: string[], folder: string) => files.filter((f) => f.toLowerCase().startsWith(folder.toLowerCase()));

describe('real agent: a clustered VM on a cluster', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let cluster: string;
  let nodes: string[];
  const jobs: Record<'clustered', Promise<JobView>> = {} as never;

  before(async () => {
    o = await startRealAgent({ simulator: { hosts: 2, clusters: 1, vmsPerHost: 0, addressBase: '127.0.66.1' } });
    cluster = o.sim.hosts.find((r) => r.cluster !== null)!.cluster!;
    nodes = o.sim.hosts.filter((r) => r.cluster === cluster).map((r) => r.name);
    assert.equal(nodes.length, 2);
    await o.services.inventory.refreshAll();
    jobs.clustered = o.run('provision', linuxRequest('csv-01', { cluster }, {
      imageMode: 'full', clustered: true,
      guest: { hostname: 'csv-01', network: { ipv4: { address: '10.0.0.26', prefixLength: 24, gateway: '10.0.0.1' } } },
    }));
    jobs.clustered.catch(() => undefined);
  });
  after(async () => { await o?.stop(); });

  it('a clustered Linux VM on a cluster: on shared storage, seen from both nodes, with its cluster role', { timeout: 900_000 }, async () => {
    const job = await jobs.clustered;
    assert.equal(job.state, 'succeeded', explain(job));
    const result = job.result as { vmId: string; host: string; ipv4: string };
    assert.ok(nodes.includes(result.host), `placed on a node of ${cluster}`);
    assert.equal(result.ipv4, '10.0.0.26');
    const vm = (await modelVms(o.sim, result.host)).find((v) => v.vmId === result.vmId)!;
    assert.equal(vm.clustered, true);
    assert.equal(vm.state, 'Running');
    assert.equal(guestOf(vm)?.kind, 'linux-agent');
    assert.equal(vm.kvp.guest['aetherv.guest.state'], 'applied');
    assert.ok(vm.disks[0]!.path.startsWith(CSV), vm.disks[0]!.path);
    for (const node of nodes) assert.ok((await filesOnDisk(o, node)).includes(vm.disks[0]!.path), `the disk is on ${node}'s C:\\ClusterStorage\\Volume1`);
    const ops = await oplog(o.sim);
    assert.ok(ops.some((e) => e.operation === 'cluster.addVm' && e.outcome === 'ok' && e.params.vmId === result.vmId));
  });

  it('delete of the clustered VM removes its cluster role, the VM and its folder from the shared disk', { timeout: 900_000 }, async () => {
    const made = (await jobs.clustered).result as { vmId: string; host: string };
    const folder = `${CSV}csv-01\\`;
    assert.ok(under(await filesOnDisk(o, made.host), folder).length > 0, 'the VM folder exists first');
    const job = await o.run('delete', { host: made.host, vmId: made.vmId, force: true, deleteDisks: true });
    assert.equal(job.state, 'succeeded', explain(job));
    const ops = await oplog(o.sim);
    assert.ok(ops.some((e) => e.operation === 'cluster.removeVm' && e.outcome === 'ok' && e.params.vmId === made.vmId));
    for (const node of nodes) {
      assert.equal((await modelVms(o.sim, node)).find((v) => v.vmId === made.vmId), undefined);
      assert.deepEqual(under(await filesOnDisk(o, node), folder), [], `nothing of csv-01 left on ${node}`);
    }
    assert.equal(o.services.inventory.vm(made.vmId), undefined);
  });
});
