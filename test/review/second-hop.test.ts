/**
 * Issue 16 item 6, the second hop: without delegated credentials (Basic, NTLM, Kerberos without
 * delegation, SSH keys) a host cannot reach SMB shares, so the orchestrator refuses storage paths
 * on shares before it calls the host, and says why. The real agent client, against the
 * simulator's real WinRM endpoint (the laboratory signs in with Basic).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../server/src/errors.ts';
import { isSharePath, sharesReachable, storagePathsIn } from '../../server/src/remoting/second-hop.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings } from '../../server/src/remoting/settings.ts';
import { oplog, startHarness, type Harness } from '../jobs/kinds/harness.ts';

const winrm = (auth: 'basic' | 'ntlm' | 'kerberos', delegate: boolean): RemotingSettings =>
  ({ transport: 'winrm', winrm: { ...DEFAULT_WINRM, auth, delegate }, ssh: DEFAULT_SSH, connectTimeoutMs: 1000 });
const ssh = (password?: string): RemotingSettings =>
  ({ transport: 'ssh', winrm: DEFAULT_WINRM, ssh: { ...DEFAULT_SSH, ...(password ? { password } : { privateKeyFile: '/k' }) }, connectTimeoutMs: 1000 });

describe('which sessions can reach shares', () => {
  it('only Kerberos with delegation and SSH with a password', () => {
    assert.equal(sharesReachable(winrm('kerberos', true)), true);
    assert.equal(sharesReachable(winrm('kerberos', false)), false);
    assert.equal(sharesReachable(winrm('basic', true)), false);
    assert.equal(sharesReachable(winrm('ntlm', true)), false);
    assert.equal(sharesReachable(ssh('pw')), true);
    assert.equal(sharesReachable(ssh()), false);
  });

  it('recognises UNC paths (not local device paths) under any *path key, at any depth', () => {
    assert.equal(isSharePath('\\\\fs01\\vms\\a.vhdx'), true);
    assert.equal(isSharePath('\\\\?\\UNC\\fs01\\vms\\a.vhdx'), true);
    assert.equal(isSharePath('\\\\?\\C:\\vms\\a.vhdx'), false);
    assert.equal(isSharePath('C:\\ClusterStorage\\Volume1\\a.vhdx'), false);
    assert.deepEqual(storagePathsIn({ vmId: 'x', path: 'a', bootDiskPath: 'b', nested: [{ isoPath: 'c' }], notes: '\\\\not\\a\\path' }), ['a', 'b', 'c']);
  });
});

describe('the agent client refuses unreachable shares before the call', () => {
  let h: Harness;
  let host: string;
  let vmId: string;
  before(async () => {
    h = await startHarness({ hosts: 1, vmsPerHost: 1 });
    host = h.sim.hosts[0]!.name;
    vmId = h.services.inventory.snapshot().vms[0]!.vmId;
  });
  after(async () => h.stop());

  it('disk.create, vm.create and image.copy on \\\\server\\share fail with the reason; nothing reaches the host', async () => {
    const since = (await oplog(h.sim)).at(-1)?.seq ?? 0;
    const calls = [
      () => h.services.agent.diskCreate(host, { vmId, path: '\\\\fs01\\vms\\web-01\\data.vhdx', newDisk: { sizeBytes: 2 ** 30, type: 'Dynamic' } }),
      () => h.services.agent.vmCreate(host, { name: 'web-09', path: '\\\\fs01\\vms', generation: 2, cpuCount: 2, memory: { startupBytes: 2 ** 31, dynamic: false } }),
      () => h.services.agent.imageCopy(host, { image: 'Ubuntu-24.04', destinationPath: '\\\\fs01\\vms\\web-09\\web-09.vhdx', mode: 'full' }),
    ];
    for (const call of calls) {
      await assert.rejects(call(), (error: unknown) => isAppError(error) && error.code === 'VALIDATION_FAILED' &&
        error.details.reason === 'second-hop' && /second hop/.test(error.message) && /WinRM Basic/.test(error.message));
    }
    assert.deepEqual((await oplog(h.sim, since)).map((e) => e.operation), [], 'no host call was made');
  });

  it('local paths still go through', async () => {
    const result = await h.services.agent.diskCreate(host, { vmId, path: 'C:\\Hyper-V\\Virtual Hard Disks\\issue16-local.vhdx', newDisk: { sizeBytes: 2 ** 30, type: 'Dynamic' } });
    assert.match(result.disk.path, /issue16-local\.vhdx$/);
  });
});
