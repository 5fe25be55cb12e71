/**
 * Test support: a small Dockerfile reader and a replay of its steps on the local filesystem,
 * so the image's /app tree can be checked where no Docker engine runs. Only what our
 * Dockerfile uses is understood; anything else makes the replay fail loudly instead of
 * silently diverging from a real build.
 */
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, readFile, readdir, readlink, stat, symlink } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Instruction {
  op: string;
  /** Raw argument text after the keyword (continuations joined). */
  args: string;
  /** `--name=value` flags of COPY/HEALTHCHECK. */
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  base: string;
  name: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (current === undefined && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current !== undefined && trimmed.startsWith('#')) return; // comment inside a continuation
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1).trim() : trimmed;
    current = current === undefined ? { text: piece, line: index + 1 } : { ...current, text: `${current.text} ${piece}` };
    if (!continued) {
      logical.push(current);
      current = undefined;
    }
  });
  const stages: Stage[] = [];
  for (const { text: lineText, line } of logical) {
    const [keyword = '', ...rest] = lineText.split(/\s+/);
    const op = keyword.toUpperCase();
    let args = rest.join(' ');
    const flags: Record<string, string> = {};
    if (op === 'COPY' || op === 'HEALTHCHECK' || op === 'ADD') {
      while (args.startsWith('--')) {
        const [flag = '', ...others] = args.split(' ');
        const [name = '', value = ''] = flag.slice(2).split('=', 2);
        flags[name] = value;
        args = others.join(' ');
      }
    }
    if (op === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!match) throw new Error(`line ${line}: cannot read FROM ${args}`);
      stages.push({ base: match[1]!, name: match[2] ?? String(stages.length), instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined) {
      if (op === 'ARG') continue; // global build argument before the first FROM
      throw new Error(`line ${line}: ${op} before FROM`);
    }
    stage.instructions.push({ op, args, flags, line });
  }
  return stages;
}

/** Turns .dockerignore patterns into a predicate over `/`-separated context paths. */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((pattern) => {
    const negate = pattern.startsWith('!');
    const body = posix.normalize((negate ? pattern.slice(1) : pattern).replace(/^\/+/, ''));
    const source = body.split('/').map((segment) => segment === '**'
      ? '.*'
      : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/');
    return { negate, regex: new RegExp(`^${source.replace(/\.\*\//g, '(?:.*/)?')}$`) };
  });
  return (path: string) => {
    const parts = path.split('/');
    let ignored = false;
    for (const rule of rules) {
      // A pattern that matches a parent directory excludes everything below it.
      for (let i = 1; i <= parts.length; i++) {
        if (rule.regex.test(parts.slice(0, i).join('/'))) {
          ignored = !rule.negate;
          break;
        }
      }
    }
    return ignored;
  };
}

export interface ReplayOptions {
  /** Build context (the repository root). */
  context: string;
  /** Where each stage's filesystem is laid out: `<work>/<stage name>/…`. */
  work: string;
  /** Installed node_modules to stand in for `npm ci` (linked, not copied). */
  nodeModules: string;
  env?: NodeJS.ProcessEnv;
}

export interface ReplayResult {
  /** Stage name → host folder standing for that stage's `/`. */
  roots: Map<string, string>;
  /** Every RUN command replayed, in order (for the test's own assertions). */
  commands: string[];
}

async function copyFiltered(from: string, to: string, contextPath: string, ignored: (path: string) => boolean): Promise<void> {
  if (ignored(contextPath)) return;
  const info = await stat(from);
  if (!info.isDirectory()) {
    await mkdir(join(to, '..'), { recursive: true });
    await cp(from, to);
    return;
  }
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) await copyFiltered(join(from, name), join(to, name), `${contextPath}/${name}`, ignored);
}

/** Replays every stage's COPY, WORKDIR and RUN steps; the last stage's root is the image. */
export async function replayDockerfile(stages: Stage[], options: ReplayOptions): Promise<ReplayResult> {
  const ignored = dockerignoreMatcher(await readFile(join(options.context, '.dockerignore'), 'utf8').catch(() => ''));
  const roots = new Map<string, string>();
  const commands: string[] = [];
  for (const stage of stages) {
    const root = join(options.work, stage.name);
    roots.set(stage.name, root);
    await mkdir(root, { recursive: true });
    let workdir = '/';
    const inStage = (path: string) => join(root, posix.resolve(workdir, path));
    for (const step of stage.instructions) {
      if (step.op === 'WORKDIR') {
        workdir = posix.resolve(workdir, step.args);
        await mkdir(inStage('.'), { recursive: true });
      } else if (step.op === 'COPY') {
        const parts = step.args.split(/\s+/);
        const dest = parts.pop()!;
        const from = step.flags.from;
        for (const source of parts) {
          const target = parts.length > 1 || dest.endsWith('/') ? join(inStage(dest), basename(source)) : inStage(dest);
          if (from === undefined) {
            await copyFiltered(join(options.context, source), target, posix.normalize(source).replace(/\/$/, ''), ignored);
          } else {
            const origin = join(roots.get(from) ?? '/nonexistent-stage', source);
            const link = await lstat(origin);
            if (link.isSymbolicLink()) {
              await mkdir(join(target, '..'), { recursive: true });
              await symlink(await readlink(origin), target);
            } else {
              await cp(origin, target, { recursive: true });
            }
          }
        }
      } else if (step.op === 'RUN') {
        for (const command of step.args.split('&&').map((c) => c.trim())) {
          commands.push(command);
          await replayRun(command, inStage, options);
        }
      } else if (!['ARG', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'CMD', 'LABEL'].includes(step.op)) {
        throw new Error(`line ${step.line}: the replay does not know ${step.op}`);
      }
    }
  }
  return { roots, commands };
}

async function replayRun(command: string, inStage: (path: string) => string, options: ReplayOptions): Promise<void> {
  const words = command.split(/\s+/);
  if (/^(apt-get|groupadd|useradd|chown|rm -rf \/var\/lib\/apt\/lists\/\*$|npm cache clean)/.test(command)) return; // system packages and users: nothing to lay out
  if (words[0] === 'npm' && words[1] === 'ci') {
    await symlink(options.nodeModules, inStage('node_modules'));
    return;
  }
  if (words[0] === 'mkdir' && words[1] === '-p') {
    for (const path of words.slice(2)) await mkdir(inStage(path), { recursive: true });
    return;
  }
  const build = /^npm run build:artifacts -- --out (\S+)$/.exec(command);
  if (build) {
    // The same script, run from the stage's copy of the sources (so a missing COPY breaks it here too).
    await run(process.execPath, ['--import', 'tsx', 'server/src/artifacts/build.ts', '--out', inStage(build[1]!)], {
      cwd: inStage('.'), env: { ...process.env, ...options.env }, timeout: 120_000,
    });
    return;
  }
  throw new Error(`the replay does not know RUN ${command}`);
}
