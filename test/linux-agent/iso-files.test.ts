/**
 * The files under Linux/ (copied to the root of LinuxProvisioning.iso): cloud-init accepts the
 * user-data (its own schema validator, Debian's cloud-init), and the user-data, the systemd unit and
 * the agent agree on where things live.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';

const run = promisify(execFile);
const LINUX = resolve(fileURLToPath(import.meta.url), '../../../Linux');
const CLOUD_INIT = '/usr/bin/cloud-init';
const read = (name: string): string => readFileSync(join(LINUX, name), 'utf8');

async function schemaCheck(path: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(CLOUD_INIT, ['schema', '--config-file', path], { timeout: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('Linux provisioning ISO files', () => {
  test('Linux/ holds exactly the files the ISO needs, the agent executable', () => {
    assert.deepEqual(readdirSync(LINUX).sort(), ['aetherv-guest-agent', 'aetherv-guest-agent.service', 'meta-data', 'user-data']);
    assert.ok((statSync(join(LINUX, 'aetherv-guest-agent')).mode & 0o111) !== 0);
    assert.match(read('aetherv-guest-agent'), /^#!\/usr\/bin\/env python3\n/);
  });

  test('cloud-init schema accepts user-data (and rejects a broken copy)', async () => {
    const good = await schemaCheck(join(LINUX, 'user-data'));
    assert.ok(good.ok, good.output);
    assert.match(good.output, /Valid cloud-config/);

    const dir = mkdtempSync(join(tmpdir(), 'aetherv-userdata-'));
    try {
      const broken = join(dir, 'user-data');
      writeFileSync(broken, read('user-data').replace('preserve_hostname: true', 'preserve_hostname: "yes please"'));
      const bad = await schemaCheck(broken);
      assert.equal(bad.ok, false, 'the validator really validates');
      assert.match(bad.output, /preserve_hostname/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('user-data, meta-data, the unit and the agent agree on paths', () => {
    const userData = read('user-data');
    assert.match(userData, /^#cloud-config\n/);
    const doc = parseYaml(userData) as { preserve_hostname: boolean; runcmd: string[][] };
    assert.equal(doc.preserve_hostname, true);
    const script = doc.runcmd.flat().join('\n');
    const unit = read('aetherv-guest-agent.service');
    const agent = read('aetherv-guest-agent');

    // The unit starts the agent where user-data installs it; the agent's version file is where user-data puts the ISO's.
    const execStart = /^ExecStart=\/usr\/bin\/python3 (\S+)$/m.exec(unit)?.[1];
    assert.ok(execStart);
    assert.ok(script.includes(`"$mnt/aetherv-guest-agent" ${execStart}`), 'user-data installs the agent at ExecStart');
    assert.ok(script.includes('"$mnt/aetherv-guest-agent.service" /etc/systemd/system/aetherv-guest-agent.service'));
    assert.ok(script.includes('"$mnt/version" /var/lib/aetherv/version'));
    assert.ok(agent.includes('"var/lib/aetherv/version"'));
    // The unit stops starting once the agent has written its success marker, and the agent disables that unit.
    assert.match(unit, /^ConditionPathExists=!\/var\/lib\/aetherv\/applied$/m);
    assert.ok(agent.includes('"var/lib/aetherv/applied"'));
    assert.ok(agent.includes('UNIT = "aetherv-guest-agent.service"'));
    // The CIDATA volume is found by label, as the ISO builder names it.
    assert.match(script, /blkid -L CIDATA/);

    const meta = parseYaml(read('meta-data')) as Record<string, unknown>;
    assert.equal(typeof meta['instance-id'], 'string');
  });
});
