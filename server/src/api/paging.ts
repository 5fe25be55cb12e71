/** Cursor pagination for list endpoints: `{items, total, nextCursor}` (issue 6 contract). */
import { AppError } from '../errors.ts';

export interface PageResult<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o:/, ''));
  if (!Number.isInteger(offset) || offset < 0) throw new AppError('BAD_REQUEST', 'cursor is not one this server issued; start again without it');
  return offset;
}

export function paginate<T>(all: T[], limit = 100, cursor?: string): PageResult<T> {
  const offset = decodeCursor(cursor);
  const items = all.slice(offset, offset + limit);
  const next = offset + items.length;
  return { items, total: all.length, nextCursor: next < all.length ? Buffer.from(`o:${next}`).toString('base64url') : null };
}
