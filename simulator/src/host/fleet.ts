/**
 * A fleet of simulated Hyper-V hosts built deterministically from a seed. Helper C's endpoints
 * (WinRM, SSH, control API) sit on top of this: each host's CommandHost runs the commands they carry.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_FAULTS, type CommandHost, type HostFaults, type OpLogEntry } from '../contracts.ts';
import { createCommandHost } from './commands.ts';
import { normalize } from './files.ts';
import type { HostModel, InstallModel, InstalledFile } from './model.ts';
import { Rng } from './rng.ts';
import type { GuestMode, SimRuntime } from './runtime.ts';
import { clusterName, createCluster, createHost, hostName, seedVms } from './seed.ts';
import { hostView, vmView } from './views.ts';
import { PwshMode, type AgentKind } from '../pwsh/mode.ts';
import { rememberIso } from '../guests/iso-catalog.ts';

export const DEFAULT_INSTALL_DIRECTORY = 'C:\\Program Files\\Aether-V';
export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface FleetOptions {
  hosts: number;
  vmsPerHost: number;
  clusters: number;
  seed: number;
  /** Multiplies simulated durations: 1 realistic, 0.01 a hundred times faster, 0 instant. */
  timeScale: number;
  /** An artifacts/ folder (version, manifest.json, files) installed on every host at start. */
  preinstallAgentFrom?: string;
  /** Where preinstallAgentFrom goes (default C:\Program Files\Aether-V). */
  installDirectory?: string;
  /** 'auto' (default): Linux guests run Linux/aetherv-guest-agent when it can run here, else the TypeScript guest. */
  guestMode?: GuestMode;
  linuxAgentPath?: string;
  /**
   * What answers the agent and bootstrap calls: 'typescript' (default: host/agent.ts, fast, scales
   * to 1,000 hosts) or 'powershell' (the real Powershell/ scripts in the real pwsh, on a C: drive
   * on disk; simulator/src/host/README.md). `agentByHost` overrides it per host name.
   */
  agent?: AgentKind;
  agentByHost?: Record<string, AgentKind>;
}

export interface SimulatedHost {
  readonly name: string;
  readonly cluster: string | null;
  readonly commands: CommandHost;
  faults: HostFaults;
  up: boolean;
  /** Which agent answers this host's calls; setAgent('powershell') moves its files onto disk. */
  readonly agent: AgentKind;
  setAgent(kind: AgentKind): void;
  /** JSON for GET /hosts/{name}/model. */
  model(): unknown;
}

export interface Fleet {
  readonly hosts: SimulatedHost[];
  host(name: string): SimulatedHost | undefined;
  /** Entries with seq > since (since defaults to 0), optionally of one host (case-insensitive). */
  oplog(filter: { host?: string; since?: number }): OpLogEntry[];
  /** Back to the seeded estate: models, faults, op log, up. */
  reset(): void;
  close(): Promise<void>;
}

class Host implements SimulatedHost {
  faults: HostFaults = structuredClone(NO_FAULTS);
  up = true;
  readonly commands: CommandHost;

  constructor(public state: HostModel, private readonly rt: SimRuntime, private readonly installDirectory: string,
    public agent: AgentKind, private readonly pwsh: () => PwshMode) {
    const commandsFor = new WeakMap<HostModel, CommandHost>();
    const current = (): CommandHost => {
      let c = commandsFor.get(this.state);
      if (!c) commandsFor.set(this.state, (c = createCommandHost(this.state, this.rt, () => this.faults, () => (this.agent === 'powershell' ? this.pwsh() : undefined))));
      return c;
    };
    this.commands = { spawn: (line, ctx) => current().spawn(line, ctx) };
    if (agent === 'powershell') this.pwsh().prepare(this.state);
  }

  setAgent(kind: AgentKind): void {
    if (kind === 'powershell') this.pwsh().prepare(this.state);
    this.agent = kind;
  }

  get name(): string { return this.state.name; }
  get cluster(): string | null { return this.state.cluster?.name ?? null; }

  model(): unknown {
    const h = this.state;
    return {
      name: h.name,
      up: this.up,
      agent: this.agent,
      ...(this.agent === 'powershell' ? { drive: this.pwsh().drive(this.state)?.root } : {}),
      faults: this.faults,
      host: hostView(h, this.installDirectory),
      installs: [...h.installs.values()].map((i) => ({ directory: i.directory, version: i.version, files: i.files })),
      vms: [...h.vms.values()].map((vm) => ({
        ...vmView(h, vm),
        secureBootTemplate: vm.secureBootTemplate,
        guestHostname: vm.guestHostname,
        dvd: vm.dvd,
        kvp: { host: Object.fromEntries(vm.kvp.hostItems()), guest: Object.fromEntries(vm.kvp.guestItems()) },
        guest: vm.guest?.info() ?? null,
      })),
    };
  }
}

/** Reads an artifacts/ folder: `version`, and `manifest.json` when present (else every file, hashed). */
export function readArtifacts(dir: string): { version: string; files: InstalledFile[] } {
  const read = listArtifacts(dir);
  // The ISOs' real bytes are here: a Windows guest booted from one reads its unattend.xml.
  // The artifact build keeps them in isos/; a flat folder (fakeArtifacts) at the top.
  for (const f of read.files) {
    if (!/\.iso$/i.test(f.name)) continue;
    const file = [join(dir, 'isos', f.name), join(dir, f.name)].find((path) => existsSync(path));
    if (file) rememberIso(f.sha256, readFileSync(file));
  }
  return read;
}

function listArtifacts(dir: string): { version: string; files: InstalledFile[] } {
  const version = readFileSync(join(dir, 'version'), 'utf8').trim();
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string; files: InstalledFile[] };
    return { version: m.version ?? version, files: m.files.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })) };
  }
  const files: InstalledFile[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const full = join(d, n);
      if (statSync(full).isDirectory()) walk(full);
      else if (d !== dir || (n !== 'version' && n !== 'manifest.json')) {
        const bytes = readFileSync(full);
        files.push({ name: relative(dir, full).split(sep).join('/'), sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
      }
    }
  };
  walk(dir);
  return { version, files };
}

function buildModels(options: FleetOptions, rt: SimRuntime, installDirectory: string): HostModel[] {
  const rng = rt.rng;
  const total = Math.max(0, Math.floor(options.hosts));
  const clusters = Array.from({ length: Math.max(0, Math.min(options.clusters, Math.floor(total / 2))) }, (_, i) => createCluster(clusterName(i)));
  const perCluster = clusters.length > 0 ? Math.max(2, Math.floor((total * 0.75) / clusters.length)) : 0;
  const preinstalled = options.preinstallAgentFrom ? readArtifacts(options.preinstallAgentFrom) : undefined;
  const now = Date.now();
  const hosts: HostModel[] = [];
  for (let i = 0; i < total; i++) {
    const cluster = clusters[Math.floor(i / Math.max(1, perCluster))] ?? null;
    const host = createHost(rng, hostName(i, total), cluster);
    cluster?.nodes.push(host);
    if (preinstalled) {
      const install: InstallModel = { directory: installDirectory, version: preinstalled.version, files: preinstalled.files };
      host.installs.set(normalize(installDirectory), install);
    }
    seedVms(rng, host, i, options.vmsPerHost, i * options.vmsPerHost, now);
    hosts.push(host);
  }
  return hosts;
}

export function createFleet(options: FleetOptions): Fleet {
  const installDirectory = options.installDirectory ?? DEFAULT_INSTALL_DIRECTORY;
  const rt: SimRuntime = {
    timeScale: options.timeScale,
    rng: new Rng(options.seed),
    guestMode: options.guestMode ?? 'auto',
    linuxAgentPath: options.linuxAgentPath ?? join(REPOSITORY_ROOT, 'Linux', 'aetherv-guest-agent'),
    tempRoot: join(tmpdir(), `aetherv-sim-${process.pid}-${Math.random().toString(36).slice(2, 8)}`),
    oplog: [],
    nextSeq: 1,
  };
  let mode: PwshMode | undefined;
  const models: HostModel[] = buildModels(options, rt, installDirectory);
  const preinstalled = options.preinstallAgentFrom ? { artifacts: options.preinstallAgentFrom, ...readArtifacts(options.preinstallAgentFrom) } : undefined;
  const pwsh = (): PwshMode => (mode ??= new PwshMode(rt, () => hosts.map((h) => h.state), installDirectory, preinstalled));
  const agentOf = (name: string): AgentKind => options.agentByHost?.[name] ?? options.agentByHost?.[name.toLowerCase()] ?? options.agent ?? 'typescript';
  const hosts: Host[] = [];
  for (const m of models) hosts.push(new Host(m, rt, installDirectory, agentOf(m.name), pwsh));
  const byName = new Map(hosts.map((h) => [h.name.toLowerCase(), h]));
  const stopGuests = (): void => {
    for (const h of hosts) for (const vm of h.state.vms.values()) { vm.guest?.stop(); vm.guest = null; }
  };
  return {
    hosts,
    host: (name) => byName.get(name.toLowerCase()) ?? byName.get(name.toLowerCase().split('.')[0] ?? ''),
    oplog: ({ host, since }) => rt.oplog.filter((e) => e.seq > (since ?? 0) && (host === undefined || e.host.toLowerCase() === host.toLowerCase())),
    reset() {
      stopGuests();
      rt.rng = new Rng(options.seed);
      rt.oplog.length = 0;
      rt.nextSeq = 1;
      const models = buildModels(options, rt, installDirectory);
      mode?.reset();
      hosts.forEach((h, i) => { h.state = models[i] as HostModel; h.faults = structuredClone(NO_FAULTS); h.up = true; });
      for (const h of hosts) if (h.agent === 'powershell') pwsh().prepare(h.state);
    },
    async close() {
      stopGuests();
      // Let killed guest agents exit before their roots go.
      await new Promise((r) => setTimeout(r, 50));
      await mode?.close();
      rmSync(rt.tempRoot, { recursive: true, force: true });
    },
  };
}
