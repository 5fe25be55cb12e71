/**
 * The simulated Windows guest goes through OOBE as Windows Server does (issue 16, item 2): it
 * reads unattend.xml from the real WindowsProvisioning.iso the artifact build makes, and only
 * when the oobeSystem pass answers every page does its agent run and publish a key over KVP.
 * An answer file missing International-Core or AdministratorPassword leaves it silent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArtifacts } from '../../server/src/artifacts/build.ts';
import { createFleet, REPOSITORY_ROOT, type Fleet, type SimulatedHost } from '../../simulator/src/host/fleet.ts';
import { AGENT_COMMAND, parseAgentOutput, runCommand } from '../../simulator/src/host/testing.ts';
import { randomUUID } from 'node:crypto';
import type { AgentKind } from '../../simulator/src/pwsh/mode.ts';

const GiB = 1024 ** 3;
const work = mkdtempSync(join(tmpdir(), 'aetherv-oobe-'));
const fleets: Fleet[] = [];
after(async () => {
  await Promise.all(fleets.map((f) => f.close()));
  rmSync(work, { recursive: true, force: true });
});

/** The artifact build of a copy of the repository whose Windows/unattend.xml is `edit`ed. */
async function artifactsWith(name: string, edit: (xml: string) => string | null): Promise<string> {
  const root = join(work, name, 'repo');
  for (const part of ['version', 'Powershell', 'Windows', 'Linux']) cpSync(join(REPOSITORY_ROOT, part), join(root, part), { recursive: true });
  const unattend = join(root, 'Windows', 'unattend.xml');
  const original = readFileSync(unattend, 'utf8');
  const edited = edit(original);
  assert.ok(name === 'as-is' ? edited === original : edited !== original, `${name}: the edit applies`);
  if (edited === null) rmSync(unattend);
  else writeFileSync(unattend, edited);
  const out = join(work, name, 'artifacts');
  await buildArtifacts({ root, outDir: out, timestamp: new Date('2026-01-01T00:00:00Z') });
  return out;
}

/** One agent operation that must succeed; the real agent in pwsh on Linux ends its lines with LF. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary result fields
async function must(host: SimulatedHost, operation: string, params: unknown): Promise<any> {
  const id = randomUUID();
  const request = { protocol: 'aetherv.agent/1', id, operation, params, deadlineSeconds: 120 };
  const r = parseAgentOutput(operation, id, await runCommand(host, AGENT_COMMAND, JSON.stringify(request)), 'any');
  assert.ok(r.ok, `${operation} failed: ${JSON.stringify(r.error)}`);
  return r.result;
}

/** Boots a Windows VM from its golden image with the provisioning ISO and asks for its key. */
async function bootWindowsVm(artifacts: string, agent: AgentKind = 'typescript'): Promise<{ host: SimulatedHost; vmId: string; version: string }> {
  const fleet = createFleet({ hosts: 1, vmsPerHost: 0, clusters: 0, seed: 7, timeScale: 0.001, guestMode: 'typescript', preinstallAgentFrom: artifacts, agent });
  fleets.push(fleet);
  const host = fleet.hosts[0]!;
  const version = readFileSync(join(artifacts, 'version'), 'utf8').trim();
  const image = await must(host, 'image.copy', { image: 'Windows-Server-2022', destinationPath: 'C:\\Hyper-V\\Virtual Machines\\win-01\\win-01.vhdx', mode: 'differencing' });
  const created = await must(host, 'vm.create', { name: 'win-01', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 2, memory: { startupBytes: 2 * GiB, dynamic: false }, bootDiskPath: image.path, secureBootTemplate: 'MicrosoftWindows' });
  const vmId = created.vm.vmId as string;
  const iso = (await must(host, 'host.info', {})).provisioningIsos.find((i: { osFamily: string }) => i.osFamily === 'windows');
  assert.ok(iso, 'the Windows provisioning ISO is installed');
  await must(host, 'iso.attach', { vmId, isoPath: iso.path });
  await must(host, 'vm.power', { vmId, action: 'start' });
  await must(host, 'kvp.set', { vmId, items: [{ key: 'aetherv.version', value: version }, { key: 'aetherv.host.state', value: 'awaiting-key' }] });
  return { host, vmId, version };
}

async function guestItems(host: SimulatedHost, vmId: string): Promise<Record<string, string>> {
  const items = (await must(host, 'kvp.get', { vmId })).items as Record<string, string>;
  return Object.fromEntries(Object.entries(items).filter(([k]) => k.startsWith('aetherv.guest.')));
}

describe('a simulated Windows guest and the unattend.xml on its provisioning ISO', () => {
  const built: Record<string, string> = {};
  before(async () => {
    built.asIs = await artifactsWith('as-is', (xml) => xml);
    built.noInternational = await artifactsWith('no-international-core', (xml) =>
      xml.replace(/<component name="Microsoft-Windows-International-Core"[\s\S]*?<\/component>/, ''));
    built.noPassword = await artifactsWith('no-administrator-password', (xml) => xml.replace(/<UserAccounts>[\s\S]*?<\/UserAccounts>/, ''));
    built.noAnswerFile = await artifactsWith('no-unattend', () => null);
  });

  const publishesKey = async (agent: AgentKind): Promise<void> => {
    const { host, vmId, version } = await bootWindowsVm(built.asIs!, agent);
    const end = Date.now() + 30_000;
    let items = await guestItems(host, vmId);
    while (items['aetherv.guest.pubkey'] === undefined && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      items = await guestItems(host, vmId);
    }
    assert.equal(items['aetherv.guest.version'], version);
    assert.equal(items['aetherv.guest.state'], 'awaiting-payload');
    assert.equal((JSON.parse(items['aetherv.guest.pubkey'] ?? '{}') as { kty?: string }).kty, 'RSA');
  };
  const staysSilent = async (name: string, page: string, agent: AgentKind): Promise<void> => {
    const { host, vmId } = await bootWindowsVm(built[name]!, agent);
    // The guest boots in 20 ms at this time scale; 1.5 s is 75 boot times.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await guestItems(host, vmId), {});
    const vm = (host.model() as { vms: { vmId: string; guest: { phase?: string } | null }[] }).vms.find((v) => v.vmId === vmId);
    assert.equal(vm?.guest?.phase, `oobe:${page}`);
  };

  it("completes OOBE with the repository's Windows/unattend.xml: the agent publishes its key", () => publishesKey('typescript'));

  for (const [name, page] of [['noInternational', 'region-and-keyboard'], ['noPassword', 'administrator-password'], ['noAnswerFile', 'no-answer-file']] as const) {
    it(`stays in OOBE (${page}) without that answer: nothing in KVP, the agent never runs`, () => staysSilent(name, page, 'typescript'));
  }

  // Powershell agent mode: the real scripts copy the real ISO next to the VM on the C: drive
  // folder, and the guest reads that file.
  it('powershell agent mode: the real ISO copy lets the agent publish its key', () => publishesKey('powershell'));
  it('powershell agent mode: without International-Core the guest stays in OOBE', () => staysSilent('noInternational', 'region-and-keyboard', 'powershell'));
});
