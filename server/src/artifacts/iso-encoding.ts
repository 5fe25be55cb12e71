/**
 * Byte-level field encodings of ECMA-119 (ISO 9660) and Joliet: numbers recorded in both
 * byte orders, the two date formats, padded identifier fields, and directory records.
 * Clause numbers refer to ECMA-119 4th edition.
 */

export const SECTOR_SIZE = 2048;

/** 7.3.3: a 32-bit number recorded little-endian then big-endian (8 bytes). */
export function writeBothEndian32(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32LE(value, offset);
  buf.writeUInt32BE(value, offset + 4);
}

/** 7.2.3: a 16-bit number recorded little-endian then big-endian (4 bytes). */
export function writeBothEndian16(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt16LE(value, offset);
  buf.writeUInt16BE(value, offset + 2);
}

/** 9.1.5: seven bytes (years since 1900, month, day, hour, minute, second, GMT offset in 15-min units). */
export function writeRecordingDate(buf: Buffer, offset: number, date: Date): void {
  buf[offset] = date.getUTCFullYear() - 1900;
  buf[offset + 1] = date.getUTCMonth() + 1;
  buf[offset + 2] = date.getUTCDate();
  buf[offset + 3] = date.getUTCHours();
  buf[offset + 4] = date.getUTCMinutes();
  buf[offset + 5] = date.getUTCSeconds();
  buf[offset + 6] = 0;
}

/** 8.4.26.1: seventeen bytes, "YYYYMMDDHHMMSScc" in digits plus a GMT offset; null date = all '0' and offset 0. */
export function writeVolumeDate(buf: Buffer, offset: number, date: Date | null): void {
  if (date === null) {
    buf.write('0'.repeat(16), offset, 'latin1');
    buf[offset + 16] = 0;
    return;
  }
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const text =
    pad(date.getUTCFullYear(), 4) + pad(date.getUTCMonth() + 1, 2) + pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) + pad(date.getUTCMinutes(), 2) + pad(date.getUTCSeconds(), 2) +
    pad(Math.floor(date.getUTCMilliseconds() / 10), 2);
  buf.write(text, offset, 'latin1');
  buf[offset + 16] = 0;
}

/** An a- or d-character field padded with spaces (7.4). The caller has already restricted the characters. */
export function writeAsciiField(buf: Buffer, offset: number, length: number, text: string): void {
  buf.fill(0x20, offset, offset + length);
  buf.write(text.slice(0, length), offset, 'latin1');
}

/** UCS-2 big-endian, as Joliet records every identifier. */
export function ucs2be(text: string): Buffer {
  const out = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

/** A Joliet identifier field: UCS-2 big-endian padded with UCS-2 spaces; an odd trailing byte stays 0. */
export function writeUcs2Field(buf: Buffer, offset: number, length: number, text: string): void {
  buf.fill(0, offset, offset + length);
  const units = Math.floor(length / 2);
  const padded = text.slice(0, units).padEnd(units, ' ');
  ucs2be(padded).copy(buf, offset);
}

export const FILE_FLAG_DIRECTORY = 0x02;

export interface DirectoryRecordFields {
  extent: number;
  dataLength: number;
  date: Date;
  flags: number;
  identifier: Buffer;
}

/** 9.1: length of a directory record with this identifier (padded to an even length). */
export function directoryRecordLength(identifierLength: number): number {
  return 33 + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
}

/** 9.1: writes one directory record at `offset`, returns its length. */
export function writeDirectoryRecord(buf: Buffer, offset: number, record: DirectoryRecordFields): number {
  const length = directoryRecordLength(record.identifier.length);
  buf.fill(0, offset, offset + length);
  buf[offset] = length;
  buf[offset + 1] = 0; // extended attribute record length
  writeBothEndian32(buf, offset + 2, record.extent);
  writeBothEndian32(buf, offset + 10, record.dataLength);
  writeRecordingDate(buf, offset + 18, record.date);
  buf[offset + 25] = record.flags;
  buf[offset + 26] = 0; // file unit size (not interleaved)
  buf[offset + 27] = 0; // interleave gap
  writeBothEndian16(buf, offset + 28, 1); // volume sequence number
  buf[offset + 32] = record.identifier.length;
  record.identifier.copy(buf, offset + 33);
  return length;
}

/** 9.4: length of a path table record with this identifier (padded to an even length). */
export function pathTableRecordLength(identifierLength: number): number {
  return 8 + identifierLength + (identifierLength % 2 === 1 ? 1 : 0);
}

/** 9.4: writes one path table record; `bigEndian` selects the M table, otherwise the L table. */
export function writePathTableRecord(
  buf: Buffer, offset: number, identifier: Buffer, extent: number, parentNumber: number, bigEndian: boolean,
): number {
  const length = pathTableRecordLength(identifier.length);
  buf.fill(0, offset, offset + length);
  buf[offset] = identifier.length;
  buf[offset + 1] = 0;
  if (bigEndian) {
    buf.writeUInt32BE(extent, offset + 2);
    buf.writeUInt16BE(parentNumber, offset + 6);
  } else {
    buf.writeUInt32LE(extent, offset + 2);
    buf.writeUInt16LE(parentNumber, offset + 6);
  }
  identifier.copy(buf, offset + 8);
  return length;
}

export function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR_SIZE);
}
