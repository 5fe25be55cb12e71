/** The seam between a VM of the model and the guest OS running in it during provisioning. */
export interface GuestHandle {
  /** Host→guest KVP items changed (kvp.set / kvp.remove): a guest that waits re-reads them. */
  notify(): void;
  /** The VM stopped (turn off, shutdown, save, delete): the guest process ends. */
  stop(): void;
  /** What GET /hosts/{name}/model shows about the guest (no secrets). */
  info(): Record<string, unknown>;
}
