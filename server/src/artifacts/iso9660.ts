/**
 * A deterministic ISO 9660 image writer (ECMA-119 level 1 primary tree + Joliet tree).
 *
 * Layout: system area (sectors 0–15), primary volume descriptor (16), Joliet supplementary
 * descriptor (17), terminator (18), the four path tables of each tree (L and M), the
 * primary directories, the Joliet directories, then the file data (shared by both trees).
 * Every ordering derives from sorted names and every timestamp from `options.timestamp`,
 * so the same input always gives the same bytes. No Rock Ridge, no El Torito: these are
 * data discs read by Windows Setup, cloud-init and the guest agents.
 */
import { AppError } from '../errors.ts';
import {
  FILE_FLAG_DIRECTORY, SECTOR_SIZE, directoryRecordLength, pathTableRecordLength, sectorsFor, ucs2be,
  writeAsciiField, writeBothEndian16, writeBothEndian32, writeDirectoryRecord, writePathTableRecord,
  writeUcs2Field, writeVolumeDate,
} from './iso-encoding.ts';
import type { Identifier } from './iso-names.ts';
import { compareIdentifiers, jolietIdentifier, primaryIdentifiers } from './iso-names.ts';
import type { IsoFileEntry, TreeDirectory, TreeFile, TreeNode } from './iso-tree.ts';
import { buildTree, filesInOrder } from './iso-tree.ts';

export type { IsoFileEntry } from './iso-tree.ts';

export interface IsoOptions {
  /** Volume label: 1–16 characters of A–Z, 0–9, _ (recorded in both descriptors). */
  volumeId: string;
  /** The one timestamp recorded everywhere (volume and file dates). */
  timestamp: Date;
  /** Application identifier (a-characters), e.g. "AETHERV ORCHESTRATOR 1.2.3". */
  applicationId?: string;
}

type Naming = 'primary' | 'joliet';

interface ChildRecord { node: TreeNode; identifier: Buffer }

interface DirectoryLayout {
  node: TreeDirectory;
  number: number;
  parentNumber: number;
  /** Identifier as recorded in the path table (root = 0x00). */
  identifier: Buffer;
  children: ChildRecord[];
  size: number;
  extent: number;
}

interface TreeLayout {
  naming: Naming;
  directories: DirectoryLayout[];
  byNode: Map<TreeDirectory, DirectoryLayout>;
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
}

const FIRST_FREE_SECTOR = 19;
const DOT = Buffer.from([0]);
const DOTDOT = Buffer.from([1]);

function childIdentifiers(dir: TreeDirectory, naming: Naming): Map<string, Identifier> {
  if (naming === 'primary') return primaryIdentifiers(dir.children.map((c) => ({ name: c.name, directory: c.kind === 'directory' })));
  return new Map(dir.children.map((c) => [c.name, jolietIdentifier(c.name, c.kind === 'directory')]));
}

/** Offsets of each record in a directory extent (records never cross a sector, 6.8.1.1). */
function recordOffsets(identifierLengths: number[]): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let offset = 0;
  for (const length of identifierLengths) {
    const recordLength = directoryRecordLength(length);
    if ((offset % SECTOR_SIZE) + recordLength > SECTOR_SIZE) offset = sectorsFor(offset) * SECTOR_SIZE;
    offsets.push(offset);
    offset += recordLength;
  }
  return { offsets, size: sectorsFor(offset) * SECTOR_SIZE };
}

/** Breadth first with sorted children: exactly the path table order of 6.9.1. */
function layoutTree(root: TreeDirectory, naming: Naming): TreeLayout {
  const encode = (text: string) => (naming === 'primary' ? Buffer.from(text, 'latin1') : ucs2be(text));
  const directories: DirectoryLayout[] = [];
  const byNode = new Map<TreeDirectory, DirectoryLayout>();
  const queue: { node: TreeDirectory; parentNumber: number; identifier: Buffer }[] = [{ node: root, parentNumber: 1, identifier: DOT }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const ids = childIdentifiers(next.node, naming);
    const children = next.node.children
      .map((node) => ({ node, id: ids.get(node.name)! }))
      .sort((a, b) => compareIdentifiers(a.id, b.id))
      .map(({ node, id }) => ({ node, identifier: encode(id.recorded) }));
    const layout: DirectoryLayout = {
      node: next.node, number: directories.length + 1, parentNumber: next.parentNumber, identifier: next.identifier,
      children, size: recordOffsets([1, 1, ...children.map((c) => c.identifier.length)]).size, extent: 0,
    };
    directories.push(layout);
    byNode.set(next.node, layout);
    for (const child of children) {
      if (child.node.kind === 'directory') queue.push({ node: child.node, parentNumber: layout.number, identifier: child.identifier });
    }
  }
  const pathTableSize = directories.reduce((sum, d) => sum + pathTableRecordLength(d.identifier.length), 0);
  return { naming, directories, byNode, pathTableSize, lPathTable: 0, mPathTable: 0 };
}

function writePathTables(image: Buffer, tree: TreeLayout): void {
  let l = tree.lPathTable * SECTOR_SIZE;
  let m = tree.mPathTable * SECTOR_SIZE;
  for (const dir of tree.directories) {
    l += writePathTableRecord(image, l, dir.identifier, dir.extent, dir.parentNumber, false);
    m += writePathTableRecord(image, m, dir.identifier, dir.extent, dir.parentNumber, true);
  }
}

function writeDirectories(image: Buffer, tree: TreeLayout, fileExtents: Map<TreeFile, number>, date: Date): void {
  for (const dir of tree.directories) {
    const parent = tree.directories[dir.parentNumber - 1]!;
    const records = [
      { identifier: DOT, extent: dir.extent, dataLength: dir.size, flags: FILE_FLAG_DIRECTORY },
      { identifier: DOTDOT, extent: parent.extent, dataLength: parent.size, flags: FILE_FLAG_DIRECTORY },
      ...dir.children.map(({ node, identifier }) => {
        if (node.kind === 'file') return { identifier, extent: fileExtents.get(node)!, dataLength: node.data.length, flags: 0 };
        const child = tree.byNode.get(node)!;
        return { identifier, extent: child.extent, dataLength: child.size, flags: FILE_FLAG_DIRECTORY };
      }),
    ];
    const { offsets } = recordOffsets(records.map((r) => r.identifier.length));
    records.forEach((record, i) => writeDirectoryRecord(image, dir.extent * SECTOR_SIZE + offsets[i]!, { ...record, date }));
  }
}

function writeVolumeDescriptor(image: Buffer, sector: number, tree: TreeLayout, totalSectors: number, options: IsoOptions): void {
  const at = sector * SECTOR_SIZE;
  const field = tree.naming === 'primary' ? writeAsciiField : writeUcs2Field;
  image[at] = tree.naming === 'primary' ? 1 : 2;
  image.write('CD001', at + 1, 'latin1');
  image[at + 6] = 1;
  field(image, at + 8, 32, ''); // system identifier
  field(image, at + 40, 32, options.volumeId);
  writeBothEndian32(image, at + 80, totalSectors);
  if (tree.naming === 'joliet') image.write('%/E', at + 88, 'latin1'); // UCS-2 level 3
  writeBothEndian16(image, at + 120, 1); // volume set size
  writeBothEndian16(image, at + 124, 1); // volume sequence number
  writeBothEndian16(image, at + 128, SECTOR_SIZE);
  writeBothEndian32(image, at + 132, tree.pathTableSize);
  image.writeUInt32LE(tree.lPathTable, at + 140);
  image.writeUInt32BE(tree.mPathTable, at + 148);
  const root = tree.directories[0]!;
  writeDirectoryRecord(image, at + 156, { identifier: DOT, extent: root.extent, dataLength: root.size, flags: FILE_FLAG_DIRECTORY, date: options.timestamp });
  field(image, at + 190, 128, ''); // volume set
  field(image, at + 318, 128, ''); // publisher
  field(image, at + 446, 128, ''); // data preparer
  field(image, at + 574, 128, options.applicationId ?? '');
  field(image, at + 702, 37, ''); // copyright file
  field(image, at + 739, 37, ''); // abstract file
  field(image, at + 776, 37, ''); // bibliographic file
  writeVolumeDate(image, at + 813, options.timestamp); // creation
  writeVolumeDate(image, at + 830, options.timestamp); // modification
  writeVolumeDate(image, at + 847, null); // expiration
  writeVolumeDate(image, at + 864, null); // effective
  image[at + 881] = 1; // file structure version
}

function checkOptions(options: IsoOptions): void {
  if (!/^[A-Z0-9_]{1,16}$/.test(options.volumeId)) {
    throw new AppError('ARTIFACT_BUILD', `ISO volume label must be 1-16 characters of A-Z, 0-9, _: ${JSON.stringify(options.volumeId)}`);
  }
  if (options.applicationId !== undefined && !/^[A-Z0-9_ !"%&'()*+,\-./:;<=>?]{0,128}$/.test(options.applicationId)) {
    throw new AppError('ARTIFACT_BUILD', 'ISO application identifier must use a-characters (uppercase ASCII)');
  }
  const year = options.timestamp.getUTCFullYear();
  if (Number.isNaN(year) || year < 1900 || year > 2155) throw new AppError('ARTIFACT_BUILD', 'ISO timestamp outside 1900-2155');
}

/** Builds the image in memory. Provisioning ISOs are a few megabytes, so one buffer is fine. */
export function createIso(entries: readonly IsoFileEntry[], options: IsoOptions): Buffer {
  checkOptions(options);
  const root = buildTree(entries);
  const trees = [layoutTree(root, 'primary'), layoutTree(root, 'joliet')];
  let next = FIRST_FREE_SECTOR;
  for (const tree of trees) {
    tree.lPathTable = next;
    next += sectorsFor(tree.pathTableSize);
    tree.mPathTable = next;
    next += sectorsFor(tree.pathTableSize);
  }
  for (const tree of trees) {
    for (const dir of tree.directories) {
      dir.extent = next;
      next += dir.size / SECTOR_SIZE;
    }
  }
  const fileExtents = new Map<TreeFile, number>();
  const files = filesInOrder(root);
  for (const file of files) {
    // An empty file owns no sector: extent 0, length 0 (readers never read a zero-length extent).
    fileExtents.set(file, file.data.length === 0 ? 0 : next);
    next += sectorsFor(file.data.length);
  }
  const totalSectors = next;

  const image = Buffer.alloc(totalSectors * SECTOR_SIZE);
  writeVolumeDescriptor(image, 16, trees[0]!, totalSectors, options);
  writeVolumeDescriptor(image, 17, trees[1]!, totalSectors, options);
  image[18 * SECTOR_SIZE] = 255; // volume descriptor set terminator
  image.write('CD001', 18 * SECTOR_SIZE + 1, 'latin1');
  image[18 * SECTOR_SIZE + 6] = 1;
  for (const tree of trees) {
    writePathTables(image, tree);
    writeDirectories(image, tree, fileExtents, options.timestamp);
  }
  for (const file of files) {
    if (file.data.length > 0) image.set(file.data, fileExtents.get(file)! * SECTOR_SIZE);
  }
  return image;
}
