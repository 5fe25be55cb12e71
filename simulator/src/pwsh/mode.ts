/**
 * The powershell agent mode of a fleet: hosts whose `powershell.exe` calls (the agent file,
 * bootstrap -EncodedCommand scripts) run in the real pwsh against their C: drive on disk and the
 * cmdlet backend. Owns the temp root of the drives, the backend and the compiled shim types;
 * close() stops every process it started and removes the drives.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SimProcess } from '../contracts.ts';
import type { ClusterModel, HostModel, InstalledFile } from '../host/model.ts';
import type { SimRuntime } from '../host/runtime.ts';
import { splitLoaderInput } from '../host/bootstrap.ts';
import { startBackend, type Backend } from './backend.ts';
import type { DiskFileStore } from './disk-store.ts';
import { materialise, preinstall, refreshInstalls, type HostDrive } from './drive.ts';
import { findPwsh, simTypes } from './pwsh.ts';
import { runPwsh, type PwshCall, type PwshTarget, type RunHooks } from './runner.ts';

export type AgentKind = 'typescript' | 'powershell';

/** What every host has installed at start (FleetOptions.preinstallAgentFrom), written as real files. */
export interface Preinstall { artifacts: string; version: string; files: InstalledFile[] }

export class PwshMode {
  readonly root: string;
  private readonly drives = new Map<HostModel, HostDrive>();
  private readonly clusters = new Map<ClusterModel, DiskFileStore>();
  private backend: Promise<Backend> | undefined;
  private readonly running = new Set<SimProcess>();
  private generation = 0;
  readonly pwsh: string;

  constructor(private readonly rt: SimRuntime, private readonly hosts: () => HostModel[], private readonly installDirectory: string, private readonly preinstalled?: Preinstall) {
    // Fails here, with how to get pwsh, rather than on the first call.
    this.pwsh = findPwsh();
    this.root = join(rt.tempRoot, 'pwsh');
  }

  /** Moves the host (and every node of its cluster) onto disk; idempotent. */
  prepare(host: HostModel): HostDrive {
    const nodes = host.cluster ? host.cluster.nodes : [host];
    for (const h of nodes) {
      if (this.drives.has(h)) continue;
      const drive = materialise(h, join(this.root, `g${this.generation}`), this.clusters);
      if (this.preinstalled) {
        preinstall(drive, this.installDirectory, this.preinstalled.artifacts, this.preinstalled.version, this.preinstalled.files);
        refreshInstalls(h, drive, this.installDirectory);
      }
      this.drives.set(h, drive);
    }
    return this.drives.get(host)!;
  }

  drive(host: HostModel): HostDrive | undefined {
    return this.drives.get(host);
  }

  /** After fleet.reset(): the old models and their folders go; hosts are prepared again on use. */
  reset(): void {
    for (const p of this.running) p.terminate();
    this.drives.clear();
    this.clusters.clear();
    rmSync(join(this.root, `g${this.generation}`), { recursive: true, force: true });
    this.generation++;
  }

  private startBackend(): Promise<Backend> {
    this.backend ??= startBackend((name) => {
      const model = this.hosts().find((h) => h.name.toLowerCase() === name.toLowerCase());
      return model ? { model, installDirectory: this.installDirectory } : undefined;
    }, this.rt);
    return this.backend;
  }

  private async target(host: HostModel, drive: HostDrive): Promise<PwshTarget> {
    const [backend, types] = await Promise.all([this.startBackend(), simTypes(this.pwsh)]);
    const vmms = join(drive.root, 'Windows', 'System32', 'vmms.exe');
    if (!existsSync(vmms)) copyFileSync(types, vmms);
    return { pwsh: this.pwsh, types, backendUrl: backend.url, token: backend.token, hostName: host.name, domain: host.domain, driveRoot: drive.root };
  }

  /** Whether the agent entry script exists on this host's disk (else powershell.exe's missing -File error). */
  hasFile(host: HostModel, path: string): boolean {
    const drive = this.prepare(host);
    try {
      return drive.local.exists(path) && !drive.local.isDir(path);
    } catch {
      return false;
    }
  }

  spawn(host: HostModel, leading: string[], call: PwshCall, hooks: RunHooks = {}): SimProcess {
    const drive = this.prepare(host);
    const input: Buffer[] = [];
    const p = runPwsh(this.target(host, drive), leading, call, {
      ...hooks,
      onStdin: (c) => {
        if (call.kind === 'encoded') input.push(c);
        hooks.onStdin?.(c);
      },
      onExit: (code) => {
        this.running.delete(p);
        // The installs the model (and provisioning-ISO discovery) use are what is on disk now,
        // including a bootstrap's own installDirectory.
        refreshInstalls(host, drive, this.installDirectory);
        const dir = bootstrapDirectory(input);
        if (dir) refreshInstalls(host, drive, dir);
        hooks.onExit?.(code);
      },
    });
    this.running.add(p);
    return p;
  }

  async close(): Promise<void> {
    for (const p of this.running) p.terminate();
    await Promise.all([...this.running].map((p) => p.exit.catch(() => 1)));
    if (this.backend) await (await this.backend).close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

function bootstrapDirectory(input: Buffer[]): string | undefined {
  try {
    // The bootstrap loader's stdin: the script's line, then the input JSON (host/bootstrap.ts).
    const params = JSON.parse(splitLoaderInput(Buffer.concat(input).toString('utf8')).input) as { installDirectory?: unknown };
    return typeof params.installDirectory === 'string' && /^[A-Za-z]:\\/.test(params.installDirectory) ? params.installDirectory.replace(/\\+$/, '') : undefined;
  } catch {
    return undefined;
  }
}
