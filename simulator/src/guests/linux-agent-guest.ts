/**
 * Runs the real Linux guest agent (Linux/aetherv-guest-agent) for a simulated VM: a per-VM root
 * folder with the KVP pool files, the ISO's version file, and recording stand-ins for the system
 * commands it calls (hostnamectl, useradd, …; openssl is the real one). The VM's KVP store is
 * switched to the pool files for as long as the guest lives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestHandle } from './guest.ts';
import type { GuestEnv } from './launcher.ts';
import { PYTHON, readPool, writePool, type PoolChange } from './pool-file.ts';
import { KEYS } from './protocol.ts';
import { MemoryKvp, type KvpStore } from '../host/model.ts';
import { assertKvpItemFits } from '../host/kvp-limits.ts';
import { scaled } from '../host/runtime.ts';

const STAND_INS = ['hostnamectl', 'useradd', 'usermod', 'chpasswd', 'chown', 'netplan', 'nmcli', 'systemctl', 'reboot'];

/** Host side of the pool files: host items mirrored in memory (only the host writes pool 0), guest items read back on sync. */
export class PoolFileKvp implements KvpStore {
  private readonly host: Map<string, string>;
  private guest = new Map<string, string>();
  private pending: PoolChange[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly directory: string, initial: Map<string, string>, private readonly onGuestItems: (items: Map<string, string>) => void) {
    this.host = new Map(initial);
    for (const [k, v] of initial) this.pending.push(['set', k, v]);
  }

  hostItems(): Map<string, string> { return this.host; }
  setHost(key: string, value: string): void { assertKvpItemFits(key, value); this.host.set(key, value); this.pending.push(['set', key, value]); }
  removeHost(key: string): boolean { this.pending.push(['remove', key]); return this.host.delete(key); }
  guestItems(): Map<string, string> { return this.guest; }
  setGuest(key: string, value: string): void { this.guest.set(key, value); }
  removeGuest(key: string): void { this.guest.delete(key); }

  /** Writes pending host changes to .kvp_pool_0, then re-reads .kvp_pool_1. */
  sync(): Promise<void> {
    this.chain = this.chain.then(async () => {
      const changes = this.pending.splice(0);
      if (changes.length > 0) await writePool(join(this.directory, '.kvp_pool_0'), changes);
      this.guest = await readPool(join(this.directory, '.kvp_pool_1'));
      this.onGuestItems(this.guest);
    });
    return this.chain;
  }
}

function standIn(name: string): string {
  const record = `printf '%s\\n' "${name} $*" >> "$AETHERV_GUEST_ROOT/.sim/commands.log"`;
  if (name === 'chpasswd') return `#!/bin/sh\n# reads the password on stdin and records nothing of it\ncat > /dev/null\n${record}\n`;
  return `#!/bin/sh\n${record}\n`;
}

export function startLinuxAgentGuest(env: GuestEnv): GuestHandle {
  const { vm, rt } = env;
  mkdirSync(rt.tempRoot, { recursive: true });
  const root = mkdtempSync(join(rt.tempRoot, `vm-${vm.id.slice(0, 8)}-`));
  const bin = join(root, '.sim', 'bin');
  for (const d of ['var/lib/hyperv', 'var/lib/aetherv', 'etc/netplan', '.sim/bin']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'var/lib/aetherv/version'), `${env.isoVersion}\n`);
  writeFileSync(join(root, 'etc/hostname'), `${vm.name}\n`);
  writeFileSync(join(root, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${vm.name}\n`);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nsudo:x:27:\n');
  // What an Ubuntu guest on Hyper-V shows in sysfs: one synthetic adapter per VM NIC (hv_netvsc).
  mkdirSync(join(root, 'sys/bus/vmbus/drivers/hv_netvsc'), { recursive: true });
  vm.nics.forEach((nic, i) => {
    const dev = join(root, 'sys/class/net', `eth${i}`);
    mkdirSync(join(dev, 'device'), { recursive: true });
    symlinkSync(join(root, 'sys/bus/vmbus/drivers/hv_netvsc'), join(dev, 'device', 'driver'));
    writeFileSync(join(dev, 'address'), `${nic.macAddress.toLowerCase().match(/../g)?.join(':') ?? ''}\n`);
  });
  const dhcp = vm.nics[0]?.ipAddresses.find((a) => a.includes('.')) ?? `10.200.${rt.rng.int(0, 255)}.${rt.rng.int(10, 250)}`;
  for (const name of STAND_INS) writeFileSync(join(bin, name), standIn(name));
  writeFileSync(join(bin, 'ip'), `#!/bin/sh\nprintf '2: eth0    inet %s/24 brd 0.0.0.0 scope global dynamic eth0\\n' "${dhcp}"\n`);
  for (const name of [...STAND_INS, 'ip']) chmodSync(join(bin, name), 0o755);

  const store = new PoolFileKvp(join(root, 'var/lib/hyperv'), vm.kvp.hostItems(), (items) => {
    const ipv4 = items.get(KEYS.guestIpv4);
    if (items.get(KEYS.guestState) === 'applied' && ipv4 && vm.nics[0]) vm.nics[0].ipAddresses = [ipv4];
  });
  vm.kvp = store;
  void store.sync().catch(() => undefined);

  let child: ChildProcess | null = null;
  let stopped = false;
  let stderr = '';
  const boot = setTimeout(() => {
    if (stopped) return;
    child = spawn(PYTHON, [rt.linuxAgentPath], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        AETHERV_GUEST_ROOT: root,
        AETHERV_POLL_SECONDS: '0.1',
        AETHERV_TIMEOUT_SECONDS: String(Math.max(60, scaled(rt, 3_600_000) / 1000)),
        PATH: `${bin}:/usr/bin:/bin`,
        LANG: 'C.UTF-8',
      },
    });
    child.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-4000); });
    child.once('exit', () => {
      try { vm.guestHostname = readFileSync(join(root, 'etc/hostname'), 'utf8').trim() || vm.guestHostname; } catch { /* removed by stop() */ }
      void store.sync().catch(() => undefined);
    });
  }, Math.max(0, env.readyAt - Date.now()));
  boot.unref();

  return {
    // The agent polls the pool file; a host-side change only has to reach the file.
    notify: () => void store.sync().catch(() => undefined),
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(boot);
      const memory = new MemoryKvp();
      for (const [k, v] of store.hostItems()) memory.setHost(k, v);
      vm.kvp = memory;
      const cleanup = (): void => rmSync(root, { recursive: true, force: true });
      if (child && child.exitCode === null && child.signalCode === null) {
        child.once('exit', cleanup);
        child.kill('SIGTERM');
      } else cleanup();
    },
    info: () => ({ kind: 'linux-agent', root, running: child !== null && child.exitCode === null, exitCode: child?.exitCode ?? null, stderrTail: stderr.slice(-1000) }),
  };
}
