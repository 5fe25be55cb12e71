/**
 * The agent client end to end: real transports (WinRM Basic over HTTPS, SSH with
 * known_hosts) to the simulator, which runs the agent command and the bootstrap scripts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient } from '../../server/src/agent/client.ts';
import { BootstrapRunner } from '../../server/src/agent/bootstrap.ts';
import { TransportPool } from '../../server/src/remoting/pool.ts';
import { AppError } from '../../server/src/errors.ts';
import { startLab, type Lab } from '../support/lab.ts';

describe('agent client end to end against the simulator', () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    await lab?.stop();
  });

  for (const transport of ['winrm', 'ssh'] as const) {
    it(`host.info, inventory.collect, an agent error and the version bootstrap over ${transport}`, async () => {
      const pool = new TransportPool(lab.settings(transport), { resolveAddress: () => lab.address });
      const client = new AgentClient({ transports: pool, retry: { retries: 0 } });
      try {
        const info = await client.hostInfo(lab.host, {}, { correlationId: `e2e-${transport}` });
        assert.equal(info.name.toLowerCase(), lab.host.toLowerCase());
        assert.equal(info.agentVersion, lab.version);
        assert.ok(info.memoryTotalBytes > 0);

        const inventory = await client.inventoryCollect(lab.host);
        assert.equal(inventory.host.name.toLowerCase(), lab.host.toLowerCase());
        assert.equal(inventory.vms.length, 2);
        for (const vm of inventory.vms) assert.match(vm.vmId, /^[0-9a-f-]{36}$/i);

        const vmId = inventory.vms[0]!.vmId;
        const only = await client.inventoryCollect(lab.host, { vmIds: [vmId, '00000000-0000-4000-8000-000000000001'] });
        assert.deepEqual(only.vms.map((v) => v.vmId), [vmId]);

        const error = await client.vmPower(lab.host, { vmId: '00000000-0000-4000-8000-000000000001', action: 'start' }).then(() => assert.fail('a missing VM started'), (e: unknown) => e as AppError);
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'AGENT_OPERATION_FAILED');
        assert.equal(error.details.agentCode, 'VM_NOT_FOUND');

        const runner = new BootstrapRunner({ client, transportKind: (host) => pool.kind(host) });
        const version = await runner.run(lab.host, 'version', { installDirectory: client.installDirectory });
        assert.equal(version.installed, true);
        assert.equal(version.version, lab.version);
        assert.equal(version.hypervModule, true);
      } finally {
        await pool.close();
      }
    });
  }
});
