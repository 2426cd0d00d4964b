import { migrate } from '../db/migrate.ts';
import { withDatabase } from './context.ts';

export async function migrateCommand(): Promise<void> {
  const applied = await withDatabase((db) => migrate(db));
  console.log(applied.length ? `Applied migrations ${applied.join(', ')}.` : 'The database is up to date.');
}
