import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../errors.ts';
import { buildArtifacts } from './build.ts';
import { parseManifest } from './manifest.ts';
import { FALLBACK_EPOCH_SECONDS, resolveSourceDate } from './sources.ts';
import { xorrisoExtract, xorrisoFind, xorrisoVolumeId } from './xorriso.test-support.ts';
import { listTree } from '../../../test/support/files.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const SOURCES: Record<string, string> = {
  version: '2.4.007\n',
  'Powershell/AetherV.Agent.ps1': 'param()\n',
  'Powershell/CopyImage.ps1': '# image.copy\n',
  'Powershell/AetherV.Common.psm1': 'function Get-X {}\n',
  'Powershell/bootstrap/Install-Agent.ps1': '# install\n',
  'Powershell/bootstrap/Get-AgentVersion.ps1': '# version\n',
  'Powershell/tests/Agent.Tests.ps1': 'Describe "x" {}\n',
  'Powershell/Agent.Tests.ps1': 'Describe "y" {}\n',
  'Powershell/README.md': 'not a script\n',
  'Powershell/.editorconfig': 'root = true\n',
  'Windows/unattend.xml': '<unattend/>\n',
  'Windows/ProvisioningBootstrapper.ps1': '# boot\n',
  'Windows/modules/AetherV.Guest.Network.psm1': '# net\n',
  'Linux/user-data': '#cloud-config\n',
  'Linux/meta-data': 'instance-id: aetherv\n',
  'Linux/aetherv-guest-agent': '#!/usr/bin/env python3\n',
  'Linux/.swp': 'editor litter\n',
  'Linux/lib/__pycache__/kvp.cpython-311.pyc': 'bytecode with a build-machine timestamp\n',
  'Linux/lib/kvp.py': '# kvp\n',
};

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}


describe('buildArtifacts', () => {
  let root: string;
  const timestamp = new Date(Date.UTC(2025, 0, 1));

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'aetherv-build-'));
    await writeTree(root, SOURCES);
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('lays out isos/, scripts/, version and a manifest that matches every file', async () => {
    const outDir = join(root, 'out1');
    const result = await buildArtifacts({ root, outDir, timestamp });
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(await listTree(outDir), [
      'isos/LinuxProvisioning.iso', 'isos/WindowsProvisioning.iso', 'manifest.json',
      'scripts/AetherV.Agent.ps1', 'scripts/AetherV.Common.psm1', 'scripts/CopyImage.ps1',
      'scripts/bootstrap/Get-AgentVersion.ps1', 'scripts/bootstrap/Install-Agent.ps1', 'version',
    ]);
    assert.equal(await readFile(join(outDir, 'version'), 'utf8'), '2.4.007\n');
    const manifest = parseManifest(await readFile(join(outDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest, result.manifest);
    assert.equal(manifest.version, '2.4.007');
    assert.deepEqual(manifest.files.map((f) => f.name), [
      'AetherV.Agent.ps1', 'AetherV.Common.psm1', 'CopyImage.ps1', 'LinuxProvisioning.iso', 'WindowsProvisioning.iso',
      'bootstrap/Get-AgentVersion.ps1', 'bootstrap/Install-Agent.ps1',
    ]);
    for (const file of manifest.files) {
      const data = await readFile(join(outDir, file.name.endsWith('.iso') ? 'isos' : 'scripts', file.name));
      assert.equal(file.sha256, sha256(data), file.name);
      assert.equal(file.size, data.length, file.name);
    }
  });

  it('puts Windows/ and Linux/ plus version on ISOs labelled WINPROVISIONING and CIDATA', async () => {
    const outDir = join(root, 'out1');
    const windows = join(outDir, 'isos', 'WindowsProvisioning.iso');
    const linux = join(outDir, 'isos', 'LinuxProvisioning.iso');
    assert.equal(await xorrisoVolumeId(windows), 'WINPROVISIONING');
    assert.equal(await xorrisoVolumeId(linux), 'CIDATA');
    assert.deepEqual(await xorrisoFind(windows, { type: 'f' }), [
      '/ProvisioningBootstrapper.ps1', '/modules/AetherV.Guest.Network.psm1', '/unattend.xml', '/version',
    ]);
    assert.deepEqual(await xorrisoFind(linux, { type: 'f' }), ['/aetherv-guest-agent', '/lib/kvp.py', '/meta-data', '/user-data', '/version']);
    const extracted = join(root, 'cidata');
    await xorrisoExtract(linux, extracted);
    assert.equal(await readFile(join(extracted, 'user-data'), 'utf8'), SOURCES['Linux/user-data']);
    assert.equal(await readFile(join(extracted, 'version'), 'utf8'), SOURCES.version);
  });

  it('is idempotent and deterministic: a rebuild changes nothing, another folder gets the same bytes', async () => {
    const outDir = join(root, 'out1');
    const before = await stat(join(outDir, 'isos', 'LinuxProvisioning.iso'));
    const again = await buildArtifacts({ root, outDir, timestamp });
    assert.deepEqual(again.changed, []);
    assert.equal((await stat(join(outDir, 'isos', 'LinuxProvisioning.iso'))).mtimeMs, before.mtimeMs);
    const other = join(root, 'out2');
    await buildArtifacts({ root, outDir: other, timestamp });
    for (const path of await listTree(outDir)) {
      assert.ok((await readFile(join(outDir, path))).equals(await readFile(join(other, path))), path);
    }
  });

  it('removes what lost its source and rewrites only what changed', async () => {
    const outDir = join(root, 'out3');
    await buildArtifacts({ root, outDir, timestamp });
    await rm(join(root, 'Powershell', 'CopyImage.ps1'));
    await writeFile(join(root, 'Linux', 'meta-data'), 'instance-id: changed\n');
    try {
      const result = await buildArtifacts({ root, outDir, timestamp });
      assert.deepEqual(result.changed.sort(), ['isos/LinuxProvisioning.iso', 'manifest.json', 'scripts/CopyImage.ps1']);
      assert.ok(!result.manifest.files.some((f) => f.name === 'CopyImage.ps1'));
      await assert.rejects(stat(join(outDir, 'scripts', 'CopyImage.ps1')), { code: 'ENOENT' });
    } finally {
      await writeTree(root, { 'Powershell/CopyImage.ps1': SOURCES['Powershell/CopyImage.ps1']!, 'Linux/meta-data': SOURCES['Linux/meta-data']! });
    }
  });

  it('warns about ISOs guests cannot use and refuses a version file that would be hidden', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'aetherv-build-bare-'));
    try {
      await writeTree(bare, { version: '1.0.000\n', 'Linux/user-data': '#cloud-config\n' });
      const result = await buildArtifacts({ root: bare, outDir: join(bare, 'out'), timestamp });
      assert.deepEqual(result.warnings, [
        'Powershell/ has no scripts: hosts would get an empty agent',
        'WindowsProvisioning.iso: Windows/unattend.xml is missing; guests cannot provision from this ISO',
        'LinuxProvisioning.iso: Linux/meta-data is missing; guests cannot provision from this ISO',
      ]);
      await writeTree(bare, { 'Linux/version': 'other\n' });
      await assert.rejects(buildArtifacts({ root: bare, outDir: join(bare, 'out'), timestamp }),
        (error: unknown) => isAppError(error) && error.code === 'ARTIFACT_BUILD' && /Linux\/version/.test(error.message));
      await assert.rejects(buildArtifacts({ root: join(bare, 'missing'), outDir: join(bare, 'out2') }),
        (error: unknown) => isAppError(error) && error.code === 'ARTIFACT_BUILD');
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it('takes its timestamp from SOURCE_DATE_EPOCH, else git, else a fixed date — never the clock', async () => {
    assert.equal(resolveSourceDate(root, { SOURCE_DATE_EPOCH: '1700000000' }).getTime(), 1700000000 * 1000);
    assert.equal(resolveSourceDate(root, {}).getTime(), FALLBACK_EPOCH_SECONDS * 1000); // not a git checkout
    const { stdout } = await run('git', ['log', '-1', '--format=%ct', '--', 'version'], { cwd: REPO });
    assert.equal(resolveSourceDate(REPO, {}).getTime(), Number(stdout.trim()) * 1000);
  });

  it('runs as the build:artifacts command with --root and --out', async () => {
    const outDir = join(root, 'cli-out');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(REPO, 'server/src/artifacts/build.ts'), '--root', root, `--out=${outDir}`], {
      cwd: REPO, env: { ...process.env, SOURCE_DATE_EPOCH: String(timestamp.getTime() / 1000) }, timeout: 60_000,
    });
    assert.match(stdout, /^artifacts 2\.4\.007 in /);
    assert.match(stdout, /isos\/LinuxProvisioning\.iso/);
    const viaApi = join(root, 'out1');
    assert.ok((await readFile(join(outDir, 'manifest.json'))).equals(await readFile(join(viaApi, 'manifest.json'))));
  });
});
