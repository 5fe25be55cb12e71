// @ts-check
/* global document, window, requestAnimationFrame */
/**
 * The VM table with filters by name, state and host. Rows are built once and kept by VM id: a live
 * change rebuilds one row, and filtering only toggles `hidden`, so 500+ VMs stay fast.
 */
import { h, replace, badge, formatBytes } from './dom.js';

/** @typedef {import('./main.js').Ctx} Ctx */
/** @typedef {import('./types.js').Vm} Vm */

const STATES = ['Running', 'Off', 'Saved', 'Paused', 'Starting', 'Stopping', 'Saving', 'Pausing', 'Resuming', 'Reset', 'Other'];

/** @param {Ctx} ctx @returns {() => void} */
export function showVmList(ctx) {
  const name = /** @type {HTMLInputElement} */ (h('input', { type: 'search', id: 'filter-name', placeholder: 'part of a name' }));
  const stateSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'filter-state' }, h('option', { value: '' }, 'any state'), STATES.map((s) => h('option', { value: s }, s))));
  const hostSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'filter-host' }));
  const count = h('span', { class: 'muted', role: 'status' });
  const body = h('tbody');
  /** @type {Map<string, HTMLTableRowElement>} */
  const rows = new Map();

  const matches = (/** @type {Vm} */ vm) => {
    const text = name.value.trim().toLowerCase();
    return (!text || vm.name.toLowerCase().includes(text)) && (!stateSelect.value || vm.state === stateSelect.value) && (!hostSelect.value || vm.host === hostSelect.value);
  };
  const updateCount = () => {
    let shown = 0;
    for (const [id, row] of rows) {
      const vm = ctx.state.vms.get(id);
      const visible = vm !== undefined && matches(vm);
      row.hidden = !visible;
      if (visible) shown += 1;
    }
    count.textContent = `${shown} of ${rows.size} VMs`;
  };
  const fillHosts = () => {
    const current = hostSelect.value;
    replace(hostSelect, h('option', { value: '' }, 'any host'), [...ctx.state.hosts.keys()].sort().map((n) => h('option', { value: n }, n)));
    hostSelect.value = current;
  };
  const renderAll = () => {
    fillHosts();
    rows.clear();
    const sorted = [...ctx.state.vms.values()].sort((a, b) => a.name.localeCompare(b.name));
    const fragment = document.createDocumentFragment();
    for (const vm of sorted) {
      const row = vmRow(vm);
      rows.set(vm.vmId, row);
      fragment.append(row);
    }
    body.replaceChildren(fragment);
    updateCount();
  };

  let timer = 0;
  let countScheduled = false;
  const onFilter = () => { clearTimeout(timer); timer = window.setTimeout(updateCount, 80); };
  name.addEventListener('input', onFilter);
  stateSelect.addEventListener('change', updateCount);
  hostSelect.addEventListener('change', updateCount);

  replace(ctx.main,
    h('h1', {}, 'Virtual machines'),
    h('div', { class: 'filters', role: 'search' },
      h('label', {}, 'Name', name), h('label', {}, 'State', stateSelect), h('label', {}, 'Host', hostSelect), count,
      ctx.canWrite ? h('a', { class: 'button primary', href: '#/new-vm', style: 'margin-left:auto' }, 'New VM') : null),
    h('table', { class: 'vms', 'aria-label': 'Virtual machines' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Host'),
        h('th', { scope: 'col', class: 'num' }, 'CPU'), h('th', { scope: 'col', class: 'num' }, 'Memory'), h('th', { scope: 'col' }, 'IP addresses'), h('th', { scope: 'col' }, 'OS'))),
      body));

  const stop = ctx.state.listen((change) => {
    if (change.kind === 'reset') { renderAll(); return; }
    if (change.kind !== 'vm') return;
    const old = rows.get(change.vmId);
    if (!change.vm) {
      old?.remove();
      rows.delete(change.vmId);
    } else if (old) {
      const row = vmRow(change.vm);
      old.replaceWith(row);
      rows.set(change.vmId, row);
    } else {
      // A new VM goes in name order.
      const row = vmRow(change.vm);
      const newName = change.vm.name;
      const next = [...body.children].find((r) => (ctx.state.vms.get(r.getAttribute('data-vm-id') ?? '')?.name ?? '').localeCompare(newName) > 0);
      if (next) next.before(row); else body.append(row);
      rows.set(change.vmId, row);
    }
    // A refresh of the whole estate sends one event per VM: recount once per frame.
    if (!countScheduled) { countScheduled = true; requestAnimationFrame(() => { countScheduled = false; updateCount(); }); }
  });
  if (ctx.state.loaded) renderAll();
  return () => { stop(); clearTimeout(timer); };
}

/** @param {Vm} vm */
function vmRow(vm) {
  const row = /** @type {HTMLTableRowElement} */ (h('tr', { 'data-vm-id': vm.vmId },
    h('td', {}, h('a', { href: `#/vms/${vm.vmId}` }, vm.name)),
    h('td', { class: 'vm-state' }, badge(vm.state), vm.stale ? badge('stale') : null),
    h('td', {}, vm.host),
    h('td', { class: 'num' }, vm.cpuCount),
    h('td', { class: 'num' }, formatBytes(vm.memory.assignedBytes || vm.memory.startupBytes)),
    h('td', {}, vm.ipAddresses.join(', ')),
    h('td', {}, vm.osName ?? '')));
  return row;
}
