/**
 * Turns stdout bytes, arriving in arbitrary base64 slices, into complete text lines:
 * multi-byte UTF-8 characters and lines may be split across Receive responses.
 */
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private readonly onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine;
  }

  push(data: Buffer): void {
    this.pending += this.decoder.write(data);
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      this.emit(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
  }

  /** End of stream: an unterminated last line is still a line. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.emit(this.pending);
    this.pending = '';
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
