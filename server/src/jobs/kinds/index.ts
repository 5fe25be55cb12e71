/** Every VM job kind, for the engine to register (`engine.registerKinds(allKinds)`). */
import type { JobKind } from '../kind.ts';
import { deleteKind } from './delete.ts';
import { diskCreateKind, diskDeleteKind, diskUpdateKind } from './disks.ts';
import { initializeKind } from './initialize.ts';
import { nicCreateKind, nicDeleteKind, nicUpdateKind } from './nics.ts';
import { powerKind } from './power.ts';
import { provisionKind } from './provision.ts';
import { updateKind } from './update.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own params and secrets types
export const allKinds: JobKind<any, any>[] = [
  provisionKind, initializeKind, updateKind, powerKind, deleteKind,
  diskCreateKind, diskUpdateKind, diskDeleteKind, nicCreateKind, nicUpdateKind, nicDeleteKind,
];

export {
  deleteKind, diskCreateKind, diskDeleteKind, diskUpdateKind, initializeKind, nicCreateKind, nicDeleteKind, nicUpdateKind, powerKind, provisionKind, updateKind,
};
