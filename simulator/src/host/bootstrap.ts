/**
 * The bootstrap scripts of Powershell/bootstrap/ as a simulated host runs them: `version`,
 * `stage` (push mode, one chunk) and `install` (pull over real HTTP, or commit a push staging
 * folder). Same NDJSON envelope as the agent, with id null. A failed install leaves the
 * previous one untouched: the new file list replaces the old only after every file verified.
 *
 * They arrive as the orchestrator sends them (DESIGN §3): the command line is the bootstrap
 * loader (-EncodedCommand text whose first line is `# aetherv-bootstrap-loader`), and stdin holds
 * the script as base64 of UTF-8 on its first line, then the input JSON. The loader's refusals
 * (empty stdin, a first line that is not a base64 bootstrap script) are answered as it answers them.
 */
import { createHash } from 'node:crypto';
import { AgentFailure } from './failure.ts';
import { normalize } from './files.ts';
import type { HostModel, InstalledFile } from './model.ts';
import { logLine, resultLine } from './agent.ts';
import type { ProcessIo } from './process.ts';
import { schemas } from './schemas.ts';
import { WINDOWS_SERVER_2022 } from './views.ts';
import { rememberIso } from '../guests/iso-catalog.ts';

export type BootstrapName = 'version' | 'stage' | 'install';
export const AGENT_ENTRY = 'AetherV.Agent.ps1';

/** The marker comment on the first line of a bootstrap script, e.g. `# aetherv-bootstrap: install`. */
export function bootstrapMarker(script: string): BootstrapName | undefined {
  const first = script.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const m = /^\s*#\s*aetherv-bootstrap:\s*(version|stage|install)\s*$/i.exec(first);
  return m ? (m[1]?.toLowerCase() as BootstrapName) : undefined;
}

export const LOADER_MARKER = '# aetherv-bootstrap-loader';

/** Whether an -EncodedCommand text is the bootstrap loader (its first line is the loader's marker). */
export function isBootstrapLoader(commandText: string): boolean {
  return (commandText.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '').trim() === LOADER_MARKER;
}

/** A loader's stdin split as the loader reads it: the script line (BOM and CR dropped) and the rest, the input. */
export function splitLoaderInput(stdin: string): { scriptLine: string; input: string } {
  const text = stdin.replace(/^\uFEFF/, '');
  const newline = text.indexOf('\n');
  const line = newline < 0 ? text : text.slice(0, newline);
  return { scriptLine: line.replace(/\r$/, ''), input: newline < 0 ? '' : text.slice(newline + 1) };
}

const NO_SCRIPT = 'Standard input must start with a bootstrap script: one line of base64.';

/** The loader on a simulated host: reads stdin once, finds the script by its marker, runs it with the rest. */
export async function runLoader(host: HostModel, io: ProcessIo, faults: { corruptDownloads?: boolean } = {}): Promise<number> {
  const { scriptLine, input } = splitLoaderInput(await io.readAll());
  // .NET's Convert.FromBase64String ignores white space and refuses anything else that is not base64.
  const compact = scriptLine.replace(/\s+/g, '');
  const base64 = compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
  const name = base64 ? bootstrapMarker(Buffer.from(compact, 'base64').toString('utf8')) : undefined;
  if (!name) {
    io.out(resultLine(null, { error: new AgentFailure('INVALID_REQUEST', NO_SCRIPT) }));
    return 0;
  }
  return runBootstrap(name, host, io, input, faults);
}

interface Manifest { version: string; files: InstalledFile[] }

/** `inputText` is what the loader hands the script: the input JSON as text. */
export async function runBootstrap(name: BootstrapName, host: HostModel, io: ProcessIo, inputText: string, faults: { corruptDownloads?: boolean } = {}): Promise<number> {
  const input = inputText.trim();
  let params: Record<string, unknown>;
  try {
    params = JSON.parse(input) as Record<string, unknown>;
  } catch {
    io.out(resultLine(null, { error: new AgentFailure('INVALID_REQUEST', input === '' ? 'No input JSON followed the script on standard input.' : 'The input is not one JSON object.') }));
    return 0;
  }
  const issues = schemas().check(`bootstrap/${name}.params.json`, params);
  if (issues.length > 0) {
    io.out(resultLine(null, { error: new AgentFailure('INVALID_PARAMS', `Invalid parameters for bootstrap ${name}.`, { errors: issues }) }));
    return 0;
  }
  try {
    const result = name === 'version' ? version(host, params) : name === 'stage' ? stage(host, params) : await install(host, params, io, faults.corruptDownloads === true);
    io.out(resultLine(null, { result }));
  } catch (err) {
    const failure = err instanceof AgentFailure ? err : new AgentFailure('INTERNAL', err instanceof Error ? err.message : String(err));
    io.out(resultLine(null, { error: failure }));
  }
  return 0;
}

function version(host: HostModel, p: Record<string, unknown>): Record<string, unknown> {
  const dir = p.installDirectory as string;
  const inst = host.installs.get(normalize(dir));
  const installed = inst !== undefined && inst.version !== null && inst.files.some((f) => f.name === AGENT_ENTRY);
  return {
    installed,
    version: inst?.version ?? null,
    installDirectory: dir,
    computerName: host.name,
    psVersion: WINDOWS_SERVER_2022.psVersion,
    hypervModule: true,
    clusterModule: host.cluster !== null,
    osVersion: WINDOWS_SERVER_2022.osVersion,
  };
}

function stagingKey(dir: string, stagingId: string): string {
  return `${normalize(dir)}|${stagingId.toLowerCase()}`;
}

function stage(host: HostModel, p: Record<string, unknown>): Record<string, unknown> {
  const key = stagingKey(p.installDirectory as string, p.stagingId as string);
  let folder = host.staging.get(key);
  if (!folder) host.staging.set(key, (folder = new Map()));
  const name = p.name as string;
  const offset = p.offset as number;
  const data = Buffer.from(p.dataBase64 as string, 'base64');
  const chunks = offset === 0 ? [] : (folder.get(name) ?? []);
  const staged = chunks.reduce((n, c) => n + c.length, 0);
  if (staged !== offset) throw new AgentFailure('STAGING_INCOMPLETE', `Chunk of '${name}' at offset ${offset} does not follow the ${staged} bytes staged.`, { file: name, stagedBytes: staged });
  chunks.push(data);
  folder.set(name, chunks);
  return { stagingId: p.stagingId, name, offset, stagedBytes: staged + data.length };
}

async function install(host: HostModel, p: Record<string, unknown>, io: ProcessIo, corrupt = false): Promise<Record<string, unknown>> {
  const dir = p.installDirectory as string;
  const manifest = p.manifest as Manifest;
  const mode = p.mode as 'pull' | 'push';
  const previous = host.installs.get(normalize(dir));
  const verified: InstalledFile[] = [];
  const staged = mode === 'push' ? host.staging.get(stagingKey(dir, p.stagingId as string)) : undefined;
  for (const file of manifest.files) {
    let bytes: Buffer;
    if (mode === 'pull') {
      bytes = await download(String(p.baseUrl), file.name);
      // Fault injection: damage in transit, which only the SHA-256 check can catch.
      if (corrupt && bytes.length > 0) bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    } else {
      const chunks = staged?.get(file.name);
      if (!chunks) throw new AgentFailure('STAGING_INCOMPLETE', `'${file.name}' was not staged.`, { file: file.name });
      bytes = Buffer.concat(chunks);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== file.size || sha256 !== file.sha256) {
      throw new AgentFailure('CHECKSUM_MISMATCH', `'${file.name}' does not match the manifest; the previous install is unchanged.`, { file: file.name, expectedSha256: file.sha256, actualSha256: sha256, expectedSize: file.size, actualSize: bytes.length });
    }
    io.out(logLine('info', `Verified ${file.name} (${bytes.length} bytes)`));
    // A Windows guest booted from this ISO reads its unattend.xml (guests/oobe.ts).
    if (/\.iso$/i.test(file.name)) rememberIso(sha256, bytes);
    verified.push({ name: file.name, sha256, size: bytes.length });
  }
  // Every file verified: only now does the new install replace the previous one (version last).
  host.installs.set(normalize(dir), { directory: dir, version: manifest.version, files: verified });
  if (mode === 'push') host.staging.delete(stagingKey(dir, p.stagingId as string));
  io.out(logLine('info', `Installed version ${manifest.version} in ${dir}`));
  return { installDirectory: dir, mode, version: manifest.version, previousVersion: previous?.version ?? null, files: verified };
}

async function download(baseUrl: string, name: string): Promise<Buffer> {
  const url = `${baseUrl.replace(/\/+$/, '')}/${name.split('/').map(encodeURIComponent).join('/')}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(600_000) });
  } catch (err) {
    throw new AgentFailure('DOWNLOAD_FAILED', `Downloading '${name}' failed: ${err instanceof Error ? err.message : String(err)}; the previous install is unchanged.`, { file: name });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AgentFailure('DOWNLOAD_FAILED', `Downloading '${name}' failed: HTTP ${response.status}; the previous install is unchanged.`, { file: name, status: response.status });
  }
  return Buffer.from(await response.arrayBuffer());
}
