/**
 * simulator-scale: 1,000 simulated hosts x 50 VMs in one process (WinRM HTTP and HTTPS and SSH
 * listeners on 1,000 loopback addresses, ephemeral ports): how long they take to start and how
 * much resident memory they add. One host is then asked over WinRM, to show the fleet answers.
 */
import { startSimulator } from '../simulator/src/index.ts';
import { createTransport } from '../server/src/remoting/index.ts';
import { DEFAULT_SSH, DEFAULT_WINRM } from '../server/src/remoting/settings.ts';
import { MIB, collectGarbage, round, timed } from './measure.ts';
import type { Measurement } from './types.ts';

const HOSTS = 1000;
const VMS_PER_HOST = 50;

export async function run(): Promise<Measurement[]> {
  collectGarbage();
  const rssBefore = process.memoryUsage().rss;
  const { ms, result: sim } = await timed(() => startSimulator({
    hosts: HOSTS, vmsPerHost: VMS_PER_HOST, clusters: 50, seed: 3, timeScale: 0, addressBase: '127.0.50.1',
    ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 },
  }));
  try {
    collectGarbage();
    const memory = process.memoryUsage();
    const up = sim.hosts.filter((h) => h.up && h.winrmPort > 0 && h.winrmHttpsPort > 0 && h.sshPort > 0).length;
    const last = sim.hosts.at(-1)!;
    const transport = createTransport(last.name, {
      transport: 'winrm', connectTimeoutMs: 5_000, ssh: DEFAULT_SSH,
      winrm: { ...DEFAULT_WINRM, auth: 'basic', useTls: true, port: last.winrmHttpsPort, username: sim.credentials.username, password: sim.credentials.password, caFile: sim.credentials.caFile, delegate: false },
    }, { address: last.address });
    let answered = 0;
    try {
      const reply = await transport.run({ command: 'hostname' });
      if (reply.stdout.trim() === last.name) answered = 1;
    } finally {
      await transport.close();
    }
    return [
      { metric: `hosts listening (x ${VMS_PER_HOST} VMs)`, value: up, unit: '', target: { op: '==', value: HOSTS } },
      { metric: 'the last host answers over WinRM', value: answered, unit: '', target: { op: '==', value: 1 } },
      { metric: 'start time', value: round(ms / 1000, 2), unit: 's', target: { op: '<=', value: 60 } },
      { metric: 'resident memory growth', value: round((memory.rss - rssBefore) / MIB), unit: 'MiB', target: { op: '<=', value: 600 } },
      { metric: 'heap used after start', value: round(memory.heapUsed / MIB), unit: 'MiB' },
    ];
  } finally {
    await sim.stop();
  }
}
