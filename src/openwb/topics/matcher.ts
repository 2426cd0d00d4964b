/**
 * Matches concrete topics against MQTT patterns with single-level `+` wildcards.
 *
 * Patterns are indexed once by segment count and by the positions of their wildcards, so a lookup
 * is one split plus one map lookup per distinct wildcard layout (one or two in practice) instead of
 * a scan over every rule.
 */

export interface Match<R> {
  readonly rule: R;
  /** The topic segments that matched the pattern's `+`, in order. */
  readonly params: readonly string[];
}

interface Layout<R> {
  readonly positions: readonly number[];
  readonly byKey: Map<string, R>;
}

interface Bucket<R> {
  readonly exact: Map<string, R>;
  readonly layouts: Layout<R>[];
}

const NO_PARAMS: readonly string[] = Object.freeze([]);

export class TopicMatcher<R extends { readonly pattern: string }> {
  readonly #bySegmentCount = new Map<number, Bucket<R>>();

  constructor(rules: Iterable<R>) {
    for (const rule of rules) this.#add(rule);
  }

  match(topic: string): Match<R> | undefined {
    const segments = topic.split('/');
    const bucket = this.#bySegmentCount.get(segments.length);
    if (bucket === undefined) return undefined;
    const exact = bucket.exact.get(topic);
    if (exact !== undefined) return { rule: exact, params: NO_PARAMS };
    for (const { positions, byKey } of bucket.layouts) {
      const params = positions.map((position) => segments[position] ?? '');
      for (const position of positions) segments[position] = '+';
      const rule = byKey.get(segments.join('/'));
      positions.forEach((position, index) => (segments[position] = params[index] ?? ''));
      if (rule !== undefined) return { rule, params };
    }
    return undefined;
  }

  #add(rule: R): void {
    const segments = rule.pattern.split('/');
    if (segments.includes('#')) throw new Error(`topic rule ${rule.pattern}: '#' is not supported`);
    let bucket = this.#bySegmentCount.get(segments.length);
    if (bucket === undefined) {
      bucket = { exact: new Map(), layouts: [] };
      this.#bySegmentCount.set(segments.length, bucket);
    }
    const positions = segments.flatMap((segment, index) => (segment === '+' ? [index] : []));
    const target = positions.length === 0 ? bucket.exact : layoutFor(bucket, positions).byKey;
    if (target.has(rule.pattern)) throw new Error(`topic rule ${rule.pattern} is defined twice`);
    target.set(rule.pattern, rule);
  }
}

function layoutFor<R>(bucket: Bucket<R>, positions: readonly number[]): Layout<R> {
  const key = positions.join(',');
  const existing = bucket.layouts.find((layout) => layout.positions.join(',') === key);
  if (existing !== undefined) return existing;
  const layout: Layout<R> = { positions, byKey: new Map() };
  bucket.layouts.push(layout);
  return layout;
}

/** Whether an MQTT subscription filter (`+` and trailing `#` allowed) matches a concrete topic. */
export function filterMatches(filter: string, topic: string): boolean {
  const filterSegments = filter.split('/');
  const topicSegments = topic.split('/');
  for (let index = 0; index < filterSegments.length; index++) {
    const segment = filterSegments[index];
    if (segment === '#') return true;
    if (index >= topicSegments.length) return false;
    if (segment !== '+' && segment !== topicSegments[index]) return false;
  }
  return filterSegments.length === topicSegments.length;
}
