/**
 * The directory hierarchy an ISO records, built from a flat list of file paths and checked
 * against the limits of ISO 9660 and Joliet before any byte is laid out.
 */
import { AppError } from '../errors.ts';
import { assertJolietName } from './iso-names.ts';

/** One file to put on the image: a `/`-separated relative path and its bytes. */
export interface IsoFileEntry {
  path: string;
  data: Uint8Array;
}

export interface TreeFile {
  kind: 'file';
  name: string;
  path: string;
  data: Uint8Array;
}

export interface TreeDirectory {
  kind: 'directory';
  name: string;
  path: string;
  /** Children sorted by original name (code units), which makes every later step deterministic. */
  children: TreeNode[];
}

export type TreeNode = TreeFile | TreeDirectory;

/** ECMA-119 6.8.2.1: at most eight levels, the root being the first. */
const MAX_DIRECTORY_LEVELS = 8;
const MAX_FILE_SIZE = 0xffffffff;

function splitPath(path: string): string[] {
  const parts = path.split('/');
  if (path.length === 0 || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new AppError('ARTIFACT_BUILD', `invalid ISO path: ${JSON.stringify(path)}`);
  }
  return parts;
}

export function buildTree(entries: readonly IsoFileEntry[]): TreeDirectory {
  const root: TreeDirectory = { kind: 'directory', name: '', path: '', children: [] };
  const directories = new Map<string, TreeDirectory>([['', root]]);
  const files = new Set<string>();

  for (const entry of entries) {
    const parts = splitPath(entry.path);
    if (entry.data.length > MAX_FILE_SIZE) throw new AppError('ARTIFACT_BUILD', `file too large for one ISO extent: ${entry.path}`);
    if (parts.length > MAX_DIRECTORY_LEVELS) throw new AppError('ARTIFACT_BUILD', `ISO directory hierarchy deeper than ${MAX_DIRECTORY_LEVELS} levels: ${entry.path}`);
    let parent = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join('/');
      if (files.has(path)) throw new AppError('ARTIFACT_BUILD', `ISO path is both a file and a directory: ${path}`);
      let dir = directories.get(path);
      if (dir === undefined) {
        assertJolietName(parts[i]!, path);
        dir = { kind: 'directory', name: parts[i]!, path, children: [] };
        directories.set(path, dir);
        parent.children.push(dir);
      }
      parent = dir;
    }
    const name = parts[parts.length - 1]!;
    if (files.has(entry.path) || directories.has(entry.path)) throw new AppError('ARTIFACT_BUILD', `duplicate ISO path: ${entry.path}`);
    assertJolietName(name, entry.path);
    files.add(entry.path);
    parent.children.push({ kind: 'file', name, path: entry.path, data: entry.data });
  }
  for (const dir of directories.values()) {
    dir.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Windows matches names without regard to case: two such names would hide one another there.
    const folded = new Map<string, string>();
    for (const child of dir.children) {
      const key = child.name.toUpperCase();
      const other = folded.get(key);
      if (other !== undefined) throw new AppError('ARTIFACT_BUILD', `ISO names differ only in case: ${other} and ${child.path}`);
      folded.set(key, child.path);
    }
  }
  return root;
}

/** Files in a fixed order (depth first, sorted names): the order their data is laid out. */
export function filesInOrder(dir: TreeDirectory, out: TreeFile[] = []): TreeFile[] {
  for (const child of dir.children) {
    if (child.kind === 'file') out.push(child);
    else filesInOrder(child, out);
  }
  return out;
}
