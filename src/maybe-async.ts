/**
 * Values that are ready now or later. Credential checks and live reads run on every request and are
 * served from memory almost always; answering synchronously then saves the promise and microtask hops.
 */
export type MaybePromise<T> = T | Promise<T>;

export function chain<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
