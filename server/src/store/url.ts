/** DATABASE_URL → which dialect and where. */
import { resolve } from 'node:path';
import { AppError } from '../errors.ts';

export type StoreLocation = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; connectionString: string };

export function parseDatabaseUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new AppError('CONFIG_INVALID', 'DATABASE_URL=sqlite: names no file; use sqlite:./data/aetherv.db');
    return { dialect: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', connectionString: url };
  throw new AppError('CONFIG_INVALID', 'DATABASE_URL must start with sqlite: or postgres://');
}

/** The URL with any password removed, for logs and diagnostics. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
