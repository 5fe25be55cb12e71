/** The agent operations, by name (the names of Schemas/agent/operations.json). */
import type { OpHandler } from './context.ts';
import { clusterAddVm, clusterRemoveVm } from './cluster.ts';
import { diskCreate, diskDelete, diskUpdate } from './disk.ts';
import { hostInfo, inventoryCollect } from './host.ts';
import { imageCopy, isoAttach, isoDetach } from './image.ts';
import { kvpGet, kvpRemove, kvpSet } from './kvp.ts';
import { nicCreate, nicDelete, nicUpdate } from './nic.ts';
import { vmPower } from './power.ts';
import { vmCreate, vmDelete, vmUpdate } from './vm.ts';

export const OPERATIONS: Readonly<Record<string, OpHandler>> = {
  'host.info': hostInfo,
  'inventory.collect': inventoryCollect,
  'image.copy': imageCopy,
  'iso.attach': isoAttach,
  'iso.detach': isoDetach,
  'vm.create': vmCreate,
  'vm.update': vmUpdate,
  'vm.delete': vmDelete,
  'vm.power': vmPower,
  'disk.create': diskCreate,
  'disk.update': diskUpdate,
  'disk.delete': diskDelete,
  'nic.create': nicCreate,
  'nic.update': nicUpdate,
  'nic.delete': nicDelete,
  'kvp.get': kvpGet,
  'kvp.set': kvpSet,
  'kvp.remove': kvpRemove,
  'cluster.addVm': clusterAddVm,
  'cluster.removeVm': clusterRemoveVm,
};
