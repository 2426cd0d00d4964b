import { UnavailableError } from '../http/errors.ts';
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
  const timed =
    <Args extends unknown[], R>(operation: Operation, call: (...args: Args) => MaybePromise<R>) =>
    (...args: Args): MaybePromise<R> => {
      const started = performance.now();
      const done = () => metrics.liveStoreDuration.observe({ operation }, (performance.now() - started) / 1000);
      const failed = (error: unknown): never => {
        done();
        metrics.liveStoreErrors.inc({ operation });
        throw new UnavailableError(`The live store cannot be reached (${(error as Error).message})`);
      };
      let result: MaybePromise<R>;
      try {
        result = call(...args);
      } catch (error) {
        return failed(error);
      }
      if (!(result instanceof Promise)) return result;
      return result.then((value) => {
        done();
        return value;
      }, failed);
    };
  const apply = timed('apply', (updates: Parameters<LiveStore['apply']>[0]) => store.apply(updates));
  const list = timed('list', (kind: Parameters<LiveStore['list']>[0]) => store.list(kind));
  const ping = timed('ping', () => store.ping());
  return {
    kind: store.kind,
    apply: async (updates) => apply(updates),
    get: timed('get', (refs) => store.get(refs)),
    list: async (kind) => list(kind),
    ping: async () => ping(),
    close: () => store.close(),
  };
}
