/**
 * Turns a byte stream into complete lines as they arrive. Splits on bytes (`\n`) before
 * decoding, so a multi-byte UTF-8 character cut between two chunks is never mangled.
 */
export class LineSplitter {
  private pending: Buffer[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let index = chunk.indexOf(0x0a); index !== -1; index = chunk.indexOf(0x0a, start)) {
      this.pending.push(chunk.subarray(start, index));
      this.emit();
      start = index + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  /** Emits a last line that had no newline. */
  end(): void {
    if (this.pending.length > 0) this.emit();
  }

  private emit(): void {
    const line = Buffer.concat(this.pending).toString('utf8').replace(/\r$/, '');
    this.pending = [];
    this.onLine(line);
  }
}
