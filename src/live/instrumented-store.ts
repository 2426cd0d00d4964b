import { UnavailableError } from '../http/errors.ts';
import type { Metrics } from '../metrics.ts';
import type { LiveStore } from './store.ts';

type Operation = 'apply' | 'get' | 'list' | 'ping';

/**
 * Measures every live store call and turns a failure (Redis unreachable) into UnavailableError, which
 * the API answers with 503 and Retry-After.
 */
export function instrumentLiveStore(store: LiveStore, metrics: Metrics): LiveStore {
  const timed =
    <Args extends unknown[], R>(operation: Operation, call: (...args: Args) => Promise<R>) =>
    async (...args: Args): Promise<R> => {
      const end = metrics.liveStoreDuration.startTimer({ operation });
      try {
        return await call(...args);
      } catch (error) {
        metrics.liveStoreErrors.inc({ operation });
        throw new UnavailableError(`The live store cannot be reached (${(error as Error).message})`);
      } finally {
        end();
      }
    };
  return {
    kind: store.kind,
    apply: timed('apply', (updates) => store.apply(updates)),
    get: timed('get', (refs) => store.get(refs)),
    list: timed('list', (kind) => store.list(kind)),
    ping: timed('ping', () => store.ping()),
    close: () => store.close(),
  };
}
