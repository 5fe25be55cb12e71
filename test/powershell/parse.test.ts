/**
 * Every PowerShell file in the repository (host agent, bootstrap, Windows guest agent) parses
 * with tree-sitter-powershell. The grammar rejects some valid PowerShell, so an error is
 * accepted only on a line listed, with its exact text and the reason, in parse-allowlist.json;
 * entries that no longer match anything fail too, keeping the list honest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { descendants, getParser, listPowerShellFiles, ofType, parseScript } from './powershell-ast.ts';
import type { ParsedScript, SyntaxNode } from './powershell-ast.ts';

interface AllowlistEntry {
  file: string;
  line: string;
  reason: string;
}

const allowlist = JSON.parse(readFileSync(fileURLToPath(new URL('./parse-allowlist.json', import.meta.url)), 'utf8')) as AllowlistEntry[];

interface Problem {
  file: string;
  row: number;
  text: string;
  what: string;
}

/** ERROR and MISSING nodes: the grammar could not parse these spans. */
function grammarProblems(script: ParsedScript): Problem[] {
  const problems: Problem[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      for (let row = node.startPosition.row; row <= node.endPosition.row; row++) {
        const text = (script.lines[row] ?? '').trim();
        // A recovery span may run into blank lines or a closing brace; only lines with code count.
        if (text !== '' && !(row > node.startPosition.row && /^[)}\]]*$/.test(text))) {
          problems.push({ file: script.file, row: row + 1, text, what: node.isMissing ? `MISSING ${node.type}` : 'ERROR' });
        }
      }
      return;
    }
    for (const child of node.children) visit(child);
  };
  visit(script.root);
  return problems;
}

/**
 * Mistakes PowerShell's own parser rejects but the grammar accepts: in an expandable string,
 * `"$name: …"` reads as a drive-qualified variable and fails to parse (write `${name}:`).
 */
function drivePrefixProblems(script: ParsedScript): Problem[] {
  const problems: Problem[] = [];
  for (const literal of ofType(script.root, 'expandable_string_literal')) {
    for (const variable of literal.namedChildren.filter((c) => c.type === 'variable')) {
      if (!variable.text.includes(':') && !variable.text.startsWith('${') && script.source[variable.endIndex] === ':') {
        const row = variable.startPosition.row;
        problems.push({ file: script.file, row: row + 1, text: (script.lines[row] ?? '').trim(), what: `'${variable.text}:' in a string` });
      }
    }
  }
  return problems;
}

/**
 * Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page, so non-ASCII text
 * outside comments (a string such as 'café') would be corrupted on the host: such files need
 * a UTF-8 BOM, or ASCII-only code.
 */
function encodingProblems(script: ParsedScript, hasBom: boolean): Problem[] {
  if (hasBom) return [];
  const problems: Problem[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'comment') return;
    if (node.childCount === 0 && /[^\t\n\r\x20-\x7E]/.test(node.text)) {
      const row = node.startPosition.row;
      problems.push({ file: script.file, row: row + 1, text: (script.lines[row] ?? '').trim(), what: 'non-ASCII code without a UTF-8 BOM' });
    }
    for (const child of node.children) visit(child);
  };
  visit(script.root);
  return problems;
}

const files = listPowerShellFiles();

test('the PowerShell grammar loads and finds the scripts', async () => {
  const parser = await getParser();
  assert.ok(parser.getLanguage());
  assert.ok(files.some((f) => f === 'Powershell/AetherV.Agent.ps1'), 'the host agent entry point is found');
  assert.ok(files.some((f) => f.startsWith('Powershell/bootstrap/')), 'the bootstrap scripts are found');
});

test('the grammar reports a real syntax error (the check can fail)', async () => {
  const parser = await getParser();
  const tree = parser.parse('function Get-Broken {\n  if ($true) {\n    $x = (1 +\n}\n');
  assert.ok([...descendants(tree.rootNode)].some((n) => n.type === 'ERROR' || n.isMissing) || tree.rootNode.hasError);
});

test('every .ps1 / .psm1 parses (errors only on allowlisted lines)', async () => {
  const problems: Problem[] = [];
  for (const file of files) {
    const script = await parseScript(file);
    const hasBom = readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url))).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
    problems.push(...grammarProblems(script), ...drivePrefixProblems(script), ...encodingProblems(script, hasBom));
  }
  // Only grammar errors can be allowlisted; the other mistakes are always wrong.
  const isGrammarError = (p: Problem): boolean => p.what === 'ERROR' || p.what.startsWith('MISSING');
  const allowed = (p: Problem): boolean => isGrammarError(p) && allowlist.some((a) => a.file === p.file && a.line === p.text);
  const unexpected = problems.filter((p) => !allowed(p));
  assert.deepEqual(unexpected.map((p) => `${p.file}:${p.row}: ${p.what}: ${p.text}`), []);
  const stale = allowlist.filter((a) => !problems.some((p) => p.file === a.file && p.text === a.line));
  assert.deepEqual(stale, [], 'allowlist entries that no longer match a parse error must be removed');
});

test('allowlist entries name a file, the exact line and a reason', () => {
  for (const entry of allowlist) {
    assert.ok(files.includes(entry.file), `${entry.file} exists`);
    assert.ok(entry.line.trim() === entry.line && entry.line.length > 0, 'line is the trimmed line text');
    assert.ok(entry.reason.length >= 10, `a reason is given for ${entry.file}: ${entry.line}`);
  }
});

test("a drive-qualified '$name:' inside a string is caught", async () => {
  const parser = await getParser();
  const source = '$m = "Keeping $file: it is used"\n$ok = "Keeping ${file}: $env:TEMP"\n';
  const script: ParsedScript = { file: 'inline.ps1', source, lines: source.split('\n'), root: parser.parse(source).rootNode };
  assert.deepEqual(drivePrefixProblems(script).map((p) => p.row), [1]);
});

test('non-ASCII code in a file without BOM is caught, comments are fine', async () => {
  const parser = await getParser();
  const source = "# café is fine here\n$name = 'café'\n";
  const script: ParsedScript = { file: 'inline.ps1', source, lines: source.split('\n'), root: parser.parse(source).rootNode };
  assert.deepEqual(encodingProblems(script, false).map((p) => p.row), [2]);
  assert.deepEqual(encodingProblems(script, true), []);
});
