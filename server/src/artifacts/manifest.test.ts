import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../errors.ts';
import { artifactLocation, isSafeArtifactName, manifestEntry, parseManifest, serializeManifest } from './manifest.ts';

const HASH = 'a'.repeat(64);

describe('artifact manifest', () => {
  it('accepts plain relative names and nothing that could leave the install directory', () => {
    for (const name of ['AetherV.Agent.ps1', 'bootstrap/Install-Agent.ps1', 'WindowsProvisioning.iso', 'a/b/c_d-e.psm1']) {
      assert.ok(isSafeArtifactName(name), name);
    }
    for (const name of ['', '..', '../x.ps1', 'a/../b', './a', 'a//b', '/abs.ps1', 'C:/x.ps1', 'C:x', 'a\\b', '.hidden', 'a/', 'con.', 'a b.ps1', 'x'.repeat(201), 'é.ps1']) {
      assert.ok(!isSafeArtifactName(name), JSON.stringify(name));
    }
  });

  it('places ISOs under isos/ and everything else under scripts/', () => {
    assert.equal(artifactLocation('LinuxProvisioning.iso'), 'isos/LinuxProvisioning.iso');
    assert.equal(artifactLocation('bootstrap/Install-Agent.ps1'), 'scripts/bootstrap/Install-Agent.ps1');
  });

  it('serialises canonically (sorted, stable) and parses back', () => {
    const manifest = { version: '1.0.0', files: [manifestEntry('b.ps1', Buffer.from('b')), manifestEntry('a.ps1', Buffer.from(''))] };
    const text = serializeManifest(manifest);
    assert.ok(text.endsWith('}\n'));
    const parsed = parseManifest(text);
    assert.deepEqual(parsed.files.map((f) => f.name), ['a.ps1', 'b.ps1']);
    assert.deepEqual(parsed.files[0], { name: 'a.ps1', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', size: 0 });
    assert.equal(serializeManifest(parsed), text);
  });

  it('rejects manifests that are malformed, unsafe or ambiguous', () => {
    const file = { name: 'a.ps1', sha256: HASH, size: 1 };
    const bad = [
      'not json', '[]', '{"files":[]}', '{"version":"1","files":{}}',
      JSON.stringify({ version: '1', files: [{ ...file, name: '../a.ps1' }] }),
      JSON.stringify({ version: '1', files: [{ ...file, sha256: 'ABC' }] }),
      JSON.stringify({ version: '1', files: [{ ...file, size: -1 }] }),
      JSON.stringify({ version: '1', files: [{ ...file, size: 1.5 }] }),
      JSON.stringify({ version: '1', files: [file, file] }),
      JSON.stringify({ version: '1', files: [null] }),
    ];
    for (const text of bad) {
      assert.throws(() => parseManifest(text), (error: unknown) => isAppError(error) && error.code === 'ARTIFACTS_UNAVAILABLE', text);
    }
  });
});
