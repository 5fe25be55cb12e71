import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../errors.ts';
import type { IsoFileEntry } from './iso9660.ts';
import { createIso } from './iso9660.ts';
import { primaryIdentifiers } from './iso-names.ts';
import { tool, toolBytes, xorrisoExtract, xorrisoFind, xorrisoVolumeId } from './xorriso.test-support.ts';

const TIMESTAMP = new Date(Date.UTC(2025, 5, 30, 12, 34, 56));

function pattern(size: number, seed: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed + (i >> 11)) & 0xff;
  return data;
}

const ENTRIES: IsoFileEntry[] = [
  { path: 'user-data', data: Buffer.from('#cloud-config\nruncmd: []\n') },
  { path: 'meta-data', data: Buffer.from('instance-id: aetherv\n') },
  { path: 'aetherv-guest-agent', data: Buffer.from('#!/usr/bin/env python3\nprint("hi")\n') },
  { path: 'unattend.xml', data: Buffer.from('<?xml version="1.0"?><unattend/>') },
  { path: 'modules/AetherV.Guest.psm1', data: Buffer.from('function A {}') },
  { path: 'modules/AetherV.Network.psm1', data: Buffer.from('function B {}') },
  { path: 'modules/AetherV.NetworkTeam.psm1', data: Buffer.from('function C {}') },
  { path: 'modules/nested/deeper/Leaf File.txt', data: Buffer.from('leaf') },
  { path: 'Ünïcode-名前.txt', data: Buffer.from('non-ascii name') },
  { path: 'empty', data: Buffer.alloc(0) },
  { path: 'exactly-one-sector.bin', data: pattern(2048, 1) },
  { path: 'big/five-megabytes.bin', data: pattern(5 * 1024 * 1024 + 777, 2) },
  { path: 'version', data: Buffer.from('1.2.003\n') },
];

/** Reads both path tables of a volume descriptor and checks them against the directory tree they index. */
function checkPathTables(image: Buffer, descriptorSector: number, joliet: boolean): string[] {
  const vd = image.subarray(descriptorSector * 2048, descriptorSector * 2048 + 2048);
  const size = vd.readUInt32LE(132);
  assert.equal(vd.readUInt32BE(136), size, 'path table size recorded in both byte orders');
  const lTable = image.subarray(vd.readUInt32LE(140) * 2048).subarray(0, size);
  const mTable = image.subarray(vd.readUInt32BE(148) * 2048).subarray(0, size);
  // Single-byte 0x00/0x01 are the '.' and '..' records, in both trees.
  const decode = (id: Buffer) => (joliet && id.length % 2 === 0 ? Buffer.from(id).swap16().toString('utf16le') : id.toString('latin1'));
  const rows: { name: string; extent: number; parent: number }[] = [];
  for (let at = 0; at < size;) {
    const length = lTable[at]!;
    assert.equal(mTable[at], length);
    const extent = lTable.readUInt32LE(at + 2);
    const parent = lTable.readUInt16LE(at + 6);
    assert.equal(mTable.readUInt32BE(at + 2), extent, 'M table extent matches L table');
    assert.equal(mTable.readUInt16BE(at + 6), parent, 'M table parent matches L table');
    rows.push({ name: rows.length === 0 ? '' : decode(lTable.subarray(at + 8, at + 8 + length)), extent, parent });
    at += 8 + length + (length % 2);
  }
  // Every directory reached from the root record appears in the table with its parent's number.
  const rootExtent = vd.readUInt32LE(156 + 2);
  assert.equal(rows[0]!.extent, rootExtent);
  const paths: string[] = [];
  rows.forEach((row, i) => {
    if (i === 0) return paths.push('');
    assert.ok(row.parent <= i, 'parents come before their children');
    const parentRow = rows[row.parent - 1]!;
    // Find the child's directory record inside its parent's extent.
    const dir = image.subarray(parentRow.extent * 2048);
    const dirLength = dir.readUInt32LE(10);
    let found = false;
    for (let at = 0; at < dirLength;) {
      const length = dir[at]!;
      if (length === 0) { at = (Math.floor(at / 2048) + 1) * 2048; continue; }
      const id = dir.subarray(at + 33, at + 33 + dir[at + 32]!);
      if ((dir[at + 25]! & 2) !== 0 && decode(id) === row.name) {
        assert.equal(dir.readUInt32LE(at + 2), row.extent, `extent of ${row.name}`);
        found = true;
      }
      at += length;
    }
    assert.ok(found, `path table entry ${row.name} has a directory record`);
    return paths.push(`${paths[row.parent - 1]}/${row.name}`);
  });
  return paths;
}

describe('ISO 9660 writer', () => {
  let dir: string;
  let isoPath: string;
  let image: Buffer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aetherv-iso-'));
    image = createIso(ENTRIES, { volumeId: 'CIDATA', timestamp: TIMESTAMP, applicationId: 'AETHERV TEST' });
    isoPath = join(dir, 'test.iso');
    await writeFile(isoPath, image);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('records the volume label xorriso and isoinfo report', async () => {
    assert.equal(await xorrisoVolumeId(isoPath), 'CIDATA');
    const { stdout } = await tool('isoinfo', ['-d', '-i', isoPath]);
    assert.match(stdout, /^Volume id: CIDATA$/m);
    assert.match(stdout, /Joliet with UCS level 3 found/);
    assert.match(stdout, /^Volume size is: (\d+)$/m);
    assert.equal(Number(/^Volume size is: (\d+)$/m.exec(stdout)![1]) * 2048, image.length);
  });

  it('shows every file under its original Joliet name, nested folders included', async () => {
    const files = await xorrisoFind(isoPath, { type: 'f' });
    assert.deepEqual(files, ENTRIES.map((e) => `/${e.path}`).sort());
    const dirs = await xorrisoFind(isoPath, { type: 'd' });
    assert.deepEqual(dirs, ['/', '/big', '/modules', '/modules/nested', '/modules/nested/deeper']);
  });

  it('gives back every byte of every file (empty, one sector, 5 MB)', async () => {
    const out = join(dir, 'extract');
    await xorrisoExtract(isoPath, out);
    for (const entry of ENTRIES) {
      const data = await readFile(join(out, entry.path));
      assert.ok(data.equals(Buffer.from(entry.data)), `${entry.path} is byte-identical`);
    }
  });

  it('reads back the same bytes with a second, independent reader (isoinfo, Joliet)', async () => {
    for (const entry of ENTRIES.filter((e) => !/[^\x20-\x7e]/.test(e.path))) {
      const data = await toolBytes('isoinfo', ['-J', '-i', isoPath, '-x', `/${entry.path}`]);
      assert.ok(data.equals(Buffer.from(entry.data)), `${entry.path} via isoinfo`);
    }
  });

  it('has a valid level-1 primary tree with unique 8.3 names', async () => {
    const paths = await xorrisoFind(isoPath, { tree: 'primary' });
    assert.equal(paths.length, ENTRIES.length + 5); // files + root + 4 directories
    for (const path of paths.slice(1)) {
      for (const segment of path.slice(1).split('/')) assert.match(segment, /^[A-Z0-9_~]{1,8}(\.[A-Z0-9_]{0,3})?$/, path);
    }
    assert.ok(paths.includes('/USER_DAT') && paths.includes('/META_DAT'));
    assert.ok(paths.includes('/MODULES/AETHERV_.PSM') && paths.includes('/MODULES/AETHER~1.PSM') && paths.includes('/MODULES/AETHER~2.PSM'));
    const { stdout } = await tool('isovfy', [isoPath]);
    assert.match(stdout, /No errors found/);
  });

  it('writes L and M path tables that index both trees', () => {
    assert.deepEqual(checkPathTables(image, 16, false), ['', '/BIG', '/MODULES', '/MODULES/NESTED', '/MODULES/NESTED/DEEPER']);
    assert.deepEqual(checkPathTables(image, 17, true), ['', '/big', '/modules', '/modules/nested', '/modules/nested/deeper']);
  });

  it('is deterministic: same input in any order gives the same bytes; the timestamp is the only date', () => {
    const again = createIso([...ENTRIES].reverse(), { volumeId: 'CIDATA', timestamp: TIMESTAMP, applicationId: 'AETHERV TEST' });
    assert.ok(again.equals(image));
    const later = createIso(ENTRIES, { volumeId: 'CIDATA', timestamp: new Date(TIMESTAMP.getTime() + 1000), applicationId: 'AETHERV TEST' });
    assert.equal(later.length, image.length);
    assert.ok(!later.equals(image));
  });

  it('refuses what ISO 9660 or Joliet cannot record', () => {
    const one = (path: string) => [{ path, data: Buffer.from('x') }];
    const refuse = (fn: () => unknown, pattern: RegExp) =>
      assert.throws(fn, (error: unknown) => isAppError(error) && error.code === 'ARTIFACT_BUILD' && pattern.test(error.message));
    const options = { volumeId: 'CIDATA', timestamp: TIMESTAMP };
    refuse(() => createIso(one('a'), { ...options, volumeId: 'cidata' }), /volume label/);
    refuse(() => createIso(one('a'), { ...options, volumeId: 'A'.repeat(17) }), /volume label/);
    refuse(() => createIso(one('../etc/passwd'), options), /invalid ISO path/);
    refuse(() => createIso(one('/abs'), options), /invalid ISO path/);
    refuse(() => createIso([...one('a'), ...one('a')], options), /duplicate/);
    refuse(() => createIso([...one('a'), ...one('a/b')], options), /both a file and a directory/);
    refuse(() => createIso(one(`${'n'.repeat(65)}.txt`), options), /longer than 64/);
    refuse(() => createIso(one('what?.txt'), options), /character Joliet/);
    refuse(() => createIso(one('1/2/3/4/5/6/7/8/9.txt'), options), /deeper than 8/);
    refuse(() => createIso([...one('Modules/a.psm1'), ...one('modules/b.psm1')], options), /differ only in case/);
  });
});

describe('primary (ISO 9660) identifiers', () => {
  it('maps to d-characters, cuts to 8.3 and numbers clashes in name order', () => {
    const ids = primaryIdentifiers([
      { name: 'AetherV.Guest.psm1', directory: false },
      { name: 'AetherV.Network.psm1', directory: false },
      { name: 'aetherv-guest-agent', directory: false },
      { name: 'bootstrap', directory: true },
      { name: 'provisioning-modules', directory: true },
      { name: 'provisioning-scripts', directory: true },
    ]);
    assert.deepEqual([...ids.values()].map((i) => i.recorded), [
      'AETHERV_.PSM;1', 'AETHER~1.PSM;1', 'AETHERV_.;1', 'BOOTSTRA', 'PROVISIO', 'PROVIS~1',
    ]);
  });
});
