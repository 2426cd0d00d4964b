/**
 * Turns openWB MQTT messages into live-store field changes using the per-generation topic tables.
 * Tolerant by contract: unknown topics are `ignored`, and a known topic with a non-canonical id, an
 * oversized, non-UTF-8 or malformed payload or a value outside its field's bounds comes back `invalid`
 * with the reason it was refused. Nothing throws.
 */
import { isUtf8 } from 'node:buffer';
import type { EntityKind, FieldUpdate, Json } from '../live/model.ts';
import { MAX_PAYLOAD_BYTES, refusalOf, type RefusalReason } from './bounds.ts';
import { GENERATIONS, type Generation } from './generation.ts';
import { Invalid, type Codec, type DecodeContext } from './topics/codecs.ts';
import { TopicMatcher } from './topics/matcher.ts';
import type { TopicRule, TopicTable } from './topics/table.ts';
import { V19_TABLE } from './topics/v19.ts';
import { V2_TABLE } from './topics/v2.ts';

export type GenerationMode = 'auto' | Generation;
export type FieldChange = Omit<FieldUpdate, 'receivedAt'>;
export type DecodeOutcome =
  /** `everyCycle`: openWB republishes this kind every control cycle, so its silence means the component is gone. */
  | { kind: 'updates'; generation: Generation; everyCycle: boolean; changes: FieldChange[] }
  | { kind: 'ignored' }
  | { kind: 'invalid'; generation: Generation; topic: string; refusal: RefusalReason; reason: string };

interface CompiledRule {
  readonly pattern: string;
  readonly kind: EntityKind;
  readonly fixedId: string | undefined;
  readonly fieldNames: readonly string[];
  readonly codecs: readonly Codec[];
}

interface CompiledTable {
  readonly table: TopicTable;
  readonly matcher: TopicMatcher<CompiledRule>;
}

function compileRule(rule: TopicRule): CompiledRule {
  const wildcards = rule.pattern.split('/').filter((segment) => segment === '+').length;
  if (wildcards !== (rule.id === undefined ? 1 : 0)) {
    throw new Error(`topic rule ${rule.pattern}: needs exactly one '+' for the id, or a fixed id and none`);
  }
  const entries = Object.entries(rule.fields).filter((entry): entry is [string, Codec] => entry[1] !== undefined);
  return {
    pattern: rule.pattern,
    kind: rule.kind,
    fixedId: rule.id,
    fieldNames: entries.map(([field]) => field),
    codecs: entries.map(([, codec]) => codec),
  };
}

function compileTable(table: TopicTable): CompiledTable {
  return { table, matcher: new TopicMatcher(table.rules.map(compileRule)) };
}

const COMPILED: Readonly<Record<Generation, CompiledTable>> = {
  '2': compileTable(V2_TABLE),
  '1.9': compileTable(V19_TABLE),
};

const IGNORED: DecodeOutcome = Object.freeze({ kind: 'ignored' });

export class OpenWbDecoder {
  /** MQTT subscription filters (with topicPrefix prepended), for the configured mode (auto = both generations). */
  readonly subscriptions: readonly string[];
  readonly #prefix: string;
  #tables: readonly CompiledTable[];
  #generation: Generation | undefined;
  readonly #minPvChargepoints = new Set<string>();

  constructor(options: { mode: GenerationMode; topicPrefix?: string }) {
    const { mode, topicPrefix = '' } = options;
    if (mode !== 'auto' && !GENERATIONS.includes(mode)) throw new Error(`unknown openWB generation mode: ${String(mode)}`);
    this.#prefix = topicPrefix;
    this.#generation = mode === 'auto' ? undefined : mode;
    this.#tables = mode === 'auto' ? GENERATIONS.map((generation) => COMPILED[generation]) : [COMPILED[mode]];
    this.subscriptions = Object.freeze(this.#tables.flatMap(({ table }) => table.subscriptions.map((filter) => topicPrefix + filter)));
  }

  /** The configured generation, or the detected one in auto mode (undefined until detected). */
  get generation(): Generation | undefined {
    return this.#generation;
  }

  decode(topic: string, payload: Buffer): DecodeOutcome {
    if (!topic.startsWith(this.#prefix)) return IGNORED;
    const local = topic.slice(this.#prefix.length);
    let refusedId: Generation | undefined;
    for (const compiled of this.#tables) {
      const match = compiled.matcher.match(local);
      if (match === undefined) continue;
      const { rule } = match;
      const id = rule.fixedId ?? match.params[0] ?? '';
      if (rule.fixedId === undefined && !compiled.table.entityId.test(id)) {
        refusedId ??= compiled.table.generation;
        continue;
      }
      if (this.#generation === undefined) {
        this.#generation = compiled.table.generation;
        this.#tables = [compiled];
      }
      return this.#apply(compiled.table, rule, id, topic, payload);
    }
    // A known topic under an id openWB would never write (`00003`, `-1`, `abc`): refused, not a new component.
    if (refusedId !== undefined) return refused(refusedId, topic, 'invalid-id', `${topic}: not an openWB component id`);
    return IGNORED;
  }

  #apply(table: TopicTable, rule: CompiledRule, id: string, topic: string, payload: Buffer): DecodeOutcome {
    const { generation } = table;
    const { kind, fieldNames, codecs } = rule;
    const everyCycle = table.republishedEveryCycle.includes(kind);
    try {
      // An empty retained payload is openWB deleting the topic.
      if (payload.length === 0) {
        return { kind: 'updates', generation, everyCycle, changes: fieldNames.map((field) => ({ kind, id, field, value: undefined })) };
      }
      if (payload.length > MAX_PAYLOAD_BYTES) return refused(generation, topic, 'too-long', `${topic}: payload of ${payload.length} bytes`);
      if (!isUtf8(payload)) return refused(generation, topic, 'invalid-utf8', `${topic}: payload is not valid UTF-8`);
      const input = table.parsePayload(payload);
      const context: DecodeContext = { id, minPvChargepoints: this.#minPvChargepoints };
      const changes: FieldChange[] = [];
      for (let index = 0; index < codecs.length; index++) {
        const field = fieldNames[index]!;
        const value: Json | Invalid = codecs[index]!(input, context);
        if (value instanceof Invalid) return refused(generation, topic, value.refusal, `${topic}: ${value.reason}`);
        const refusal = refusalOf(kind, id, field, value);
        if (refusal) return refused(generation, topic, refusal, `${topic}: ${field} is ${refusal}`);
        changes.push({ kind, id, field, value });
      }
      return { kind: 'updates', generation, everyCycle, changes };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return refused(generation, topic, 'invalid-payload', `${topic}: decoder failed: ${message}`);
    }
  }
}

function refused(generation: Generation, topic: string, refusal: RefusalReason, reason: string): DecodeOutcome {
  return { kind: 'invalid', generation, topic, refusal, reason };
}
