/** A SimProcess backed by in-memory streams: what a command of a simulated host looks like to an endpoint. */
import { PassThrough } from 'node:stream';
import type { SimProcess } from '../contracts.ts';

export interface ProcessIo {
  stdin: PassThrough;
  /** Writes text to stdout (Windows line endings are the caller's business). */
  out(text: string): void;
  err(text: string): void;
  /** Resolves with all of stdin once the client closes it. */
  readAll(): Promise<string>;
  /** True once terminate() was called. */
  readonly terminated: boolean;
}

/** Runs `body` as a process; its return value is the exit code, a throw becomes exit 1 with the message on stderr. */
export function simProcess(body: (io: ProcessIo) => Promise<number>): SimProcess {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let finished = false;
  let terminated = false;
  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((r) => { resolveExit = r; });
  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    stdout.end();
    stderr.end();
    let pending = 2;
    const done = (): void => { if (--pending === 0) resolveExit(code); };
    // exit resolves once a reader has drained both streams; a stream nobody reads does not hold it up.
    for (const s of [stdout, stderr]) {
      if (s.readableEnded || s.readableFlowing !== true) done();
      else s.once('end', done);
    }
  };
  const io: ProcessIo = {
    stdin,
    out: (t) => { if (!finished) stdout.write(t); },
    err: (t) => { if (!finished) stderr.write(t); },
    readAll: () => new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      stdin.on('data', (c: Buffer) => chunks.push(c));
      stdin.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stdin.once('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    }),
    get terminated() { return terminated; },
  };
  setImmediate(() => {
    body(io).then(finish, (err: unknown) => {
      io.err(`${err instanceof Error ? err.message : String(err)}\r\n`);
      finish(1);
    });
  });
  return {
    stdin,
    stdout,
    stderr,
    exit,
    terminate() {
      terminated = true;
      stdin.destroy();
      finish(1);
    },
  };
}
