/**
 * File identifiers of the two directory trees an ISO carries.
 *
 * Primary tree (ECMA-119 level 1): d-characters only (A–Z, 0–9, _), names of at most 8
 * characters plus an extension of at most 3, `;1` version on files. Long names are cut and,
 * on a clash, end in `~N` (N counts up in the order of the original names, so the mapping
 * is deterministic).
 *
 * Joliet tree: the original name in UCS-2, at most 64 characters, without a `;1` version
 * (as xorriso, which the upstream project's ISOs were made with, writes it), so every
 * reader shows the name exactly. This is the tree Windows and Linux show.
 */
import { AppError } from '../errors.ts';

export const JOLIET_MAX_NAME = 64;
const JOLIET_FORBIDDEN = /[*/:;?\\]/;

export interface Identifier {
  /** Name part (before the last separator) used for ordering. */
  name: string;
  /** Extension part (empty for directories) used for ordering. */
  ext: string;
  /** The identifier as recorded, version included. */
  recorded: string;
}

function dCharacters(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [name, ''];
}

/**
 * Maps the names of one directory's children to primary-tree identifiers.
 * `children` must be in their final, deterministic order (sorted original names).
 */
export function primaryIdentifiers(children: readonly { name: string; directory: boolean }[]): Map<string, Identifier> {
  const taken = new Set<string>();
  const result = new Map<string, Identifier>();
  for (const child of children) {
    const [rawBase, rawExt] = child.directory ? [child.name, ''] : splitExtension(child.name);
    const base = dCharacters(rawBase).slice(0, 8) || '_';
    const ext = dCharacters(rawExt).slice(0, 3);
    const key = (b: string) => (child.directory ? b : `${b}.${ext}`);
    let chosen = base;
    for (let n = 1; taken.has(key(chosen)); n++) {
      const suffix = `~${n}`;
      chosen = base.slice(0, 8 - suffix.length) + suffix;
    }
    taken.add(key(chosen));
    result.set(child.name, {
      name: chosen,
      ext,
      recorded: child.directory ? chosen : `${chosen}.${ext};1`,
    });
  }
  return result;
}

/** Checks that a name can be recorded in Joliet; throws ARTIFACT_BUILD with the reason otherwise. */
export function assertJolietName(name: string, path: string): void {
  if (name.length > JOLIET_MAX_NAME) {
    throw new AppError('ARTIFACT_BUILD', `ISO name longer than ${JOLIET_MAX_NAME} characters: ${path}`);
  }
  if (JOLIET_FORBIDDEN.test(name) || [...name].some((c) => c.codePointAt(0)! < 0x20 || c.codePointAt(0)! > 0xffff)) {
    throw new AppError('ARTIFACT_BUILD', `ISO name has a character Joliet cannot record: ${path}`);
  }
}

export function jolietIdentifier(name: string, directory: boolean): Identifier {
  const [base, ext] = directory ? [name, ''] : splitExtension(name);
  return { name: base, ext, recorded: name };
}

/** Compares code units, the shorter string padded with spaces (ECMA-119 9.3). */
function comparePadded(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : 0x20;
    const cb = i < b.length ? b.charCodeAt(i) : 0x20;
    if (ca !== cb) return ca - cb;
  }
  return 0;
}

/** ECMA-119 9.3 ordering of directory records: by name, then by extension. */
export function compareIdentifiers(a: Identifier, b: Identifier): number {
  return comparePadded(a.name, b.name) || comparePadded(a.ext, b.ext);
}
