// @ts-check
/**
 * The estate as the page knows it: the inventory fetched once, then kept current by live events.
 * Views listen for changes and redraw only what changed.
 */

/**
 * @typedef {import('./types.js').Vm} Vm
 * @typedef {import('./types.js').Host} Host
 * @typedef {import('./types.js').Cluster} Cluster
 * @typedef {import('./types.js').Inventory} Inventory
 * @typedef {{ kind: 'reset' } | { kind: 'vm', vmId: string, vm: Vm | undefined, changed?: string[] } | { kind: 'host', host: Host }} Change
 */

export class EstateState {
  constructor() {
    /** @type {Map<string, Vm>} */
    this.vms = new Map();
    /** @type {Map<string, Host>} */
    this.hosts = new Map();
    /** @type {Cluster[]} */
    this.clusters = [];
    /** @type {string[]} */
    this.standaloneHosts = [];
    this.loaded = false;
    /** @type {Set<(change: Change) => void>} */
    this.listeners = new Set();
  }

  /** @param {(change: Change) => void} listener @returns {() => void} */
  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @param {Change} change */
  emit(change) {
    for (const l of this.listeners) l(change);
  }

  /** @param {Inventory} inventory */
  load(inventory) {
    this.vms = new Map(inventory.vms.map((v) => [v.vmId, v]));
    this.hosts = new Map(inventory.hosts.map((h) => [h.name, h]));
    this.clusters = inventory.clusters;
    this.standaloneHosts = inventory.standaloneHosts;
    this.loaded = true;
    this.emit({ kind: 'reset' });
  }

  /**
   * Applies one event of the `inventory` or `hosts` topic. Returns false for events it does not know.
   * @param {import('./types.js').LiveEvent} event
   */
  apply(event) {
    if (!this.loaded) return false;
    const data = event.data ?? {};
    switch (event.type) {
      case 'vm.added':
      case 'vm.updated': {
        /** @type {Vm} */
        const vm = data.vm;
        if (!vm?.vmId) return false;
        const before = this.vms.get(vm.vmId);
        this.vms.set(vm.vmId, vm);
        if (before && before.host !== vm.host) this.recount();
        else if (!before) this.adjustCount(vm.host, 1);
        this.emit({ kind: 'vm', vmId: vm.vmId, vm, changed: data.changed });
        return true;
      }
      case 'vm.removed': {
        const before = this.vms.get(data.vmId);
        if (!before) return true;
        this.vms.delete(data.vmId);
        this.adjustCount(before.host, -1);
        this.emit({ kind: 'vm', vmId: data.vmId, vm: undefined });
        return true;
      }
      case 'host.updated': {
        /** @type {Host} */
        const host = data.host;
        if (!host?.name) return false;
        const before = this.hosts.get(host.name);
        this.hosts.set(host.name, { ...host, deployment: host.deployment ?? before?.deployment ?? null });
        this.emit({ kind: 'host', host: /** @type {Host} */ (this.hosts.get(host.name)) });
        return true;
      }
      case 'host.deployment': {
        const before = this.hosts.get(data.host);
        if (!before) return false;
        const next = { ...before, deployment: data };
        this.hosts.set(before.name, next);
        this.emit({ kind: 'host', host: next });
        return true;
      }
      default:
        return false;
    }
  }

  /** @param {string} hostName @param {number} delta */
  adjustCount(hostName, delta) {
    const host = this.hosts.get(hostName);
    if (host) host.vmCount = Math.max(0, host.vmCount + delta);
    const cluster = this.clusters.find((c) => c.hosts.includes(hostName));
    if (cluster) cluster.vmCount = Math.max(0, cluster.vmCount + delta);
  }

  recount() {
    for (const h of this.hosts.values()) h.vmCount = 0;
    for (const c of this.clusters) c.vmCount = 0;
    for (const vm of this.vms.values()) this.adjustCount(vm.host, 1);
  }

  /** Images that a target (host name, or cluster name) offers: a cluster offers what any of its nodes has. @param {{ host?: string, cluster?: string }} target */
  imagesOf(target) {
    const hosts = target.cluster ? (this.clusters.find((c) => c.name === target.cluster)?.hosts ?? []) : target.host ? [target.host] : [];
    /** @type {Map<string, import('./types.js').Image>} */
    const images = new Map();
    /** @type {Set<string>} */
    const switches = new Set();
    for (const name of hosts) {
      const facts = this.hosts.get(name)?.facts;
      for (const image of facts?.images ?? []) if (!images.has(image.name)) images.set(image.name, image);
      for (const sw of facts?.switches ?? []) switches.add(sw.name);
    }
    return { images: [...images.values()], switches: [...switches] };
  }
}
