/**
 * Turns openWB MQTT messages into live-store field changes using the per-generation topic tables.
 * Tolerant by contract: unknown topics are `ignored`, bad payloads come back `invalid`, nothing throws.
 */
import type { EntityKind, FieldUpdate, Json } from '../live/model.ts';
import { GENERATIONS, type Generation } from './generation.ts';
import { Invalid, type Codec, type DecodeContext } from './topics/codecs.ts';
import { TopicMatcher } from './topics/matcher.ts';
import type { TopicRule, TopicTable } from './topics/table.ts';
import { V19_TABLE } from './topics/v19.ts';
import { V2_TABLE } from './topics/v2.ts';

export type GenerationMode = 'auto' | Generation;
export type FieldChange = Omit<FieldUpdate, 'receivedAt'>;
export type DecodeOutcome =
  | { kind: 'updates'; generation: Generation; changes: FieldChange[] }
  | { kind: 'ignored' }
  | { kind: 'invalid'; generation: Generation; topic: string; reason: string };

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
    for (const compiled of this.#tables) {
      const match = compiled.matcher.match(local);
      if (match === undefined) continue;
      const { rule } = match;
      const id = rule.fixedId ?? match.params[0] ?? '';
      if (rule.fixedId === undefined && !compiled.table.entityId.test(id)) continue;
      if (this.#generation === undefined) {
        this.#generation = compiled.table.generation;
        this.#tables = [compiled];
      }
      return this.#apply(compiled.table, rule, id, topic, payload);
    }
    return IGNORED;
  }

  #apply(table: TopicTable, rule: CompiledRule, id: string, topic: string, payload: Buffer): DecodeOutcome {
    const { generation } = table;
    const { kind, fieldNames, codecs } = rule;
    try {
      // An empty retained payload is openWB deleting the topic.
      if (payload.length === 0) {
        return { kind: 'updates', generation, changes: fieldNames.map((field) => ({ kind, id, field, value: undefined })) };
      }
      const input = table.parsePayload(payload);
      const context: DecodeContext = { id, minPvChargepoints: this.#minPvChargepoints };
      const changes: FieldChange[] = [];
      for (let index = 0; index < codecs.length; index++) {
        const value: Json | Invalid = codecs[index]!(input, context);
        if (value instanceof Invalid) return { kind: 'invalid', generation, topic, reason: `${topic}: ${value.reason}` };
        changes.push({ kind, id, field: fieldNames[index]!, value });
      }
      return { kind: 'updates', generation, changes };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'invalid', generation, topic, reason: `${topic}: decoder failed: ${message}` };
    }
  }
}
