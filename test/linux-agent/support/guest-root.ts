/**
 * A throw-away guest filesystem for running the REAL Linux agent (Linux/aetherv-guest-agent) with
 * Debian's python3 and the real openssl. PATH holds only recording stand-ins (standin.py; the openssl
 * one records, then runs the real /usr/bin/openssl), so the agent can never touch this machine's
 * users, hostname or network.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const AGENT = resolve(here, '../../../Linux/aetherv-guest-agent');
const STANDIN = join(here, 'standin.py');
const PYTHON = '/usr/bin/python3';

export const STANDIN_COMMANDS = ['openssl', 'hostnamectl', 'useradd', 'usermod', 'chpasswd', 'chown', 'netplan', 'nmcli', 'ip', 'systemctl', 'reboot'];
export const ETH0_MAC = '00:15:5d:01:02:03';

export interface GuestRootOptions {
  /** Contents of var/lib/aetherv/version (the ISO's version). */
  version: string;
  /** An image with netplan (etc/netplan exists) or, when false, NetworkManager only. */
  netplan?: boolean;
  /** Stand-ins to leave out of PATH (e.g. hostnamectl). */
  without?: string[];
}

export interface GuestRoot {
  dir: string;
  pool0: string;
  pool1: string;
  log: string;
  file(path: string): string;
  cleanup(): void;
}

export function makeGuestRoot(options: GuestRootOptions): GuestRoot {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-guest-'));
  const at = (path: string): string => join(dir, path);
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(at(path)), { recursive: true });
    writeFileSync(at(path), text);
  };
  mkdirSync(at('var/lib/hyperv'), { recursive: true });
  write('var/lib/aetherv/version', `${options.version}\n`);
  write('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  write('etc/group', 'root:x:0:\nsudo:x:27:\n');
  write('etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\tgolden-image\n');
  mkdirSync(at('etc/sudoers.d'), { recursive: true });
  mkdirSync(at('etc/cloud/cloud.cfg.d'), { recursive: true });
  if (options.netplan !== false) write('etc/netplan/50-cloud-init.yaml', 'network: {version: 2, ethernets: {eth0: {dhcp4: true}}}\n');
  // sys/class/net: loopback (no device) and one Hyper-V synthetic adapter.
  write('sys/class/net/lo/address', '00:00:00:00:00:00\n');
  write('sys/class/net/eth0/address', `${ETH0_MAC.toUpperCase()}\n`);
  mkdirSync(at('sys/bus/vmbus/drivers/hv_netvsc'), { recursive: true });
  mkdirSync(at('sys/class/net/eth0/device'), { recursive: true });
  symlinkSync(at('sys/bus/vmbus/drivers/hv_netvsc'), at('sys/class/net/eth0/device/driver'));
  mkdirSync(at('bin'));
  for (const command of STANDIN_COMMANDS) {
    if (!options.without?.includes(command)) symlinkSync(STANDIN, at(`bin/${command}`));
  }
  chmodSync(dir, 0o755);
  return {
    dir,
    pool0: at('var/lib/hyperv/.kvp_pool_0'),
    pool1: at('var/lib/hyperv/.kvp_pool_1'),
    log: at('standins.log'),
    file: at,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface StandinCall {
  cmd: string;
  argv: string[];
  stdin: string;
}

export function standinCalls(root: GuestRoot): StandinCall[] {
  let text: string;
  try {
    text = readFileSync(root.log, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as StandinCall);
}

export interface AgentRun {
  /** Resolves when the agent exits (it is killed after `killAfterMs`). */
  exited: Promise<{ code: number | null; stderr: string }>;
  hasExited(): boolean;
  kill(signal: NodeJS.Signals): void;
}

export function startAgent(root: GuestRoot, env: Record<string, string> = {}, killAfterMs = 45_000): AgentRun {
  // A hermetic environment: no inherited PATH, no LANG (as under systemd).
  const child = spawn(PYTHON, [AGENT], {
    env: {
      PATH: join(root.dir, 'bin'),
      AETHERV_GUEST_ROOT: root.dir,
      AETHERV_POLL_SECONDS: '0.05',
      AETHERV_TIMEOUT_SECONDS: '40',
      STANDIN_LOG: root.log,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let done = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const exited = new Promise<{ code: number | null; stderr: string }>((resolveExit) => {
    child.on('close', (code) => {
      done = true;
      clearTimeout(timer);
      resolveExit({ code, stderr });
    });
  });
  return { exited, hasExited: () => done, kill: (signal) => child.kill(signal) };
}
