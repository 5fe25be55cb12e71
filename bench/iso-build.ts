/**
 * iso-build: buildArtifacts (host scripts, both provisioning ISOs, version, manifest) of this
 * checkout into a temporary folder: a cold build into an empty folder, then rebuilds with no
 * change, which must write nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArtifacts } from '../server/src/artifacts/build.ts';
import { REPOSITORY_ROOT } from '../server/src/version.ts';
import { percentile, round, timed } from './measure.ts';
import type { Measurement } from './types.ts';

const COLD_BUILDS = 5;
const REBUILDS = 10;

export async function run(): Promise<Measurement[]> {
  const parent = await mkdtemp(join(tmpdir(), 'aetherv-bench-iso-'));
  try {
    const timestamp = new Date('2026-01-01T00:00:00Z'); // no git lookup inside the timed build
    const cold: number[] = [];
    const rebuild: number[] = [];
    for (let i = 0; i < COLD_BUILDS; i++) {
      const outDir = join(parent, `cold-${i}`);
      const { ms, result } = await timed(() => buildArtifacts({ root: REPOSITORY_ROOT, outDir, timestamp }));
      if (result.changed.length === 0) throw new Error('a cold build wrote nothing');
      cold.push(ms);
    }
    const outDir = join(parent, 'cold-0');
    for (let i = 0; i < REBUILDS; i++) {
      const { ms, result } = await timed(() => buildArtifacts({ root: REPOSITORY_ROOT, outDir, timestamp }));
      if (result.changed.length > 0) throw new Error(`a no-change rebuild rewrote ${result.changed.join(', ')}`);
      rebuild.push(ms);
    }
    return [
      { metric: `cold build (median of ${COLD_BUILDS})`, value: round(percentile(cold, 50), 2), unit: 'ms', target: { op: '<=', value: 120 } },
      { metric: `no-change rebuild (median of ${REBUILDS})`, value: round(percentile(rebuild, 50), 2), unit: 'ms', target: { op: '<=', value: 45 } },
    ];
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}
