/**
 * `aetherv job list|show|watch|cancel` — and the HTTP client, argument parsing and live job
 * progress that `aetherv vm` shares. Talks to a running orchestrator (--server / AETHERV_SERVER)
 * with a bearer token (--token / AETHERV_TOKEN). Exit codes: 0 done, 1 failed, 2 bad input.
 */
export const DEFAULT_SERVER = 'http://localhost:8000';

export class UsageError extends Error {}

export type Print = (line: string) => void;

export interface CliIo {
  out: Print;
  err: Print;
  env: NodeJS.ProcessEnv;
  /** Poll interval while watching (ms). */
  pollMs?: number;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
  booleans: Set<string>;
}

/** Flags: `--name value`, `--name=value`, and the boolean ones listed. Unknown flags are refused. */
export function parseArgs(argv: string[], valueFlags: string[], booleanFlags: string[]): ParsedArgs {
  const values = new Set(['--server', '--token', ...valueFlags]);
  const bools = new Set(['--json', '--help', ...booleanFlags]);
  const parsed: ParsedArgs = { positional: [], flags: new Map(), booleans: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (bools.has(name)) parsed.booleans.add(name);
    else if (values.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      parsed.flags.set(name, value);
    } else throw new UsageError(`unknown option ${name}`);
  }
  return parsed;
}

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export class ApiClient {
  readonly base: string;

  constructor(server: string, private readonly token: string | undefined) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new UsageError(`--server ${server} is not a URL (e.g. ${DEFAULT_SERVER})`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be an http(s) URL, not ${server}`);
    this.base = url.toString().replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; location: string | null }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(`cannot reach ${this.base}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, 0);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const problem = (parsed ?? {}) as { title?: string; detail?: string };
      throw new ApiError(`${method} ${path}: ${res.status} ${problem.title ?? res.statusText}${problem.detail ? `: ${problem.detail}` : ''}`, res.status);
    }
    return { status: res.status, body: parsed as T, location: res.headers.get('location') };
  }
}

export function clientFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): ApiClient {
  return new ApiClient(args.flags.get('--server') ?? env.AETHERV_SERVER ?? DEFAULT_SERVER, args.flags.get('--token') ?? env.AETHERV_TOKEN);
}

export interface JobBody {
  id: string; kind: string; state: string; host: string | null; vmId: string | null; createdAt: string; finishedAt: string | null;
  currentStep: string | null; error: { code: string; message: string } | null; result?: unknown;
  steps?: Array<{ name: string; state: string; error: { message: string } | null }>;
}

interface EventsBody { items: Array<{ seq: number; time: string; level: string; message: string; step: string | null }>; finished: boolean }

/** Prints the job's log lines as they come until it ends; 0 when it succeeded, 1 otherwise. */
export async function watchJob(client: ApiClient, id: string, io: CliIo, json = false): Promise<number> {
  let after = 0;
  for (;;) {
    const { body } = await client.request<EventsBody>('GET', `/api/v1/jobs/${encodeURIComponent(id)}/events?after=${after}`);
    for (const e of body.items) {
      after = e.seq;
      if (!json) io.out(`${e.time.slice(11, 19)} ${e.level.padEnd(5)} ${e.step ? `[${e.step}] ` : ''}${e.message}`);
    }
    // `finished` is read with the lines: the last lines are printed before the loop stops.
    if (body.finished && body.items.length === 0) break;
    if (!body.finished) await new Promise((r) => setTimeout(r, io.pollMs ?? 500));
  }
  const { body: job } = await client.request<JobBody>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
  if (json) io.out(JSON.stringify(job, null, 2));
  if (job.state === 'succeeded') {
    if (!json) io.out(`job ${job.id} succeeded${job.result ? `: ${JSON.stringify(job.result)}` : ''}`);
    return 0;
  }
  io.err(`job ${job.id} ${job.state}: ${job.error ? `${job.error.message} (${job.error.code})` : 'no error recorded'}`);
  return 1;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

export const JOB_USAGE = `Usage: aetherv job <command> [options]

Commands:
  list [--state S] [--kind K] [--host H] [--vm ID] [--limit N]   Jobs, newest first
  show <id>                                                     One job with its steps
  watch <id>                                                    Follow a job's log until it ends (exit 1 if it fails)
  cancel <id>                                                   Cancel a job and roll back what it created

Options:
  --server URL   orchestrator URL (AETHERV_SERVER, default ${DEFAULT_SERVER})
  --token TOKEN  bearer token (AETHERV_TOKEN)
  --json         print JSON
`;

export async function runJobCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv, ['--state', '--kind', '--host', '--vm', '--limit'], []);
    const [command, id, ...rest] = args.positional;
    if (args.booleans.has('--help') || command === undefined) {
      io.out(JOB_USAGE);
      return command === undefined && !args.booleans.has('--help') ? 2 : 0;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const json = args.booleans.has('--json');
    const client = clientFrom(args, io.env);
    const needId = (): string => {
      if (!id) throw new UsageError(`job ${command} needs a job id`);
      return id;
    };
    switch (command) {
      case 'list': {
        if (id) throw new UsageError(`unexpected argument ${id}`);
        const query = new URLSearchParams();
        for (const [flag, param] of [['--state', 'state'], ['--kind', 'kind'], ['--host', 'host'], ['--vm', 'vmId'], ['--limit', 'limit']] as const) {
          const value = args.flags.get(flag);
          if (value !== undefined) query.set(param, value);
        }
        const { body } = await client.request<{ items: JobBody[]; total: number }>('GET', `/api/v1/jobs${query.size > 0 ? `?${query}` : ''}`);
        if (json) io.out(JSON.stringify(body, null, 2));
        else {
          const rows = [['ID', 'KIND', 'STATE', 'HOST', 'STEP', 'CREATED'], ...body.items.map((j) => [j.id, j.kind, j.state, j.host ?? '-', j.currentStep ?? '-', j.createdAt])];
          for (const line of table(rows)) io.out(line);
          io.out(`${body.items.length} of ${body.total} job(s)`);
        }
        return 0;
      }
      case 'show': {
        const { body } = await client.request<JobBody>('GET', `/api/v1/jobs/${encodeURIComponent(needId())}`);
        if (json) io.out(JSON.stringify(body, null, 2));
        else {
          io.out(`${body.id}  ${body.kind}  ${body.state}${body.host ? `  host ${body.host}` : ''}${body.vmId ? `  vm ${body.vmId}` : ''}`);
          for (const s of body.steps ?? []) io.out(`  ${s.state.padEnd(11)} ${s.name}${s.error ? `: ${s.error.message}` : ''}`);
          if (body.error) io.out(`error: ${body.error.message} (${body.error.code})`);
          if (body.result) io.out(`result: ${JSON.stringify(body.result)}`);
        }
        return 0;
      }
      case 'watch':
        return await watchJob(client, needId(), io, json);
      case 'cancel': {
        const { body } = await client.request<JobBody>('POST', `/api/v1/jobs/${encodeURIComponent(needId())}/cancel`);
        io.out(`cancel requested for job ${body.id} (${body.state})`);
        return await watchJob(client, body.id, io, json) === 0 ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown job command ${command}`);
    }
  } catch (error) {
    return reportError(error, io, JOB_USAGE);
  }
}

export function reportError(error: unknown, io: CliIo, usage: string): number {
  if (error instanceof UsageError) {
    io.err(`aetherv: ${error.message}\n\n${usage}`);
    return 2;
  }
  io.err(`aetherv: ${(error as Error).message}`);
  return 1;
}
