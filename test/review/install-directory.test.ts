// Review: HOST_INSTALL_DIRECTORY is the one configured string in every host command line. Config
// validation refuses what cannot be quoted; what it accepts stays one argument for cmd.exe
// (OpenSSH's and WinRM's shell) and for the C runtime's argv split that powershell.exe uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/config/load.ts';
import { agentCommand } from '../../server/src/agent/command.ts';

const errorsFor = (dir: string) => loadConfig({ HOST_INSTALL_DIRECTORY: dir, OIDC_ENABLED: 'false', ALLOW_INSECURE_LAB_AUTH: 'true' }).report.errors.filter((e) => e.variable === 'HOST_INSTALL_DIRECTORY');

test('configuration validation refuses install directories that cannot be quoted', () => {
  for (const bad of ['C:\\a"b', 'C:\\100%PATH%', 'C:\\a|b', 'C:\\a\r\nb', 'relative\\x', 'C:\\a<b']) {
    const errors = errorsFor(bad);
    assert.equal(errors.length, 1, `${JSON.stringify(bad)} accepted`);
    assert.match(errors[0]!.message, /absolute Windows path|cannot be quoted/);
  }
  assert.deepEqual(errorsFor('C:\\Program Files\\Aether & Co ^ (x86)\\'), []);
});

/** cmd.exe: outside double quotes these characters are operators or escapes. */
function cmdOperatorsOutsideQuotes(line: string): string[] {
  const found: string[] = [];
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && '&|<>^()'.includes(ch)) found.push(ch);
    if (ch === '%' || ch === '!') found.push(ch); // expanded even inside quotes
  }
  return found;
}

/** The Microsoft C runtime's argv split (what powershell.exe sees). */
function argv(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') {
      let n = 0;
      while (line[i + n] === '\\') n++;
      if (line[i + n] === '"') { current += '\\'.repeat(Math.floor(n / 2)); if (n % 2 === 1) { current += '"'; i += n; } else { i += n - 1; } }
      else { current += '\\'.repeat(n); i += n - 1; }
      started = true;
    } else if (ch === '"') { quoted = !quoted; started = true; }
    else if ((ch === ' ' || ch === '\t') && !quoted) { if (started) args.push(current); current = ''; started = false; }
    else { current += ch; started = true; }
  }
  if (started) args.push(current);
  return args;
}

test('an accepted directory with spaces, &, ^ and parentheses stays one argument', () => {
  for (const dir of ['C:\\Program Files\\Aether & Co ^ (x86)', 'C:\\a b\\', 'D:\\', '\\\\fs01\\share\\x & y']) {
    const line = agentCommand(dir);
    assert.deepEqual(cmdOperatorsOutsideQuotes(line), [], line);
    const args = argv(line);
    assert.equal(args[args.indexOf('-File') + 1], `${dir.replace(/\\+$/, '')}\\AetherV.Agent.ps1`, line);
    assert.equal(args.at(-1), args[args.indexOf('-File') + 1], 'nothing follows the script path');
  }
});
