/**
 * The guest configuration phase (DESIGN §5), shared by `provision` and `initialize`: attach the
 * OS family's provisioning ISO → start → KVP handshake (the orchestrator encrypts, the host
 * only relays ciphertext) → wait for `applied` and an IPv4 → remove every aetherv.* host item
 * → detach the ISO. Each step observes before it acts, so a re-run after a restart is safe.
 */
import { AppError } from '../../errors.ts';
import type { OsFamily } from '../../agent/types.generated.ts';
import {
  GUEST_ITEM, GUEST_STATE, MAX_PAYLOAD_CHUNKS, handshakeStartItems, hostItemNames, payloadItems, readGuestReport, type GuestReport, type KvpItem,
} from '../../provisioning/index.ts';
import { agentCode, callOptions, observeVm, requireVm, uncancellable, type AnyContext, type AnyStep } from './common.ts';

export interface GuestPhase {
  /** Where the VM is (known once earlier steps ran). */
  where(ctx: AnyContext): { host: string; vmId: string };
  osFamily(ctx: AnyContext): OsFamily;
  /** The full guest configuration, secrets included (from ctx.secrets). */
  config(ctx: AnyContext): unknown;
  /** Run the phase at all (provision without a guest configuration skips it). */
  when?(ctx: AnyContext): boolean;
  /** Start the VM even when the phase is skipped (provision with start but no configuration). */
  startWhen?(ctx: AnyContext): boolean;
  /** Register the `guest-cleanup` rollback (host items removed, ISO ejected) when nothing else undoes the phase. */
  registerCleanup?: boolean;
}

const GUEST_KEYS = Object.values(GUEST_ITEM);
/** Margin of a waiting step's deadline over the wait itself: its agent calls need time too. */
const WAIT_MARGIN_SECONDS = 120;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('\\') + 1).toLowerCase();
}

async function readGuest(ctx: AnyContext, host: string, vmId: string): Promise<GuestReport & { vmState: string }> {
  const answer = await ctx.services.agent.kvpGet(host, { vmId, keys: GUEST_KEYS }, callOptions(ctx));
  const items: Record<string, string> = {};
  for (const [k, v] of Object.entries(answer.items)) if (v !== undefined) items[k] = v;
  return { ...readGuestReport(items), vmState: answer.state };
}

function guestFailed(report: GuestReport): AppError {
  return new AppError('GUEST_PROVISIONING_FAILED', `the guest reported that its configuration failed: ${report.error?.summary ?? 'error:unknown'}`, {
    details: { guestError: report.error?.summary ?? null },
  });
}

/** Writes items one by one, in order: the order is the protocol. */
async function publish(ctx: AnyContext, host: string, vmId: string, items: KvpItem[]): Promise<void> {
  for (const item of items) {
    await ctx.services.agent.kvpSet(host, { vmId, items: [{ key: item.name, value: item.value }] }, callOptions(ctx));
  }
}

/**
 * Issue 16: the network settings name their adapter by MAC, so a guest with several NICs (or
 * NICs enumerated in another order) configures the right one. Read after start: Hyper-V gives a
 * dynamic MAC only when the VM first starts (before that it reports 000000000000).
 */
export async function withAdapterMac(ctx: AnyContext, host: string, vmId: string, config: unknown): Promise<unknown> {
  const network = (config as { network?: unknown } | null)?.network;
  if (typeof network !== 'object' || network === null || 'macAddress' in network) return config;
  const mac = (await requireVm(ctx, host, vmId)).nics[0]?.macAddress;
  if (!mac || /^0+$/.test(mac)) return config;
  return { ...(config as object), network: { ...network, macAddress: mac } };
}

export function guestSteps(phase: GuestPhase): AnyStep[] {
  const when = (ctx: AnyContext) => phase.when?.(ctx) ?? true;
  const settings = (ctx: AnyContext) => ctx.services.settings;
  const steps: AnyStep[] = [
    {
      name: 'attach-iso',
      when,
      async run(ctx) {
        const { host, vmId } = phase.where(ctx);
        const family = phase.osFamily(ctx);
        const info = await ctx.services.agent.hostInfo(host, {}, callOptions(ctx));
        const iso = info.provisioningIsos.find((i) => i.osFamily === family);
        if (!iso) throw new AppError('AGENT_OPERATION_FAILED', `${host} has no ${family} provisioning ISO installed; redeploy the host agent`, { details: { host } });
        if (phase.registerCleanup) await ctx.registerRollback('guest-cleanup', { host, vmId });
        const vm = await requireVm(ctx, host, vmId);
        if (vm.isoPath !== null && baseName(vm.isoPath) === baseName(iso.path)) return { isoPath: vm.isoPath };
        const attached = await ctx.services.agent.isoAttach(host, { vmId, isoPath: iso.path }, callOptions(ctx));
        ctx.log('info', `attached ${iso.name}`);
        return { isoPath: attached.vm.isoPath };
      },
    },
    {
      name: 'start',
      when: (ctx) => when(ctx) || (phase.startWhen?.(ctx) ?? false),
      async run(ctx) {
        const { host, vmId } = phase.where(ctx);
        const vm = await requireVm(ctx, host, vmId);
        if (vm.state === 'Running') return { state: vm.state };
        const result = await ctx.services.agent.vmPower(host, { vmId, action: 'start' }, callOptions(ctx));
        ctx.log('info', `started ${result.vm.name}`);
        return { state: result.vm.state };
      },
    },
    {
      name: 'handshake',
      when,
      deadlineSeconds: (ctx) => settings(ctx).guestKeyTimeoutSeconds + WAIT_MARGIN_SECONDS,
      async run(ctx) {
        const { host, vmId } = phase.where(ctx);
        const config = phase.config(ctx);
        // Observe: a guest already past the key exchange (a re-run after a restart) needs nothing more.
        const before = await readGuest(ctx, host, vmId);
        if (before.state === GUEST_STATE.applying || before.state === GUEST_STATE.applied) return { chunkCount: null };
        if (before.state === GUEST_STATE.failed) throw guestFailed(before);
        await publish(ctx, host, vmId, handshakeStartItems(ctx.services.version));
        ctx.log('info', 'waiting for the guest to publish its key');
        const deadline = Date.now() + settings(ctx).guestKeyTimeoutSeconds * 1000;
        for (;;) {
          const report = await readGuest(ctx, host, vmId);
          if (report.state === GUEST_STATE.failed) throw guestFailed(report);
          if (report.state === GUEST_STATE.awaitingPayload && report.pubkey !== undefined) {
            const items = payloadItems(await withAdapterMac(ctx, host, vmId, config), report.pubkey);
            await publish(ctx, host, vmId, items);
            const chunkCount = items.length - 3;
            ctx.log('info', `published the encrypted configuration (${chunkCount} chunk${chunkCount === 1 ? '' : 's'})`);
            return { chunkCount };
          }
          if (report.vmState === 'Off') throw new AppError('GUEST_PROVISIONING_FAILED', 'the VM turned off before its guest published a key');
          if (Date.now() >= deadline) {
            throw new AppError('GUEST_TIMEOUT', `the guest published no key within ${settings(ctx).guestKeyTimeoutSeconds} s (is the provisioning agent on its image and ISO?)`);
          }
          await ctx.sleep(settings(ctx).kvpPollSeconds);
        }
      },
    },
    {
      name: 'wait-applied',
      when,
      deadlineSeconds: (ctx) => settings(ctx).guestApplyTimeoutSeconds + WAIT_MARGIN_SECONDS,
      async run(ctx) {
        const { host, vmId } = phase.where(ctx);
        const deadline = Date.now() + settings(ctx).guestApplyTimeoutSeconds * 1000;
        let applied = false;
        for (;;) {
          const report = await readGuest(ctx, host, vmId);
          if (report.state === GUEST_STATE.failed) throw guestFailed(report);
          if (report.state === GUEST_STATE.applied) {
            if (!applied) ctx.log('info', 'the guest applied its configuration');
            applied = true;
            if (report.ipv4 !== undefined) {
              ctx.log('info', `the guest reports IPv4 ${report.ipv4}`);
              return { ipv4: report.ipv4 };
            }
          }
          if (Date.now() >= deadline) {
            throw new AppError('GUEST_TIMEOUT', applied
              ? `the guest applied its configuration but reported no IPv4 address within ${settings(ctx).guestApplyTimeoutSeconds} s`
              : `the guest did not report its configuration applied within ${settings(ctx).guestApplyTimeoutSeconds} s (last state: ${report.state ?? 'none'})`);
          }
          await ctx.sleep(settings(ctx).kvpPollSeconds);
        }
      },
    },
    {
      name: 'remove-kvp',
      when,
      async run(ctx) {
        const { host, vmId } = phase.where(ctx);
        const published = (ctx.outputs['handshake'] as { chunkCount?: number | null } | undefined)?.chunkCount;
        // Unknown count (handshake re-run after the payload went out): remove every chunk name a guest accepts.
        const names = hostItemNames(published ?? MAX_PAYLOAD_CHUNKS - 4);
        const removed: string[] = [];
        for (let i = 0; i < names.length; i += 256) {
          const keys = names.slice(i, i + 256) as [string, ...string[]];
          removed.push(...(await ctx.services.agent.kvpRemove(host, { vmId, keys }, callOptions(ctx))).removed);
        }
        return { removed: removed.length };
      },
    },
    {
      name: 'detach-iso',
      when,
      async run(ctx) {
        const { host, vmId } = phase.where(ctx);
        const vm = await observeVm(ctx, host, vmId);
        if (!vm || vm.isoPath === null) return { detached: false };
        const result = await ctx.services.agent.isoDetach(host, { vmId }, callOptions(ctx));
        return { detached: result.detached };
      },
    },
  ];
  return steps;
}

/** Undoes a failed or cancelled guest phase on a VM that stays: every aetherv.* host item removed, the ISO ejected. */
export async function guestCleanup(ctx: AnyContext, data: unknown): Promise<void> {
  const { host, vmId } = data as { host: string; vmId: string };
  const names = hostItemNames(MAX_PAYLOAD_CHUNKS - 4);
  try {
    await ctx.services.agent.kvpRemove(host, { vmId, keys: names as [string, ...string[]] }, uncancellable(ctx));
    await ctx.services.agent.isoDetach(host, { vmId }, uncancellable(ctx));
  } catch (error) {
    if (!agentCode(error, 'VM_NOT_FOUND')) throw error;
  }
}
