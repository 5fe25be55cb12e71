/**
 * The cmdlet shim as a script on a simulated host sees it (real pwsh, the signature modules,
 * AetherV.SimBackend, the simulator's backend): real type names and .NET types, objects passed
 * back by pipeline and by parameter, non-terminating and terminating errors with Hyper-V's
 * categories and ids, -AsJob jobs that Wait-Job and Receive-Job understand, the C: drive.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostModel } from '../host/model.ts';
import { Rng } from '../host/rng.ts';
import type { SimRuntime } from '../host/runtime.ts';
import { createHost, seedVms } from '../host/seed.ts';
import { PwshMode } from './mode.ts';

const SCRIPT = String.raw`
$ErrorActionPreference = 'Stop'
$r = [ordered]@{}
$vm = @(Get-VM | Where-Object { [string]$_.State -eq 'Running' })[0]
$r.id = $vm.Id.ToString()
$r.typeName = $vm.PSObject.TypeNames[0]
$r.types = @($vm.Id.GetType().FullName, $vm.MemoryStartup.GetType().FullName, $vm.Generation.GetType().FullName, $vm.State.GetType().FullName, $vm.CreationTime.GetType().FullName, $vm.Uptime.GetType().FullName)
$r.state = [string]$vm.State
$r.drives = @(Get-VM -Id $vm.Id | Get-VMHardDiskDrive | ForEach-Object { $_.PSObject.TypeNames[0] })
$missing = Get-VM -Name 'no-such-vm' -ErrorAction SilentlyContinue -ErrorVariable failures
$r.missing = @($missing).Count
$r.nonTerminating = @([string]$failures[0].CategoryInfo.Category, $failures[0].FullyQualifiedErrorId, $failures[0].Exception.GetType().FullName)
try { Get-VM -Name 'no-such-vm' } catch { $r.stopped = $_.FullyQualifiedErrorId }
$job = Stop-VM -VM $vm -TurnOff -Force -AsJob
$r.job = @($job.GetType().BaseType.FullName, [string](Wait-Job -Job $job -Timeout 10).State)
Receive-Job -Job $job
$r.after = [string](Get-VM -Id $vm.Id).State
try { Suspend-VM -VM (Get-VM -Id $vm.Id) } catch { $r.refused = @([string]$_.CategoryInfo.Category, $_.Exception.GetType().FullName) }
$r.os = (Get-CimInstance -ClassName Win32_OperatingSystem).Caption
$r.drive = @((Test-Path -LiteralPath 'C:\Hyper-V' -PathType Container), (Join-Path -Path 'C:\Hyper-V' -ChildPath 'x'))
$r.computer = $env:COMPUTERNAME
[Console]::Out.Write(($r | ConvertTo-Json -Compress -Depth 5))
`;

describe('the cmdlet shim in real pwsh', () => {
  const tempRoot = mkdtempSync(join(tmpdir(), 'aetherv-shim-'));
  const rt: SimRuntime = { timeScale: 0, rng: new Rng(5), guestMode: 'typescript', linuxAgentPath: '', tempRoot, oplog: [], nextSeq: 1 };
  let host: HostModel;
  let mode: PwshMode;

  before(() => {
    host = createHost(rt.rng, 'HV07', null);
    seedVms(rt.rng, host, 0, 4, 0, Date.now());
    mode = new PwshMode(rt, () => [host], 'C:\\Program Files\\Aether-V');
  });
  after(async () => {
    await mode.close();
    rmSync(tempRoot, { recursive: true, force: true });
  });

  it('gives Hyper-V objects, errors and jobs as the Hyper-V module does, on the host\'s C: drive', async () => {
    const p = mode.spawn(host, ['-NoLogo', '-NoProfile', '-NonInteractive'], { kind: 'encoded', base64: Buffer.from(SCRIPT, 'utf16le').toString('base64') });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    p.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    p.stdin.end();
    assert.equal(await p.exit, 0, err);
    const r = JSON.parse(out) as Record<string, unknown>;
    assert.equal(r.typeName, 'Microsoft.HyperV.PowerShell.VirtualMachine');
    assert.deepEqual(r.types, ['System.Guid', 'System.Int64', 'System.Int32', 'Microsoft.HyperV.PowerShell.VMState', 'System.DateTime', 'System.TimeSpan']);
    assert.equal(r.state, 'Running');
    assert.deepEqual(r.drives, ['Microsoft.HyperV.PowerShell.HardDiskDrive']);
    assert.equal(r.missing, 0);
    assert.deepEqual(r.nonTerminating, ['ObjectNotFound', 'InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM', 'Microsoft.HyperV.PowerShell.VirtualizationException']);
    assert.equal(r.stopped, 'InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM');
    assert.deepEqual(r.job, ['System.Management.Automation.Job', 'Completed']);
    assert.equal(r.after, 'Off');
    assert.deepEqual(r.refused, ['InvalidOperation', 'Microsoft.HyperV.PowerShell.VirtualizationException']);
    assert.equal(r.os, 'Microsoft Windows Server 2022 Datacenter');
    assert.deepEqual(r.drive, [true, 'C:\\Hyper-V\\x']);
    assert.equal(r.computer, 'HV07');
    // The model saw the turn-off, and its files live on the host's disk.
    assert.equal(host.vms.get(String(r.id))?.state, 'Off');
    assert.ok(existsSync(join(mode.drive(host)!.root, 'Hyper-V')));
  });

  it('stops the pwsh process on terminate(), as a WinRS terminate signal or a closed SSH channel does', async () => {
    const script = '[Console]::Out.WriteLine("started"); Start-Sleep -Seconds 60; [Console]::Out.WriteLine("not reached")';
    const p = mode.spawn(host, ['-NoLogo'], { kind: 'encoded', base64: Buffer.from(script, 'utf16le').toString('base64') });
    let out = '';
    const started = new Promise<void>((resolve) => p.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); if (out.includes('started')) resolve(); }));
    p.stderr.resume();
    p.stdin.end();
    await started;
    const t = Date.now();
    p.terminate();
    assert.equal(await p.exit, 1);
    assert.ok(Date.now() - t < 5000, 'exits promptly');
    assert.doesNotMatch(out, /not reached/);
  });
});
