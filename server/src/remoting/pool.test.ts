import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TransportPool } from './pool.ts';
import { createTransport } from './index.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings } from './settings.ts';
import type { HostTransport } from './transport.ts';

const settings = (transport: 'winrm' | 'ssh'): RemotingSettings => ({ transport, connectTimeoutMs: 1000, winrm: { ...DEFAULT_WINRM }, ssh: { ...DEFAULT_SSH } });

describe('transport factory and pool', () => {
  it('creates the transport HOST_TRANSPORT names', async () => {
    const ssh = createTransport('hv01', settings('ssh'));
    const winrm = createTransport('hv01', settings('winrm'), { address: '127.0.0.1' });
    assert.equal(ssh.kind, 'ssh');
    assert.equal(winrm.kind, 'winrm');
    await Promise.all([ssh.close(), winrm.close()]);
  });

  it('keeps one transport per host, passes the resolved address, and closes them all', async () => {
    const made: { host: string; address?: string; closed: boolean }[] = [];
    const pool = new TransportPool(settings('ssh'), {
      resolveAddress: (host) => (host === 'hv01' ? '127.0.0.9' : undefined),
      factory: (host, _settings, options) => {
        const record = { host, address: options.address, closed: false };
        made.push(record);
        return { host, kind: 'ssh', run: async () => ({ exitCode: 0, stdout: '', stderr: '' }), close: async () => { record.closed = true; } } satisfies HostTransport;
      },
    });
    assert.equal(pool.get('hv01'), pool.get('hv01'));
    pool.get('hv02');
    assert.deepEqual(made.map((m) => [m.host, m.address]), [['hv01', '127.0.0.9'], ['hv02', undefined]]);
    await pool.evict('hv01');
    assert.equal(made[0]!.closed, true);
    pool.get('hv01');
    assert.equal(made.length, 3, 'an evicted host gets a fresh transport');
    await pool.close();
    assert.ok(made.every((m) => m.closed));
    assert.throws(() => pool.get('hv01'), { code: 'REMOTE_CANCELLED' }, 'a closed pool opens no new connection (shutdown)');
    assert.equal(made.length, 3);
  });
});
