/**
 * The real host agent end to end: a full test orchestrator (test/support/orchestrator.ts: real
 * WinRM over HTTPS, agent client, deployment, inventory, HTTP API, job engine) in front of a
 * simulator whose hosts answer with Powershell/ itself in the real pwsh, on a C: drive on disk.
 * Helpers read what the agent left on that disk, not what the simulator's model says about it.
 *
 * What test/real-agent covers, one orchestrator per file (files run two at a time, each within
 * run-tests' 300 s per file, so each file stays small):
 * - deployment.test.ts: pull upgrade from an older agent (files fetched from /agent/), corrupt
 *   download refused with the old agent still answering, push upgrade;
 * - inventory.test.ts: hosts and VMs against the model, a change seen after a refresh;
 * - provision.test.ts: a Linux VM (real Linux guest agent) and a Windows VM on hosts, at once;
 * - cluster.test.ts: a clustered Linux VM on a cluster's shared storage (cluster.addVm), deleted
 *   again (cluster.removeVm);
 * - lifecycle.test.ts: on a seeded VM, every power action and a refusal, initialize (KVP),
 *   update, delete;
 * - devices.test.ts: disk and NIC jobs on a seeded VM, a provisioning cancelled with rollback.
 * Every job kind runs at least once. Chosen to fit CI and left to the TypeScript-agent tests
 * (test/jobs/kinds/, which cost milliseconds a call, where each call here costs a pwsh start):
 * the error-path matrix (rules, failures, placement, hostile strings), resume after restart,
 * scale, replicas, SSH transport, and provisioning variants beyond one per OS and placement.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatorOptions } from '../../simulator/src/index.ts';
import type { JobView } from '../../server/src/jobs/types.ts';
import { control, startTestOrchestrator, testArtifacts, type TestOrchestrator } from '../support/orchestrator.ts';
import { pwshPath } from '../support/pester.ts';

export interface RealAgentOrchestrator extends TestOrchestrator {
  /** Submits a job to the orchestrator's own engine and waits for its end. */
  run(kind: string, params: object, options?: { secrets?: object; timeoutMs?: number }): Promise<JobView>;
  submit(kind: string, params: object, options?: { secrets?: object }): Promise<JobView>;
}

/**
 * Every host answers with the real agent: `agent: 'powershell'`. timeScale 0.1: VM transitions
 * take a tenth of their time (the cost that remains is pwsh's own, about a second a call), and
 * the Linux guest agent's overall deadline stays at 360 s (at timeScale 0 it would be its
 * minimum, 60 s, which the real agent's KVP round trips can exceed on a loaded machine).
 * The shortest KVP poll.
 */
export async function startRealAgent(options: { simulator: SimulatorOptions; env?: NodeJS.ProcessEnv; jobs?: boolean }): Promise<RealAgentOrchestrator> {
  // A missing pwsh fails here, with how to build it; it never turns into a skip.
  pwshPath();
  const o = await startTestOrchestrator({
    // This checkout's agent is installed on every host unless the test says otherwise.
    simulator: { timeScale: 0.1, agent: 'powershell', preinstallAgentFrom: await testArtifacts(), ...options.simulator },
    env: { KVP_POLL_SECONDS: '1', JOB_ABORT_GRACE_SECONDS: '30', ...options.env },
  });
  for (const row of o.sim.hosts) {
    const model = await control(o.sim, 'GET', `/hosts/${row.name}/model`) as { agent: string };
    assert.equal(model.agent, 'powershell', `${row.name} answers with the real agent`);
  }
  if (options.jobs !== false) await o.services.jobs.start();
  const submit = (kind: string, params: object, opts: { secrets?: object } = {}): Promise<JobView> => {
    const p = params as { host?: string; vmId?: string };
    return o.services.jobs.submit({
      kind, params: params as Record<string, unknown>, requestedBy: 'real-agent-test', correlationId: randomUUID(),
      ...(opts.secrets ? { secrets: opts.secrets as Record<string, unknown> } : {}),
      ...(p.host ? { host: p.host } : {}),
      ...(p.vmId ? { vmId: p.vmId } : {}),
    });
  };
  return {
    ...o,
    submit,
    run: async (kind, params, opts = {}) => o.services.jobs.waitFor((await submit(kind, params, opts)).id, opts.timeoutMs ?? 600_000),
  };
}

/** The folder that is this host's C:\ (the simulator's powershell mode puts it on disk). */
export async function driveRoot(o: TestOrchestrator, host: string): Promise<string> {
  const model = await control(o.sim, 'GET', `/hosts/${host}/model`) as { drive?: string };
  assert.ok(model.drive && existsSync(model.drive), `${host} has its C: drive on disk`);
  return model.drive;
}

/** Every file on the host's C: drive as a Windows path (C:\...), following C:\ClusterStorage\Volume1. */
export async function filesOnDisk(o: TestOrchestrator, host: string): Promise<string[]> {
  const root = await driveRoot(o, host);
  const out: string[] = [];
  const walk = (dir: string, win: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const isDir = lstatSync(full).isSymbolicLink() ? statSync(full).isDirectory() : lstatSync(full).isDirectory();
      if (isDir) walk(full, `${win}${name}\\`);
      else out.push(`${win}${name}`);
    }
  };
  walk(root, 'C:\\');
  return out;
}

/** A file of the host's C: drive, by its Windows path. */
export async function readOnDisk(o: TestOrchestrator, host: string, windowsPath: string): Promise<Buffer> {
  const root = await driveRoot(o, host);
  return readFileSync(join(root, ...windowsPath.replace(/^C:\\/i, '').split('\\')));
}

/** Why a job ended as it did, for assertion messages. */
export function explain(job: JobView): string {
  return `${job.state} ${job.error ? `${job.error.code}: ${job.error.message}` : ''}\n${job.steps.map((s) => `${s.name}: ${s.state}${s.error ? ` (${s.error.message})` : ''}`).join('\n')}`;
}
