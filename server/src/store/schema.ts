/**
 * Table types of the store, for Kysely. Each issue that needs durable state adds its tables
 * here and a migration in ./migrations/ (one set for SQLite and PostgreSQL).
 */
export interface StoreInfoTable {
  key: string;
  value: string;
}

export interface Database {
  store_info: StoreInfoTable;
}
