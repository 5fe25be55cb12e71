/** The pure rules the routes and the jobs share: what a state allows, what needs the VM Off, how a guest configuration is split. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { powerRefusal } from '../../../server/src/jobs/kinds/power.ts';
import { changesNeedingOff, unapplied, updateRefusal } from '../../../server/src/jobs/kinds/update.ts';
import { deleteRefusal } from '../../../server/src/jobs/kinds/delete.ts';
import { joinGuestConfig, splitGuestConfig } from '../../../server/src/jobs/kinds/guest-secrets.ts';
import { prepareGuest } from '../../../server/src/jobs/kinds/provision-request.ts';
import type { Vm } from '../../../server/src/agent/types.generated.ts';

const MIB = 1024 * 1024;
const staticVm = { cpuCount: 2, memory: { startupBytes: 2048 * MIB, assignedBytes: 0, dynamic: false, minimumBytes: 2048 * MIB, maximumBytes: 2048 * MIB } };
const dynamicVm = { cpuCount: 2, memory: { startupBytes: 2048 * MIB, assignedBytes: 0, dynamic: true, minimumBytes: 512 * MIB, maximumBytes: 8192 * MIB } };

describe('job rules', () => {
  it('power: impossible transitions name the state; reaching the current state is no refusal', () => {
    assert.equal(powerRefusal('Off', 'pause'), 'cannot pause a VM that is Off');
    assert.equal(powerRefusal('Saved', 'shutdown'), 'cannot shutdown a VM that is Saved');
    assert.equal(powerRefusal('Running', 'start'), null);
    assert.equal(powerRefusal('Paused', 'resume'), null);
    assert.equal(powerRefusal('Off', 'reset'), 'cannot reset a VM that is Off');
    assert.equal(powerRefusal('Starting', 'stop'), 'cannot stop a VM that is Starting');
  });

  it('update: CPU, startup memory and the dynamic switch need the VM Off; the dynamic range and notes do not', () => {
    assert.deepEqual(changesNeedingOff(staticVm, { cpuCount: 4 }), ['the CPU count']);
    assert.deepEqual(changesNeedingOff(staticVm, { cpuCount: 2, notes: 'x', name: 'y' }), []);
    assert.deepEqual(changesNeedingOff(staticVm, { memory: { startupMiB: 4096 } }), ['startup memory']);
    assert.deepEqual(changesNeedingOff(staticVm, { memory: { dynamic: true } }), ['dynamic memory on or off']);
    assert.deepEqual(changesNeedingOff(dynamicVm, { memory: { minimumMiB: 1024, maximumMiB: 4096 } }), []);
    assert.equal(updateRefusal({ ...staticVm, state: 'Running' }, { cpuCount: 4 }, true), null);
    assert.match(updateRefusal({ ...staticVm, state: 'Saved' }, { cpuCount: 4 }, true) ?? '', /it is Saved \(turn it off first\)/);
    assert.equal(updateRefusal({ ...staticVm, state: 'Off' }, { cpuCount: 4 }, false), null);
  });

  it('update: verification names what the host did not apply', () => {
    const vm = { ...dynamicVm, name: 'a', notes: 'n' } as unknown as Vm;
    assert.deepEqual(unapplied(vm, { name: 'a', notes: 'n', memory: { maximumMiB: 8192 } }), []);
    assert.deepEqual(unapplied(vm, { cpuCount: 3, memory: { maximumMiB: 4096 } }), ['CPU count is 2', 'maximum memory is 8192 MiB']);
  });

  it('delete: a running VM needs force', () => {
    assert.match(deleteRefusal('Running', false) ?? '', /without force=true/);
    assert.equal(deleteRefusal('Running', true), null);
    assert.equal(deleteRefusal('Saved', false), null);
  });

  it('guest configuration: passwords split off and joined back exactly', () => {
    const full = {
      hostname: 'db-01', localAdmin: { username: 'ops', password: 'p1-secret' },
      domainJoin: { domain: 'corp.example', username: 'joiner', password: 'p2-secret' },
      users: [{ name: 'a', sshAuthorizedKeys: ['ssh-ed25519 AAAA a'] }, { name: 'b', password: 'p3-secret' }],
    };
    const { config, passwords } = splitGuestConfig(full);
    assert.ok(!JSON.stringify(config).includes('secret'));
    assert.deepEqual(passwords, { localAdmin: 'p1-secret', domainJoin: 'p2-secret', users: { 1: 'p3-secret' } });
    assert.deepEqual(joinGuestConfig(config, passwords), full);
  });

  it('guest configuration: Windows limits, hostname defaulted to the VM name only when it fits', () => {
    assert.throws(() => prepareGuest({ hostname: 'sixteen-chars-xx' }, 'windows'), { code: 'GUEST_CONFIG_INVALID', message: /at most 15 characters for Windows/ });
    assert.equal(prepareGuest({ hostname: 'sixteen-chars-xx' }, 'linux').config.hostname, 'sixteen-chars-xx');
    assert.equal(prepareGuest({}, 'windows', 'a-long-vm-name-for-windows').config.hostname, undefined);
    assert.equal(prepareGuest({}, 'linux', 'a-long-vm-name-for-windows').config.hostname, 'a-long-vm-name-for-windows');
    assert.equal(prepareGuest({}, 'linux', "it's not a host name").config.hostname, undefined);
    const split = prepareGuest({ localAdmin: { username: 'ops', password: 'Secret-1' } }, 'windows', 'web');
    assert.deepEqual(split.secrets, { guestPasswords: { localAdmin: 'Secret-1' } });
    assert.deepEqual(split.config, { hostname: 'web', localAdmin: { username: 'ops' } });
  });
});
