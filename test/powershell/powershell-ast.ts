/**
 * PowerShell source as tree-sitter syntax trees, for the parse and contract tests of the host
 * agent, the bootstrap scripts and the Windows guest agent. The grammar package is ESM with
 * top-level await, so it is loaded with a dynamic import.
 */
import Parser from 'tree-sitter';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SyntaxNode = Parser.SyntaxNode;

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Folders that hold build output, dependencies or scratch data, never sources. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'artifacts', 'dist', 'data', '.tmp', 'coverage']);

let parserPromise: Promise<Parser> | undefined;

export function getParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    // The package's "types" points at a folder NodeNext resolution cannot read; import it untyped.
    const grammarPackage: string = 'tree-sitter-powershell';
    const grammar = (await import(grammarPackage)) as { default: Parser.Language };
    const parser = new Parser();
    parser.setLanguage(grammar.default);
    return parser;
  })();
  return parserPromise;
}

export interface ParsedScript {
  /** Repository-relative path with '/' separators. */
  file: string;
  source: string;
  lines: string[];
  root: SyntaxNode;
}

export async function parseScript(file: string): Promise<ParsedScript> {
  const parser = await getParser();
  const source = readFileSync(join(repoRoot, file), 'utf8').replace(/^\uFEFF/, '');
  // The default buffer is too small for the larger scripts; size it to the source.
  const tree = parser.parse(source, undefined, { bufferSize: Math.max(64 * 1024, source.length * 4) });
  return { file, source, lines: source.split(/\r?\n/), root: tree.rootNode };
}

/** Every .ps1 / .psm1 under the repository (or under `under`), as sorted relative paths. */
export function listPowerShellFiles(under = ''): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (SKIPPED_DIRECTORIES.has(name)) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ps1|psm1)$/i.test(name)) found.push(relative(repoRoot, full).split(sep).join('/'));
    }
  };
  walk(join(repoRoot, under));
  return found.sort();
}

export function* descendants(node: SyntaxNode): Generator<SyntaxNode> {
  yield node;
  for (const child of node.namedChildren) yield* descendants(child);
}

export function ofType(node: SyntaxNode, type: string): SyntaxNode[] {
  return [...descendants(node)].filter((n) => n.type === type);
}

/**
 * The value of a string literal that holds no expansion (`'a'`, `"a"`), else undefined.
 * Looks through the expression wrappers the grammar puts around a lone literal.
 */
export function literalString(node: SyntaxNode): string | undefined {
  let current = node;
  while (current.type !== 'string_literal' && current.namedChildCount === 1) current = current.namedChildren[0]!;
  if (current.type !== 'string_literal') return undefined;
  const text = current.text;
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text.startsWith('"') && text.endsWith('"') && !/[$`]/.test(text)) return text.slice(1, -1);
  return undefined;
}

/** The string literals of an argument: one for `'a'`, several for `'a', 'b'`. */
export function literalStrings(node: SyntaxNode): string[] {
  if (node.type === 'array_literal_expression' && node.namedChildCount > 1) {
    return node.namedChildren.map(literalString).filter((s): s is string => s !== undefined);
  }
  const one = literalString(node);
  return one === undefined ? [] : [one];
}

export interface CommandCall {
  node: SyntaxNode;
  name: string;
  /** Named arguments: parameter name (lower case, without '-') → value node (undefined for a switch). */
  named: Map<string, SyntaxNode | undefined>;
  positional: SyntaxNode[];
}

/** Every command invocation (`Verb-Noun -Name value positional`) in the tree. */
export function commandCalls(root: SyntaxNode): CommandCall[] {
  return ofType(root, 'command').map((node) => {
    const name = node.childForFieldName('command_name')?.text ?? '';
    const elements = node.childForFieldName('command_elements');
    const named = new Map<string, SyntaxNode | undefined>();
    const positional: SyntaxNode[] = [];
    const items = (elements?.namedChildren ?? []).filter((c) => c.type !== 'command_argument_sep');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.type === 'command_parameter') {
        const next = items[i + 1];
        const key = item.text.replace(/^-/, '').replace(/:$/, '').toLowerCase();
        if (next !== undefined && next.type !== 'command_parameter') {
          named.set(key, next);
          i++;
        } else {
          named.set(key, undefined);
        }
      } else {
        positional.push(item);
      }
    }
    return { node, name, named, positional };
  });
}

export interface FunctionDefinition {
  name: string;
  node: SyntaxNode;
  file: string;
}

export function functionDefinitions(script: ParsedScript): FunctionDefinition[] {
  return ofType(script.root, 'function_statement').map((node) => ({
    name: node.namedChildren.find((c) => c.type === 'function_name')?.text ?? '',
    node,
    file: script.file,
  }));
}

/** The value of `$Variable = <value>` assignments to the given variable (e.g. `$script:AgentOperations`). */
export function assignedValues(root: SyntaxNode, variable: string): SyntaxNode[] {
  return ofType(root, 'assignment_expression')
    .filter((a) => {
      const left = a.namedChildren.find((c) => c.type === 'left_assignment_expression');
      return left !== undefined && left.text.trim().toLowerCase() === variable.toLowerCase();
    })
    .map((a) => a.childForFieldName('value'))
    .filter((v): v is SyntaxNode => v !== null);
}

/** Key → value node of every entry of a hash literal (`@{ 'a' = …; b = … }`). */
export function hashEntries(node: SyntaxNode): Array<{ key: string; value: SyntaxNode }> {
  const literal = [...descendants(node)].find((n) => n.type === 'hash_literal_expression');
  if (literal === undefined) return [];
  const body = literal.namedChildren.find((c) => c.type === 'hash_literal_body');
  return (body?.namedChildren ?? [])
    .filter((e) => e.type === 'hash_entry')
    .map((entry) => {
      const keyNode = entry.namedChildren.find((c) => c.type === 'key_expression')!;
      const key = literalString(keyNode) ?? keyNode.text;
      return { key, value: entry.namedChildren[entry.namedChildCount - 1]! };
    });
}
