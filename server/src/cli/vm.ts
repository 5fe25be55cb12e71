/**
 * `aetherv vm list|show|create|start|stop|delete` against a running orchestrator. Writes
 * answer with a job; its progress is shown live until it ends (--no-wait returns at once).
 */
import { readFile } from 'node:fs/promises';
import { clientFrom, DEFAULT_SERVER, parseArgs, reportError, UsageError, watchJob, type CliIo, type JobBody } from './job.ts';

export const VM_USAGE = `Usage: aetherv vm <command> [options]

Commands:
  list [--host H] [--name TEXT]          VMs as last observed
  show <id>                              One VM (JSON)
  create --file spec.json                Provision a VM (the body of POST /api/v1/vms)
  start <id>                             Start a VM
  stop <id>                              Turn a VM off
  delete <id> [--delete-disks] [--force] Delete a VM (and its disks); --force turns it off first

Options:
  --server URL            orchestrator URL (AETHERV_SERVER, default ${DEFAULT_SERVER})
  --token TOKEN           bearer token (AETHERV_TOKEN)
  --idempotency-key KEY   the same key twice gives the same job (create, start, stop, delete)
  --no-wait               print the job and return without following it
  --json                  print JSON
`;

interface VmBody { vmId: string; name: string; host: string; state: string; cpuCount?: number; ipAddresses?: string[] }

export async function runVmCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv, ['--file', '--host', '--name', '--idempotency-key', '--limit'], ['--delete-disks', '--force', '--no-wait']);
    const [command, id, ...rest] = args.positional;
    if (args.booleans.has('--help') || command === undefined) {
      io.out(VM_USAGE);
      return command === undefined && !args.booleans.has('--help') ? 2 : 0;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const json = args.booleans.has('--json');
    const client = clientFrom(args, io.env);
    const needId = (): string => {
      if (!id) throw new UsageError(`vm ${command} needs a VM id`);
      return encodeURIComponent(id);
    };
    const key = args.flags.get('--idempotency-key');
    const write = async (method: string, path: string, body?: unknown): Promise<number> => {
      const { body: job } = await client.request<JobBody>(method, path, body, key ? { 'idempotency-key': key } : {});
      if (args.booleans.has('--no-wait')) {
        io.out(json ? JSON.stringify(job, null, 2) : `job ${job.id} ${job.state} (aetherv job watch ${job.id})`);
        return 0;
      }
      if (!json) io.out(`job ${job.id} (${job.kind}) ${job.state}`);
      return watchJob(client, job.id, io, json);
    };
    switch (command) {
      case 'list': {
        if (id) throw new UsageError(`unexpected argument ${id}`);
        const query = new URLSearchParams({ limit: args.flags.get('--limit') ?? '1000' });
        if (args.flags.get('--host')) query.set('host', args.flags.get('--host')!);
        if (args.flags.get('--name')) query.set('name', args.flags.get('--name')!);
        const { body } = await client.request<{ items: VmBody[]; total: number }>('GET', `/api/v1/vms?${query}`);
        if (json) io.out(JSON.stringify(body, null, 2));
        else {
          const rows = [['ID', 'NAME', 'HOST', 'STATE', 'IPV4'], ...body.items.map((v) => [v.vmId, v.name, v.host, v.state, (v.ipAddresses ?? []).filter((a) => a.includes('.')).join(',') || '-'])];
          const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
          for (const r of rows) io.out(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
          io.out(`${body.items.length} of ${body.total} VM(s)`);
        }
        return 0;
      }
      case 'show': {
        const { body } = await client.request<VmBody>('GET', `/api/v1/vms/${needId()}`);
        io.out(JSON.stringify(body, null, 2));
        return 0;
      }
      case 'create': {
        if (id) throw new UsageError(`unexpected argument ${id}`);
        const file = args.flags.get('--file');
        if (!file) throw new UsageError('vm create needs --file spec.json');
        let spec: unknown;
        try {
          spec = JSON.parse(await readFile(file, 'utf8')) as unknown;
        } catch (error) {
          throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
        }
        if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new UsageError(`${file} must hold a JSON object (the body of POST /api/v1/vms)`);
        return await write('POST', '/api/v1/vms', spec);
      }
      case 'start':
      case 'stop':
        return await write('POST', `/api/v1/vms/${needId()}/${command}`);
      case 'delete': {
        const query = new URLSearchParams({ deleteDisks: String(args.booleans.has('--delete-disks')), force: String(args.booleans.has('--force')) });
        return await write('DELETE', `/api/v1/vms/${needId()}?${query}`);
      }
      default:
        throw new UsageError(`unknown vm command ${command}`);
    }
  } catch (error) {
    return reportError(error, io, VM_USAGE);
  }
}
