/**
 * Named API tokens that admins create for automation: `avt_<id>.<secret>`, shown once.
 * The store keeps the SHA-256 of the secret only; a presented token is looked up by its id
 * and its secret hash compared in constant time. Last use is recorded (at most once a minute).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { ApiTokenTable } from '../store/schema.ts';
import type { Principal, Role } from './principal.ts';

export const TOKEN_PREFIX = 'avt_';
const TOKEN_FORMAT = /^avt_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  lastUsedAt: string | null;
  expired: boolean;
}

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

function info(row: ApiTokenTable, now = Date.now()): ApiTokenInfo {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, createdBy: row.created_by, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, expired: Date.parse(row.expires_at) <= now };
}

export class ApiTokenStore {
  constructor(private readonly storeOf: () => Store) {}

  async create(input: { name: string; role: Role; expiresAt: Date; createdBy: string }): Promise<ApiTokenInfo & { token: string }> {
    if (input.expiresAt.getTime() <= Date.now()) throw new AppError('VALIDATION_FAILED', 'expiresAt must be in the future');
    const { db } = this.storeOf();
    const existing = await db.selectFrom('api_tokens').select('id').where('name', '=', input.name).executeTakeFirst();
    if (existing) throw new AppError('CONFLICT', `a token named ${input.name} already exists; delete it first or choose another name`);
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const row: ApiTokenTable = {
      id, name: input.name, role: input.role, secret_hash: hashOf(secret), created_at: new Date().toISOString(),
      created_by: input.createdBy, expires_at: input.expiresAt.toISOString(), last_used_at: null,
    };
    await db.insertInto('api_tokens').values(row).execute();
    return { ...info(row), token: `${TOKEN_PREFIX}${id}.${secret}` };
  }

  async list(): Promise<ApiTokenInfo[]> {
    const rows = await this.storeOf().db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
    const now = Date.now();
    return rows.map((r) => info(r, now));
  }

  /** True when a token was deleted. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.storeOf().db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The principal of a valid, unexpired token; null for anything else (unknown, wrong secret, expired). */
  async authenticate(token: string): Promise<Principal | null> {
    const match = TOKEN_FORMAT.exec(token);
    if (!match) return null;
    const [, id, secret] = match as unknown as [string, string, string];
    const { db } = this.storeOf();
    const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    // Hash even when the id is unknown, so timing does not tell ids apart.
    const expected = Buffer.from(row?.secret_hash ?? hashOf('unknown'), 'hex');
    const given = Buffer.from(hashOf(secret), 'hex');
    if (!row || !timingSafeEqual(given, expected) || Date.parse(row.expires_at) <= Date.now()) return null;
    const now = new Date();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
      await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', id).execute();
    }
    return { subject: `token:${row.id}`, name: row.name, roles: [row.role], via: 'named-token', kind: 'service-principal', tokenName: row.name };
  }
}
