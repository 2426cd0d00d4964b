import { UnavailableError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { MaybePromise } from '../maybe-async.ts';
import type { LiveStore } from './store.ts';

type Operation = 'apply' | 'get' | 'list' | 'ping';

/**
 * Measures every live store call that waits for Redis and turns a failure (Redis unreachable) into
 * UnavailableError, which the API answers with 503 and Retry-After. A call the store answers at once (from
 * memory or the replica) stays synchronous and untimed: timing it would cost more than the read.
 */
export function instrumentLiveStore(store: LiveStore, metrics: Metrics): LiveStore {
  const unavailable = (operation: Operation, error: unknown) => {
    metrics.liveStoreErrors.inc({ operation });
    return new UnavailableError(`The live store cannot be reached (${(error as Error).message})`);
  };
  const measure = <R>(operation: Operation, call: () => MaybePromise<R>): MaybePromise<R> => {
    const started = performance.now();
    let result: MaybePromise<R>;
    try {
      result = call();
    } catch (error) {
      throw unavailable(operation, error);
    }
    if (!(result instanceof Promise)) return result;
    const observe = () => metrics.liveStoreDuration.observe({ operation }, (performance.now() - started) / 1000);
    return result.then(
      (value) => {
        observe();
        return value;
      },
      (error: unknown) => {
        observe();
        throw unavailable(operation, error);
      },
    );
  };
  return {
    kind: store.kind,
    readableOnApply: store.readableOnApply,
    apply: async (updates) => measure('apply', () => store.apply(updates)),
    get: (refs) => measure('get', () => store.get(refs)),
    list: async (kind) => measure('list', () => store.list(kind)),
    ping: async () => measure('ping', () => store.ping()),
    close: () => store.close(),
  };
}
