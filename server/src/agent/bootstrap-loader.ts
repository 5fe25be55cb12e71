/**
 * The fixed loader every bootstrap call runs (DESIGN §3, §4). A bootstrap script used to travel
 * inside the command line (-EncodedCommand), and over SSH OpenSSH on Windows runs that line
 * through cmd.exe, which takes 8,191 characters: the install script had ~120 left. Now only this
 * loader is on the command line — the same few hundred characters whatever the scripts become —
 * and the script arrives on standard input, in front of its JSON input:
 *
 *   line 1: base64 of the script's UTF-8 text (base64, so any script fits on one line)
 *   rest:   the input JSON, handed to the script as its one argument ($InputJson)
 *
 * The loader reads standard input once (UTF-8; a BOM and CRLF are tolerated: StreamReader skips
 * the BOM, ReadLine takes either line end), refuses anything that is not one of our scripts —
 * empty input, a first line that is not base64, a text without the `# aetherv-bootstrap:`
 * marker, a script PowerShell cannot parse — with the agent's result line (`id` null, exit 0),
 * and runs the script as a script block. That script is ours, read from Powershell/bootstrap/,
 * never user data: names and paths stay inside the JSON, which is passed as an argument and never
 * becomes PowerShell source. Nothing is compressed and nothing goes through Invoke-Expression;
 * AMSI and script block logging see the script's own text when it is compiled, as they would a
 * file. Windows PowerShell 5.1 syntax only (test/powershell/bootstrap-loader.test.ts runs the
 * 5.1 guard on it).
 */

/** The loader's first line: how a host (and the simulator) tells a bootstrap call. */
export const LOADER_MARKER = '# aetherv-bootstrap-loader';

/** What the script's first line must start with; the full marker names the script. */
export const SCRIPT_MARKER_PREFIX = '# aetherv-bootstrap:';

export const BOOTSTRAP_LOADER = [
  LOADER_MARKER,
  '$e = [Text.UTF8Encoding]::new($false)',
  '$r = [IO.StreamReader]::new([Console]::OpenStandardInput(), $e)',
  '$l = $r.ReadLine()',
  '$b = $null',
  "$m = 'Standard input must start with a bootstrap script: one line of base64.'",
  'if ($l) {',
  "try { $t = $e.GetString([Convert]::FromBase64String($l)) } catch { $t = '' }",
  `if ($t.StartsWith('${SCRIPT_MARKER_PREFIX}')) {`,
  'try { $b = [scriptblock]::Create($t) } catch { $m = $_.Exception.Message }',
  '}',
  '}',
  'if ($null -eq $b) {',
  '$o = [IO.StreamWriter]::new([Console]::OpenStandardOutput(), $e)',
  "$o.Write((ConvertTo-Json -Compress ([ordered]@{ type = 'result'; id = $null; ok = $false; error = [ordered]@{ code = 'INVALID_REQUEST'; message = $m; retryable = $false } })) + \"`n\")",
  '$o.Flush()',
  'exit 0',
  '}',
  '& $b $r.ReadToEnd()',
].join('\n');

/** Standard input of a bootstrap call: the script (base64 of UTF-8) on the first line, then the input JSON. */
export function bootstrapStdin(script: string, inputJson: string): string {
  return `${Buffer.from(script.replace(/^\uFEFF/, ''), 'utf8').toString('base64')}\n${inputJson}`;
}
