/**
 * How the Windows agent is written, checked on its parse tree: strict mode and Stop everywhere,
 * no aliases, no code built from data, failures surfaced (-ErrorAction Stop), secrets never
 * written to disk or logs in clear, modules wired together, and the bootstrapper's promises
 * (label lookup, locked-down folder, SYSTEM task) kept.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { SyntaxNode } from 'tree-sitter';
import { commandCalls, descendants, enclosingFunction, functionNodes, loadScripts, parseErrors, type ScriptFile } from './ps-tree.ts';

const files = loadScripts();
const calls = commandCalls(files);
const byPath = (path: string): ScriptFile => {
  const file = files.find((f) => f.path === path);
  assert.ok(file, `Windows/${path} exists`);
  return file;
};
const guest = byPath('AetherV.Guest.ps1');
const bootstrap = byPath('AetherV.Bootstrap.ps1');
const modules = files.filter((f) => f.path.startsWith('Modules/'));

const definedFunctions = new Map<string, string>();
for (const file of files) for (const name of functionNodes(file).keys()) definedFunctions.set(name, file.path);

/** Cmdlets that cannot fail in a way -ErrorAction would change, or that are our plumbing. */
const pureCmdlets = new Set([
  'Join-Path', 'Split-Path', 'Start-Sleep', 'Where-Object', 'Sort-Object', 'ForEach-Object', 'Select-Object', 'Out-Null',
  'ConvertFrom-Json', 'ConvertTo-Json', 'ConvertTo-SecureString', 'New-TimeSpan', 'New-ScheduledTaskAction', 'New-ScheduledTaskTrigger',
  'New-ScheduledTaskPrincipal', 'New-ScheduledTaskSettingsSet', 'Set-StrictMode', 'Export-ModuleMember', 'Add-Type',
]);

function topLevelStatements(file: ScriptFile): string[] {
  const list = file.root.namedChildren.find((c) => c.type === 'statement_list');
  return (list?.namedChildren ?? []).map((s) => s.text);
}

describe('Windows guest agent: how the scripts are written', () => {
  it('parses with the PowerShell grammar, without error nodes', () => {
    assert.ok(files.length >= 12);
    assert.deepEqual(files.flatMap(parseErrors), []);
  });

  it('sets strict mode and ErrorActionPreference Stop at the top of every script and module', () => {
    for (const file of files) {
      const statements = topLevelStatements(file);
      const strict = statements.indexOf('Set-StrictMode -Version Latest');
      const stop = statements.indexOf("$ErrorActionPreference = 'Stop'");
      assert.ok(strict >= 0 && stop >= 0, file.path);
      const firstFunction = statements.findIndex((s) => s.startsWith('function '));
      assert.ok(firstFunction === -1 || (strict < firstFunction && stop < firstFunction), `${file.path}: set before anything runs`);
      assert.ok(strict <= 1 && stop <= 2, `${file.path}: among the first statements`);
    }
  });

  it('calls commands by their full Verb-Noun names (no aliases)', () => {
    for (const call of calls) {
      const nameNode = call.node.childForFieldName('command_name');
      if (nameNode?.type !== 'command_name') continue; // `& $path` invocations
      assert.match(call.name, /^[A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]*$/, `${call.file}: "${call.name}" is not a Verb-Noun command`);
    }
  });

  it('never builds code from data', () => {
    for (const file of files) {
      assert.doesNotMatch(file.source, /Invoke-Expression|\biex\b|\[scriptblock\]::Create|NewScriptBlock|-TypeDefinition|Invoke-Command|Start-Transcript/i, file.path);
    }
    for (const call of calls.filter((c) => c.name === 'Add-Type')) assert.match(call.node.text, /^Add-Type -AssemblyName System\.Security$/);
  });

  it('makes every cmdlet with side effects stop on error', () => {
    const missing: string[] = [];
    for (const call of calls) {
      if (call.node.childForFieldName('command_name')?.type !== 'command_name') continue;
      if (definedFunctions.has(call.name) || pureCmdlets.has(call.name)) continue;
      const text = call.node.text;
      const splatted = /(^|\s)@[A-Za-z]+/.test(text);
      if (!/-ErrorAction Stop\b/.test(text) && !splatted) missing.push(`${call.file}: ${text.slice(0, 80)}`);
    }
    assert.deepEqual(missing, []);
    // The splatted calls carry ErrorAction Stop in their argument tables.
    for (const file of files) {
      for (const table of file.source.matchAll(/\$arguments = @\{[^}]*\}/g)) assert.match(table[0], /ErrorAction\s+= 'Stop'/, file.path);
    }
  });
});

describe('Windows guest agent: secrets', () => {
  /** Where bytes may reach the disk, and which function may do it. */
  const writers = new Set(['WriteAllText', 'WriteAllBytes', 'AppendAllText', 'Write']);
  const allowedWriters = new Set([
    'Write-AgentLog', // log lines, which never hold secrets (see below)
    'Write-AgentProgress', // phase names and counters
    'Protect-DomainJoinPassword', // DPAPI-protected bytes only
    'Remove-FileSecurely', // random noise over a file being deleted
    'Add-SetupCompleteFallback', // one command line
  ]);

  it('writes files only from the functions allowed to, and never with Set-Content, Out-File or Export-Clixml', () => {
    for (const file of files) {
      for (const node of descendants(file.root, 'invokation_expression')) {
        const member = node.namedChildren.find((c) => c.type === 'member_name')?.text ?? '';
        if (!writers.has(member)) continue;
        const owner = enclosingFunction(node) ?? '(script)';
        assert.ok(allowedWriters.has(owner), `${file.path}: ${owner} writes with ${member}`);
      }
    }
    for (const call of calls) assert.ok(!['Set-Content', 'Add-Content', 'Out-File', 'Export-Clixml', 'Tee-Object'].includes(call.name), `${call.file}: ${call.name}`);
    const protect = functionNodes(byPath('Modules/AetherV.DomainJoin.psm1')).get('Protect-DomainJoinPassword')?.text ?? '';
    assert.match(protect, /\$protected = \[System\.Security\.Cryptography\.ProtectedData\]::Protect\(\$plain, \$script:Entropy, \[System\.Security\.Cryptography\.DataProtectionScope\]::LocalMachine\)/);
    assert.match(protect, /\[System\.IO\.File\]::WriteAllBytes\(\$Path, \$protected\)/);
  });

  it('never passes secrets or decrypted material to the log', () => {
    const logCalls = calls.filter((c) => c.name === 'Write-AgentLog');
    assert.ok(logCalls.length > 10);
    for (const call of logCalls) {
      assert.doesNotMatch(call.node.text, /password|plaintext|\$payload|\$wrappedKey|\$keys|\$jwk|\$text|\$document|\$credential|\$Config\b(?!\.(IPv4|Hostname))/i, `${call.file}: ${call.node.text}`);
    }
    // Parser and crypto exceptions are logged by type only (their messages can quote input).
    assert.match(guest.source, /\$typeOnly = \$script:StageCode -match '\^error \(reading\|decrypting\|validating\):'/);
  });

  it('turns passwords into SecureStrings in one place and hands only those to the cmdlets', () => {
    const plainToSecure = calls.filter((c) => c.name === 'ConvertTo-SecureString').map((c) => `${c.file}#${enclosingFunction(c.node)}`);
    assert.deepEqual(plainToSecure, ['Modules/AetherV.Config.psm1#ConvertTo-Secret']);
    const localAdmin = byPath('Modules/AetherV.LocalAdmin.psm1').source;
    assert.match(localAdmin, /\[System\.Security\.SecureString\]\$Password/);
    const join = byPath('Modules/AetherV.DomainJoin.psm1').source;
    assert.match(join, /\[System\.Management\.Automation\.PSCredential\]::new\(\$qualified, \$Password\)/);
  });

  it('removes the kept domain-join secret after the retry and disposes the key', () => {
    assert.match(functionNodes(guest).get('Complete-Run')?.text ?? '', /Close-GuestKey[\s\S]*Remove-FileSecurely -Path \$script:SecretPath/);
    assert.match(functionNodes(guest).get('Invoke-DomainJoinRetry')?.text ?? '', /Remove-FileSecurely -Path \$script:SecretPath/);
  });
});

describe('Windows guest agent: modules and wiring', () => {
  it('imports every module it ships, and every cross-module call is backed by an import', () => {
    const imported = (file: ScriptFile): Set<string> =>
      new Set([...file.source.matchAll(/'(?:Modules\\)?(AetherV\.[A-Za-z]+)(?:\.psm1)?'/g)].map((m) => `Modules/${m[1]}.psm1`));
    const guestImports = imported(guest);
    for (const module of modules) {
      const importedSomewhere = files.some((f) => f !== module && imported(f).has(module.path));
      assert.ok(importedSomewhere, `${module.path} is never imported`);
    }
    for (const path of guestImports) byPath(path);

    const exportsOf = new Map<string, Set<string>>();
    for (const module of modules) {
      const exportStatement = module.source.slice(module.source.lastIndexOf('Export-ModuleMember'));
      const names = new Set([...exportStatement.matchAll(/'([A-Za-z]+-[A-Za-z0-9]+)'/g)].map((m) => m[1] as string));
      for (const name of names) assert.equal(definedFunctions.get(name), module.path, `${module.path} exports ${name} it does not define`);
      exportsOf.set(module.path, names);
    }
    for (const call of calls) {
      const definedIn = definedFunctions.get(call.name);
      if (!definedIn || definedIn === call.file) continue;
      assert.ok(exportsOf.get(definedIn)?.has(call.name), `${call.file} calls ${call.name}, which ${definedIn} does not export`);
      const caller = byPath(call.file);
      assert.ok(imported(caller).has(definedIn), `${call.file} calls ${call.name} without importing ${basename(definedIn)}`);
    }
  });

  it('bounds every wait by a deadline parameter with a default', () => {
    const params = guest.source.slice(0, guest.source.indexOf('Set-StrictMode'));
    for (const name of ['PollSeconds', 'HostTimeoutSeconds', 'PayloadTimeoutSeconds', 'ChunkTimeoutSeconds', 'AdapterTimeoutSeconds', 'AddressTimeoutSeconds', 'DomainControllerTimeoutSeconds']) {
      assert.match(params, new RegExp(`\\[ValidateRange\\(\\d+, \\d+\\)\\]\\[int\\]\\$${name} = \\d+`), name);
    }
    // Every polling loop (one that sleeps) checks a stopwatch deadline.
    for (const file of files) {
      for (const loop of descendants(file.root, 'while_statement').filter((l) => /Start-Sleep/.test(l.text))) {
        assert.match(loop.text, /\$clock\.Elapsed\.TotalSeconds -ge \$TimeoutSeconds/, `${file.path}: unbounded loop in ${enclosingFunction(loop)}`);
      }
    }
  });

  it('finds the ISO by label, locks the install folder to SYSTEM and Administrators, and registers a SYSTEM startup task', () => {
    assert.match(bootstrap.source, /\[string\]\$VolumeLabel = 'WINPROVISIONING'/);
    assert.match(bootstrap.source, /Get-CimInstance -ClassName Win32_Volume -Filter \("Label = '\{0\}'" -f \$Label\)/);
    assert.match(bootstrap.source, /\$security\.SetAccessRuleProtection\(\$true, \$false\)/);
    assert.match(bootstrap.source, /foreach \(\$sid in @\('S-1-5-18', 'S-1-5-32-544'\)\)/);
    const task = byPath('Modules/AetherV.Task.psm1').source;
    assert.match(task, /\$script:SystemSid = 'S-1-5-18'/);
    assert.match(task, /New-ScheduledTaskTrigger -AtStartup/);
    assert.match(task, /New-ScheduledTaskPrincipal -UserId \$script:SystemSid -LogonType ServiceAccount -RunLevel Highest/);
    assert.match(task, /-MultipleInstances IgnoreNew/);
    assert.ok(calls.some((c) => c.file === 'AetherV.Guest.ps1' && c.name === 'Unregister-GuestAgentTask'), 'the agent unregisters its task');
  });

  it('adds the administrator to the Administrators group by SID, not by its localised name', () => {
    const localAdmin = byPath('Modules/AetherV.LocalAdmin.psm1');
    assert.match(localAdmin.source, /\$script:AdministratorsSid = 'S-1-5-32-544'/);
    assert.match(localAdmin.source, /Get-LocalGroup -SID \$script:AdministratorsSid -ErrorAction Stop/);
    assert.match(localAdmin.source, /Add-LocalGroupMember -Group \$administrators -Member \$User -ErrorAction Stop/);
    for (const file of files) {
      const literals = descendants(file.root, 'string_literal').map((s: SyntaxNode) => s.text.toLowerCase());
      assert.ok(!literals.includes("'administrators'") && !literals.includes('"administrators"'), file.path);
    }
  });

  it('joins the domain with OU and rename in one step', () => {
    const join = functionNodes(byPath('Modules/AetherV.DomainJoin.psm1')).get('Join-GuestDomain')?.text ?? '';
    assert.match(join, /\$options = @\('AccountCreate'\)/);
    assert.match(join, /\$arguments\['NewName'\] = \$NewName\s+\$options \+= 'JoinWithNewName'/);
    assert.match(join, /\$arguments\['OUPath'\] = \$OUPath/);
    assert.match(join, /Add-Computer @arguments/);
  });
});
