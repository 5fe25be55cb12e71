// @ts-check
/* global requestAnimationFrame */
/** The estate as a tree: clusters → hosts → VMs, then standalone hosts (never a fake cluster). */
import { api } from './api.js';
import { h, replace, badge, formatBytes, formatTime } from './dom.js';

/** @typedef {import('./main.js').Ctx} Ctx */
/** @typedef {import('./types.js').Host} Host */
/** @typedef {import('./types.js').Vm} Vm */

/** @param {Ctx} ctx @returns {() => void} */
export function showInventory(ctx) {
  const root = h('div', { class: 'tree' });
  replace(ctx.main, h('h1', {}, 'Inventory'), root);
  let scheduled = false;
  const render = () => {
    scheduled = false;
    renderTree(ctx, root);
  };
  // Bursts of events (a refresh of 500 VMs) redraw once per frame.
  const stop = ctx.state.listen(() => {
    if (!scheduled) { scheduled = true; requestAnimationFrame(render); }
  });
  render();
  return stop;
}

/** @param {Ctx} ctx @param {HTMLElement} root */
function renderTree(ctx, root) {
  const { state } = ctx;
  if (!state.loaded) { replace(root, h('p', { class: 'muted' }, 'Loading the inventory…')); return; }
  /** @type {Map<string, Vm[]>} */
  const byHost = new Map();
  for (const vm of state.vms.values()) {
    const list = byHost.get(vm.host) ?? [];
    list.push(vm);
    byHost.set(vm.host, list);
  }
  for (const list of byHost.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const sections = state.clusters.map((cluster) => h('section', { class: 'panel', 'aria-label': `Cluster ${cluster.name}`, 'data-cluster': cluster.name },
    h('h2', {}, `Cluster ${cluster.name}`, ' ', h('span', { class: 'muted' }, `${cluster.connectedHosts}/${cluster.hosts.length} hosts connected · ${cluster.vmCount} VMs`)),
    h('div', { class: 'grid' }, cluster.hosts.map((name) => hostCard(ctx, state.hosts.get(name), name, byHost.get(name) ?? [])))));
  const standalone = state.standaloneHosts.length === 0 ? null : h('section', { class: 'panel', 'aria-label': 'Standalone hosts' },
    h('h2', {}, 'Standalone hosts'),
    h('div', { class: 'grid' }, state.standaloneHosts.map((name) => hostCard(ctx, state.hosts.get(name), name, byHost.get(name) ?? []))));
  replace(root, sections, standalone, state.hosts.size === 0 ? h('p', { class: 'muted' }, 'No hosts are configured.') : null);
}

/** @param {Ctx} ctx @param {Host | undefined} host @param {string} name @param {Vm[]} vms */
function hostCard(ctx, host, name, vms) {
  if (!host) return h('article', { class: 'panel host-card' }, h('h3', {}, name), h('p', { class: 'muted' }, 'not reported yet'));
  const f = host.facts;
  const deployment = host.deployment;
  return h('article', { class: 'panel host-card', 'data-host': name, 'aria-label': `Host ${name}` },
    h('h3', {}, name, badge(host.connected ? 'connected' : 'disconnected'),
      ctx.canWrite ? h('button', { type: 'button', style: 'margin-left:auto', 'data-action': 'refresh-host', title: `Re-read ${name} and its VMs now`, onclick: (event) => void refreshHost(ctx, name, /** @type {HTMLButtonElement} */ (event.currentTarget)) }, 'Refresh') : null),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Agent'), h('dd', {}, host.agentVersion ?? '—', ' ', deployment ? badge(deployment.state) : null,
        deployment?.reason ? h('span', { class: 'error-text' }, ` ${deployment.reason}`) : null),
      h('dt', {}, 'CPU'), h('dd', {}, f ? `${f.cpuCores} cores, ${f.logicalProcessors} logical` : '—'),
      h('dt', {}, 'Memory'), h('dd', {}, f ? `${formatBytes(f.memoryFreeBytes)} free of ${formatBytes(f.memoryTotalBytes)}` : '—'),
      h('dt', {}, 'Last success'), h('dd', {}, formatTime(host.lastSuccess)),
      host.lastError ? h('dt', {}, 'Last error') : null, host.lastError ? h('dd', { class: 'error-text' }, host.lastError) : null),
    h('h4', {}, `${vms.length} VMs`),
    h('ul', {}, vms.map((vm) => h('li', {}, h('a', { href: `#/vms/${vm.vmId}` }, vm.name), ' ', badge(vm.state), vm.stale ? badge('stale') : null))));
}

/** Changes arrive as live events; the answer itself needs no handling. @param {Ctx} ctx @param {string} name @param {HTMLButtonElement} button */
async function refreshHost(ctx, name, button) {
  button.disabled = true;
  try {
    await api(`/api/v1/hosts/${encodeURIComponent(name)}/refresh`, { method: 'POST' });
    ctx.toast(`${name} re-read`);
  } catch (error) {
    ctx.showError(error);
  } finally {
    button.disabled = false;
  }
}
