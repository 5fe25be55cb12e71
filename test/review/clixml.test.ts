/**
 * Issue 16 item 7a: powershell.exe started with -EncodedCommand (the bootstrap scripts) writes
 * its errors to stderr as CLIXML. The server decodes them into the text a person would read.
 * Samples: one written live by the real pwsh, one in Windows PowerShell 5.1's form.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { decodeClixml } from '../../server/src/remoting/clixml.ts';
import { AgentClient } from '../../server/src/agent/client.ts';
import { isAppError } from '../../server/src/errors.ts';
import { pwshPath } from '../support/pester.ts';
import { FakeHosts } from '../agent/fake-transport.ts';

/** What Windows PowerShell 5.1 writes for a failing -EncodedCommand script (progress record, then one S per line). */
const POWERSHELL_51 = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>'
  + '<S S="Error">Exception calling "ReadAllText" with "1" argument(s): "Could not find file \'C:\\Program Files\\Aether-V\\version\'."_x000D__x000A_</S>'
  + '<S S="Error">At line:52 char:1_x000D__x000A_</S><S S="Error">+ $previous = [IO.File]::ReadAllText("$dir\\version") &amp; more_x000D__x000A_</S>'
  + '<S S="Error">    + FullyQualifiedErrorId : FileNotFoundException_x000D__x000A_</S><S S="Error"> _x000D__x000A_</S></Objs>';

/** Runs a failing script the way the bootstrap runner does: -EncodedCommand, stdin closed, output redirected. */
function realPwshStderr(script: string): string {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  const run = spawnSync(pwshPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded], { input: '', encoding: 'utf8', timeout: 60_000 });
  return run.stderr;
}

describe('CLIXML on stderr', () => {
  it('decodes the real pwsh\'s CLIXML: the error text, no markup, no escapes, no colour codes, no progress', () => {
    const stderr = realPwshStderr('Write-Progress -Activity "Preparing" -Status "now"; Write-Warning "disk almost full"; [IO.File]::ReadAllText("C:\\nowhere\\version")');
    assert.match(stderr, /^#< CLIXML/, 'the real pwsh writes CLIXML');
    const text = decodeClixml(stderr);
    assert.match(text, /Exception calling "ReadAllText" with "1" argument\(s\): "Could not find file/);
    assert.match(text, /^WARNING: disk almost full$/m);
    assert.doesNotMatch(text, /<Objs|<S S=|_x00[0-9A-F]{2}_|Preparing/);
    assert.ok(!text.includes(String.fromCharCode(27)), 'no terminal colour sequences');
  });

  it('decodes Windows PowerShell 5.1\'s form: one line per S element, CR LF escapes and entities undone', () => {
    assert.equal(decodeClixml(POWERSHELL_51), [
      'Exception calling "ReadAllText" with "1" argument(s): "Could not find file \'C:\\Program Files\\Aether-V\\version\'."',
      'At line:52 char:1',
      '+ $previous = [IO.File]::ReadAllText("$dir\\version") & more',
      '    + FullyQualifiedErrorId : FileNotFoundException',
    ].join('\n'));
  });

  it('leaves other stderr alone and keeps text around a CLIXML block', () => {
    assert.equal(decodeClixml('plain failure\n'), 'plain failure\n');
    assert.equal(decodeClixml(`cmd.exe said no\r\n${POWERSHELL_51}`).split('\n')[0], 'cmd.exe said no');
    assert.equal(decodeClixml('#< CLIXML\r\n<Objs Version="1.1.0.1"><S S="Error">a_x005F_x000A_b</S></Objs>'), 'a_x000A_b', '_x005F_ is an escaped underscore');
  });

  it('a failed call\'s error carries the decoded text, in its message and details', async () => {
    const hosts = new FakeHosts(() => ({ exitCode: 1, stderr: POWERSHELL_51 }));
    const client = new AgentClient({ transports: hosts, validator: null, retry: { retries: 0 } });
    await assert.rejects(client.call('hv01', 'host.info', {}), (error: unknown) => {
      assert.ok(isAppError(error) && error.code === 'AGENT_TRANSPORT');
      assert.match(error.message, /no result line.*: Exception calling "ReadAllText"/);
      assert.doesNotMatch(String(error.details.stderr), /CLIXML|_x000D_/);
      assert.match(String(error.details.stderr), /FullyQualifiedErrorId : FileNotFoundException/);
      return true;
    });
  });
});
