/**
 * Test support: reads ISO images back with independent tools (Debian `xorriso`, and
 * `isoinfo`/`isovfy` from `genisoimage`), so the writer is judged by other people's readers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function tool(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(command, args, { maxBuffer: 16 * 1024 * 1024, timeout: 30_000 });
}

/** Standard output as bytes (file contents extracted by a tool). */
export async function toolBytes(command: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run(command, args, { maxBuffer: 16 * 1024 * 1024, timeout: 30_000, encoding: 'buffer' });
  return stdout;
}

/** Paths xorriso lists (`-find / -type f` or all), from the Joliet tree or, with `tree: 'primary'`, the ISO 9660 tree. */
export async function xorrisoFind(iso: string, options: { tree?: 'joliet' | 'primary'; type?: 'f' | 'd' } = {}): Promise<string[]> {
  const readFs = options.tree === 'primary' ? ['-read_fs', 'ecma119'] : [];
  const type = options.type === undefined ? [] : ['-type', options.type];
  const { stdout } = await tool('xorriso', [...readFs, '-indev', iso, '-find', '/', ...type]);
  return stdout.split('\n').filter((l) => l.startsWith("'")).map((l) => l.slice(1, -1)).sort();
}

/** The `Volume Id` xorriso reports from the primary volume descriptor. */
export async function xorrisoVolumeId(iso: string): Promise<string> {
  const { stdout } = await tool('xorriso', ['-indev', iso, '-pvd_info']);
  const match = /^Volume Id\s*:\s*(.*)$/m.exec(stdout);
  if (!match) throw new Error(`no Volume Id in xorriso output:\n${stdout}`);
  return match[1]!.trim();
}

/** Extracts the whole image (Joliet names) into `dir`. */
export async function xorrisoExtract(iso: string, dir: string): Promise<void> {
  await tool('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', dir]);
}
