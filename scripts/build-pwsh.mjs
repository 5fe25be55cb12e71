#!/usr/bin/env node
// Builds a real PowerShell 7 (`pwsh`, PowerShell's own console host on Microsoft.PowerShell.SDK
// from NuGet) into .tools/pwsh/, and copies the pinned Pester module from its NuGet package into
// .tools/pester/<version>/. Needs the .NET SDK; running the orchestrator does not.
// Usage: node scripts/build-pwsh.mjs [--if-missing]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const project = join(root, 'tools', 'pwsh', 'pwsh.csproj');
export const pwshPath = join(root, '.tools', 'pwsh', 'pwsh');
const pesterVersion = /Include="Pester" Version="\[([0-9.]+)\]"/.exec(readFileSync(project, 'utf8'))?.[1];
if (!pesterVersion) throw new Error(`${project}: no pinned Pester PackageDownload`);
export const pesterManifest = join(root, '.tools', 'pester', pesterVersion, 'Pester.psd1');

if (process.argv.includes('--if-missing') && existsSync(pwshPath) && existsSync(pesterManifest)) process.exit(0);

const dotnet = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
if (dotnet.status !== 0) {
  console.error('build:pwsh: the .NET SDK (dotnet) is not on PATH. Install the .NET 10 SDK to build pwsh for the PowerShell tests, or set PWSH to an existing pwsh.');
  process.exit(1);
}
const publish = spawnSync('dotnet', ['publish', project, '-c', 'Release', '-o', join(root, '.tools', 'pwsh'), '--nologo', '-v', 'quiet'],
  { stdio: 'inherit', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' } });
if (publish.status !== 0) {
  console.error(`build:pwsh: dotnet publish failed (exit ${publish.status ?? publish.signal})`);
  process.exit(1);
}
const packages = process.env.NUGET_PACKAGES ?? join(homedir(), '.nuget', 'packages');
const pesterSource = join(packages, 'pester', pesterVersion, 'tools');
if (!existsSync(join(pesterSource, 'Pester.psd1'))) {
  console.error(`build:pwsh: Pester ${pesterVersion} was not restored into ${pesterSource}`);
  process.exit(1);
}
rmSync(dirname(pesterManifest), { recursive: true, force: true });
cpSync(pesterSource, dirname(pesterManifest), { recursive: true });
console.log(`build:pwsh: ${pwshPath} (PowerShell 7 from Microsoft.PowerShell.SDK), Pester ${pesterVersion} in ${dirname(pesterManifest)}`);
