/**
 * Table types of the store, for Kysely. Each issue that needs durable state adds its tables
 * here and a migration in ./migrations/ (one set for SQLite and PostgreSQL).
 */
export interface StoreInfoTable {
  key: string;
  value: string;
}

export interface NotificationTable {
  id: string;
  dedupe_key: string | null;
  level: 'info' | 'warning' | 'error';
  category: string;
  title: string;
  message: string;
  resource_type: string | null;
  resource_id: string | null;
  occurrences: number;
  created_at: string;
  updated_at: string;
}

export interface NotificationReadTable {
  notification_id: string;
  subject: string;
  read_at: string;
}

export interface Database {
  store_info: StoreInfoTable;
  notifications: NotificationTable;
  notification_reads: NotificationReadTable;
}
