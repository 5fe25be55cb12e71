/**
 * Per-host slots held in the store, so a limit such as one `image.copy` per host holds across
 * every replica on one PostgreSQL (DESIGN §6, §7). A slot is a row (resource, host, slot
 * number); taking it is one atomic insert-or-take-over-if-expired, so two replicas can never
 * both win. The row carries the holder's lease, renewed by the engine's heartbeat with the
 * job's own lease: a replica that dies frees its slots when its jobs' leases expire.
 * Waiting polls with a growing pause and holds no worker (the caller gave it back).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { sleep } from './context.ts';

/** Takes one of `capacity` slots of (resource, host) for a job; resolves with its release. */
export interface SlotLeases {
  acquire(resource: string, host: string, capacity: number, jobId: string, signal?: AbortSignal): Promise<() => Promise<void>>;
}

const FIRST_PAUSE_MS = 25;
const LONGEST_PAUSE_MS = 1000;

export class StoreSlots implements SlotLeases {
  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly owner: string,
    private readonly leaseUntil: () => string,
  ) {}

  async acquire(resource: string, host: string, capacity: number, jobId: string, signal?: AbortSignal): Promise<() => Promise<void>> {
    const key = host.toLowerCase();
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      signal?.throwIfAborted();
      const slot = await this.tryClaim(resource, key, capacity, jobId);
      if (slot !== undefined) return () => this.release(resource, key, slot, jobId);
      await (signal ? sleep(pause / 1000, signal) : new Promise((r) => setTimeout(r, pause)));
      pause = Math.min(LONGEST_PAUSE_MS, Math.round(pause * 1.5));
    }
  }

  /** The slot number taken, or undefined when every slot is held by a live lease. */
  async tryClaim(resource: string, host: string, capacity: number, jobId: string): Promise<number | undefined> {
    const now = new Date().toISOString();
    for (let slot = 0; slot < capacity; slot += 1) {
      const taken = await this.db().insertInto('job_slots')
        .values({ resource, host, slot, job_id: jobId, owner: this.owner, lease_expires_at: this.leaseUntil() })
        .onConflict((oc) => oc.columns(['resource', 'host', 'slot'])
          .doUpdateSet({ job_id: (eb) => eb.ref('excluded.job_id'), owner: (eb) => eb.ref('excluded.owner'), lease_expires_at: (eb) => eb.ref('excluded.lease_expires_at') })
          // Only a holder whose lease ran out (its replica died) is displaced.
          .where(sql.ref('job_slots.lease_expires_at'), '<', now))
        .returning('slot')
        .executeTakeFirst();
      if (taken) return slot;
    }
    return undefined;
  }

  private async release(resource: string, host: string, slot: number, jobId: string): Promise<void> {
    await this.db().deleteFrom('job_slots')
      .where('resource', '=', resource).where('host', '=', host).where('slot', '=', slot)
      .where('job_id', '=', jobId).where('owner', '=', this.owner)
      .execute();
  }

  /** Extends the leases of the slots this replica's running jobs hold (engine heartbeat). */
  async renew(jobIds: string[], leaseUntil: string): Promise<void> {
    if (jobIds.length === 0) return;
    await this.db().updateTable('job_slots').set({ lease_expires_at: leaseUntil }).where('owner', '=', this.owner).where('job_id', 'in', jobIds).execute();
  }
}
