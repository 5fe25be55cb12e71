/**
 * What a Windows guest actually receives: the real Windows/ tree built into
 * WindowsProvisioning.iso by the artifact builder, read back with xorriso (Joliet, as Windows
 * reads it). The answer file, the bootstrapper, every file the bootstrapper copies and every
 * module the agent imports must be there under the exact names the scripts use.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildArtifacts } from '../../server/src/artifacts/build.ts';
import { THROWAWAY_TOKEN } from '../../server/src/artifacts/unattend-password.ts';
import { xorrisoExtract, xorrisoFind, xorrisoVolumeId } from '../../server/src/artifacts/xorriso.test-support.ts';
import { loadScripts, repoRoot, stringLiterals, windowsRoot } from './ps-tree.ts';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  // Pester tests (tests/, *.Tests.ps1) never ship: the artifact build leaves them out.
  return entries.filter((e) => e.isFile()).map((e) => '/' + relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .filter((path) => !/^\/tests?\//i.test(path) && !/\.Tests\.ps1$/i.test(path)).sort();
}

describe('WindowsProvisioning.iso built from Windows/', () => {
  let work = '';
  let iso = '';
  let extracted = '';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'aetherv-windows-iso-'));
    await buildArtifacts({ root: repoRoot, outDir: join(work, 'out'), timestamp: new Date('2026-01-01T00:00:00Z') });
    iso = join(work, 'out', 'isos', 'WindowsProvisioning.iso');
    extracted = join(work, 'extracted');
    await xorrisoExtract(iso, extracted);
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is labelled WINPROVISIONING, the label unattend.xml and the bootstrapper look for', async () => {
    assert.equal(await xorrisoVolumeId(iso), 'WINPROVISIONING');
    const unattend = await readFile(join(windowsRoot, 'unattend.xml'), 'utf8');
    assert.match(unattend, /findstr \/c:WINPROVISIONING/);
    const bootstrap = await readFile(join(windowsRoot, 'AetherV.Bootstrap.ps1'), 'utf8');
    assert.match(bootstrap, /\$VolumeLabel = 'WINPROVISIONING'/);
  });

  it('holds exactly Windows/ plus version, byte for byte, under their mixed-case names', async () => {
    const expected = [...(await listFiles(windowsRoot)), '/version'].sort();
    assert.deepEqual(await xorrisoFind(iso, { type: 'f' }), expected);
    for (const path of expected) {
      const source = path === '/version' ? join(repoRoot, 'version') : join(windowsRoot, path);
      if (path === '/unattend.xml') continue;
      assert.ok((await readFile(join(extracted, path))).equals(await readFile(source)), path);
    }
    // unattend.xml differs only by the build's throw-away Administrator password (issue 16).
    const onIso = await readFile(join(extracted, 'unattend.xml'), 'utf8');
    const password = /<AdministratorPassword>\s*<Value>([^<]+)<\/Value>/.exec(onIso)?.[1] ?? '';
    assert.ok(password !== '' && password !== THROWAWAY_TOKEN && !onIso.includes(THROWAWAY_TOKEN), 'the token is replaced');
    assert.equal(onIso, (await readFile(join(windowsRoot, 'unattend.xml'), 'utf8')).replace(THROWAWAY_TOKEN, password));
  });

  it('carries every file the bootstrapper copies and every module the agent imports', async () => {
    const files = loadScripts();
    const bootstrap = files.find((f) => f.path === 'AetherV.Bootstrap.ps1');
    assert.ok(bootstrap);
    const copied = /\$agentFiles = @\(([^)]*)\)/.exec(bootstrap.source)?.[1]?.match(/'[^']+'/g)?.map((s) => s.slice(1, -1));
    assert.deepEqual(copied, ['AetherV.Guest.ps1', 'AetherV.Bootstrap.ps1', 'version']);
    const onIso = new Set(await xorrisoFind(iso, { type: 'f' }));
    for (const name of copied ?? []) assert.ok(onIso.has(`/${name}`), name);

    const guest = files.find((f) => f.path === 'AetherV.Guest.ps1');
    assert.ok(guest);
    const imports = stringLiterals([guest]).map((l) => l.value).filter((v) => /^AetherV\.[A-Za-z]+$/.test(v));
    assert.ok(imports.length >= 10);
    for (const module of imports) assert.ok(onIso.has(`/Modules/${module}.psm1`), module);
    // The bootstrapper imports these two straight from the ISO.
    for (const module of ['AetherV.Log', 'AetherV.Task']) assert.ok(onIso.has(`/Modules/${module}.psm1`), module);
  });
});
