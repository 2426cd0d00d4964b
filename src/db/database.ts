/**
 * The SQL port. Both adapters take `?` placeholders and plain parameter arrays, so every statement is
 * parameterised the same way; dialect differences stay in the migrations (DDL) and in sql-dialect.ts.
 */
export type Dialect = 'sqlite' | 'mariadb';

export type SqlParam = string | number | bigint | boolean | null;

export interface Database {
  readonly dialect: Dialect;
  query<Row>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** Like query, each row an array of its values in the SELECT's order: no object per row, for reading many rows (exports). */
  queryArrays<Values extends readonly unknown[]>(sql: string, params?: readonly SqlParam[]): Promise<Values[]>;
  execute(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (tx: Pick<Database, 'dialect' | 'query' | 'execute'>) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
