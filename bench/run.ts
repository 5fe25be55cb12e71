/**
 * `npm run bench [-- <name>...]`: runs benchmarks, each in its own Node.js process (so one's
 * memory, sockets and timers cannot skew the next), prints the results table and exits 1 when
 * a target is missed. Not part of `npm test` or CI: the targets are speed and memory.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS, findBenchmark } from './registry.ts';
import { EXIT, RESULT_PREFIX, USAGE, exitCodeOf, formatTable, parseArgs, parseChildOutput } from './runner.ts';
import type { BenchmarkOutcome } from './types.ts';

/** A benchmark that has not finished by then is killed and counted as failed. */
const CHILD_TIMEOUT_MS = 10 * 60_000;
const SELF = fileURLToPath(import.meta.url);

function runChild(name: string): Promise<BenchmarkOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', SELF, '--child', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      let measurements;
      try { measurements = parseChildOutput(stdout); } catch { measurements = undefined; }
      if (code === 0 && measurements) { resolve({ name, measurements, seconds }); return; }
      const error = signal === 'SIGKILL' ? `killed after ${CHILD_TIMEOUT_MS / 1000} s` : `exited with ${signal ?? code}`;
      resolve({ name, measurements: measurements ?? [], error, seconds });
    });
  });
}

async function runInThisProcess(name: string): Promise<number> {
  const run = await findBenchmark(name)!.load();
  const measurements = await run();
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(measurements)}\n`);
  return EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv, BENCHMARKS);
  switch (command.kind) {
    case 'help':
      console.log(USAGE);
      return EXIT.ok;
    case 'list':
      for (const b of BENCHMARKS) console.log(`${b.name.padEnd(18)} ${b.description}`);
      return EXIT.ok;
    case 'usage-error':
      console.error(`${command.message}\n${USAGE}`);
      return EXIT.usage;
    case 'child':
      return runInThisProcess(command.name);
    case 'run': {
      const outcomes: BenchmarkOutcome[] = [];
      for (const name of command.names) {
        console.error(`running ${name}...`);
        const outcome = await runChild(name);
        console.error(`${name}: ${outcome.error ?? 'done'} in ${outcome.seconds.toFixed(1)} s`);
        outcomes.push(outcome);
      }
      console.log(formatTable(outcomes));
      return exitCodeOf(outcomes);
    }
  }
}

/** Exits once stdout is flushed: a benchmark that left a handle open must not hang its process. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  exit(EXIT.missed);
});
