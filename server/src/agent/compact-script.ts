/**
 * Bootstrap scripts travel inside the command line (-EncodedCommand, UTF-16LE, base64: 8/3
 * characters per script character), and over SSH that line goes through cmd.exe, which takes at
 * most 8,191 characters. What a person needs in the file — comments, indentation, blank lines —
 * PowerShell does not: it is left out of what is sent (issue 16). Only whole-line comments and
 * leading whitespace go, so the statements are exactly the file's; a script with a here-string
 * (whose lines are data) or a block comment is refused rather than changed.
 */
import { AppError } from '../errors.ts';

export function compactScript(script: string): string {
  const lines = script.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.some((line) => /@["']\s*$/.test(line) || /^\s*<#/.test(line))) {
    throw new AppError('INTERNAL', 'A bootstrap script with a here-string or a block comment cannot be compacted for the command line');
  }
  const [marker, ...rest] = lines;
  const kept = rest.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  return [marker ?? '', ...kept].join('\n');
}
