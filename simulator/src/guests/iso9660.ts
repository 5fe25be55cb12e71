/**
 * Just enough ISO 9660 to read one file at the root of a provisioning ISO, as Windows Setup
 * does when it looks for unattend.xml on removable media. The simulator shares no code with
 * the server's ISO writer (only Schemas/), so a bug there cannot hide here.
 * Joliet (UCS-2 names, what Windows reads) is preferred; the primary volume is the fallback.
 */

const SECTOR = 2048;

/** undefined: not an ISO 9660 image at all (e.g. a placeholder file); null: no such file. */
export function readRootFile(image: Buffer, name: string): Buffer | null | undefined {
  const roots: { extent: number; size: number; joliet: boolean }[] = [];
  for (let sector = 16; (sector + 1) * SECTOR <= image.length; sector++) {
    const d = image.subarray(sector * SECTOR, (sector + 1) * SECTOR);
    if (d.toString('latin1', 1, 6) !== 'CD001') return roots.length > 0 ? find(image, roots, name) : undefined;
    const type = d[0];
    if (type === 255) break;
    // Supplementary descriptor with a UCS-2 escape sequence (%/@, %/C, %/E) is Joliet.
    const joliet = type === 2 && d[88] === 0x25 && d[89] === 0x2f && [0x40, 0x43, 0x45].includes(d[90] ?? 0);
    if (type === 1 || joliet) roots.push({ extent: d.readUInt32LE(156 + 2), size: d.readUInt32LE(156 + 10), joliet });
  }
  return roots.length > 0 ? find(image, roots, name) : undefined;
}

function find(image: Buffer, roots: { extent: number; size: number; joliet: boolean }[], name: string): Buffer | null {
  const ordered = [...roots].sort((a, b) => Number(b.joliet) - Number(a.joliet));
  for (const root of ordered) {
    const file = findIn(image, root, name.toLowerCase());
    if (file) return file;
  }
  return null;
}

function findIn(image: Buffer, root: { extent: number; size: number; joliet: boolean }, wanted: string): Buffer | null {
  const start = root.extent * SECTOR;
  const end = Math.min(image.length, start + root.size);
  let at = start;
  while (at < end) {
    const length = image[at] ?? 0;
    // A record never crosses a sector boundary: zero padding means "go to the next sector".
    if (length === 0) { at = (Math.floor((at - start) / SECTOR) + 1) * SECTOR + start; continue; }
    const record = image.subarray(at, at + length);
    at += length;
    const flags = record[25] ?? 0;
    const idLength = record[32] ?? 0;
    const id = record.subarray(33, 33 + idLength);
    if ((flags & 2) !== 0 || idLength === 0 || (idLength === 1 && (id[0] ?? 0) <= 1)) continue;
    const raw = root.joliet ? ucs2be(id) : id.toString('latin1');
    const fileName = raw.replace(/;\d+$/, '').replace(/\.$/, '').toLowerCase();
    if (fileName !== wanted) continue;
    const extent = record.readUInt32LE(2);
    const size = record.readUInt32LE(10);
    return Buffer.from(image.subarray(extent * SECTOR, extent * SECTOR + size));
  }
  return null;
}

function ucs2be(bytes: Buffer): string {
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  return s;
}
