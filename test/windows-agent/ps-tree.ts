/**
 * Reads the Windows guest agent (Windows/**.ps1|psm1) through the PowerShell grammar, so the
 * contract tests look at code (commands, string literals, functions), not at comments or text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Parser from 'tree-sitter';
import type { SyntaxNode } from 'tree-sitter';

// The package's "types" points at a folder NodeNext resolution cannot read; import it untyped.
const grammarPackage: string = 'tree-sitter-powershell';
const PowerShell = ((await import(grammarPackage)) as { default: Parser.Language }).default;

export const repoRoot = join(import.meta.dirname, '..', '..');
export const windowsRoot = join(repoRoot, 'Windows');

export interface ScriptFile {
  /** Path relative to Windows/, with forward slashes. */
  path: string;
  source: string;
  root: SyntaxNode;
}

export interface StringLiteral {
  file: string;
  value: string;
  node: SyntaxNode;
}

function listScripts(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    // tests/ folders hold Pester tests and stubs: they are not shipped on the ISO (the artifact
    // build leaves them out), so the agent's contracts do not apply to them.
    if (statSync(full).isDirectory()) {
      if (name.toLowerCase() !== 'tests') found.push(...listScripts(full));
    }
    else if (/\.ps(m?)1$/i.test(name)) found.push(full);
  }
  return found;
}

export function loadScripts(): ScriptFile[] {
  const parser = new Parser();
  parser.setLanguage(PowerShell);
  return listScripts(windowsRoot).map((full) => {
    const source = readFileSync(full, 'utf8');
    const tree = parser.parse(source, undefined, { bufferSize: 4 * 1024 * 1024 });
    return { path: relative(windowsRoot, full).split('\\').join('/'), source, root: tree.rootNode };
  });
}

export function descendants(node: SyntaxNode, type: string): SyntaxNode[] {
  return node.descendantsOfType(type);
}

export function parseErrors(file: ScriptFile): string[] {
  const errors: string[] = [];
  const walk = (node: SyntaxNode): void => {
    if (node.type === 'ERROR' || node.isMissing) errors.push(`${file.path}:${node.startPosition.row + 1}: ${node.text.slice(0, 60)}`);
    for (const child of node.children) walk(child);
  };
  walk(file.root);
  return errors;
}

/** The value of a PowerShell string literal node (quotes removed, '' unescaped). */
export function literalValue(node: SyntaxNode): string {
  const text = node.text;
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  return text;
}

export function stringLiterals(files: ScriptFile[]): StringLiteral[] {
  return files.flatMap((file) =>
    descendants(file.root, 'string_literal').map((node) => ({ file: file.path, value: literalValue(node), node })),
  );
}

export interface CommandCall {
  file: string;
  name: string;
  node: SyntaxNode;
}

export function commandCalls(files: ScriptFile[]): CommandCall[] {
  return files.flatMap((file) =>
    descendants(file.root, 'command').flatMap((node) => {
      const name = node.childForFieldName('command_name');
      return name ? [{ file: file.path, name: name.text, node }] : [];
    }),
  );
}

export function functionNodes(file: ScriptFile): Map<string, SyntaxNode> {
  const functions = new Map<string, SyntaxNode>();
  for (const node of descendants(file.root, 'function_statement')) {
    const name = node.namedChildren.find((child) => child.type === 'function_name');
    if (name) functions.set(name.text, node);
  }
  return functions;
}

/** The string values of a function's [ValidateSet(...)] attributes. */
export function validateSetValues(fn: SyntaxNode): string[] {
  return descendants(fn, 'attribute')
    .filter((attribute) => attribute.namedChildren.some((child) => child.type === 'attribute_name' && child.text === 'ValidateSet'))
    .flatMap((attribute) => descendants(attribute, 'string_literal').map(literalValue));
}

/** The literal argument given to -<parameter> in a command call, if it is a string literal. */
export function literalArgument(call: SyntaxNode, parameter: string): string | undefined {
  const elements = call.childForFieldName('command_elements');
  if (!elements) return undefined;
  const children = elements.namedChildren.filter((child) => child.type !== 'command_argument_sep');
  for (let i = 0; i < children.length - 1; i++) {
    const child = children[i] as SyntaxNode;
    if (child.type === 'command_parameter' && child.text.toLowerCase() === `-${parameter.toLowerCase()}`) {
      const literal = descendants(children[i + 1] as SyntaxNode, 'string_literal')[0];
      return literal ? literalValue(literal) : undefined;
    }
  }
  return undefined;
}

/** The nearest enclosing function's name, or undefined at script level. */
export function enclosingFunction(node: SyntaxNode): string | undefined {
  for (let current: SyntaxNode | null = node.parent; current; current = current.parent) {
    if (current.type === 'function_statement') {
      return current.namedChildren.find((child) => child.type === 'function_name')?.text;
    }
  }
  return undefined;
}
