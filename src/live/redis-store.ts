import type { Redis } from 'ioredis';
import {
  ENTITY_KINDS,
  type EntityFields,
  type EntityKind,
  type EntityRef,
  type EntitySnapshot,
  type FieldUpdate,
  type Json,
} from './model.ts';
import { redisKeys, type RedisKeys } from '../redis-keys.ts';
import { compareIds, type LiveStore } from './store.ts';

const encode = (value: Json, receivedAt: number) => JSON.stringify([value, receivedAt]);

function decodeFields(hash: Record<string, string>): EntityFields {
  const fields: EntityFields = {};
  for (const [name, raw] of Object.entries(hash)) {
    try {
      const [value, receivedAt] = JSON.parse(raw) as [Json, number];
      fields[name] = { value, receivedAt };
    } catch {
      // A value another program wrote under our prefix: not ours to serve.
    }
  }
  return fields;
}

/**
 * Writes `field, receivedAt, encoded` triples to one entity hash, each only where Redis holds nothing newer
 * (an empty `encoded` deletes), so instances writing back after an outage never overwrite newer values.
 */
const WRITE_IF_NEWER = `
for i = 1, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local newer = true
  if current then
    local ok, decoded = pcall(cjson.decode, current)
    if ok and type(decoded) == 'table' and tonumber(decoded[2]) and tonumber(decoded[2]) > tonumber(ARGV[i + 1]) then newer = false end
  end
  if newer then
    if ARGV[i + 2] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2]) end
  end
end
return 0`;

/**
 * The shared live store: one hash per entity, so a chargepoint is one HGETALL. Several gateway instances
 * on one Redis serve the same values. Every batch is also published on `liveChanges` in the same
 * pipeline, so replicas (replicated-store.ts) and later the stream follow without polling. The client is
 * created with `enableOfflineQueue: false`, so calls fail fast while Redis is unreachable instead of queueing.
 */
export class RedisLiveStore implements LiveStore {
  readonly kind = 'redis';
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.keys = redisKeys(keyPrefix);
  }

  async apply(updates: readonly FieldUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    // Group by entity so a batch of messages becomes one HSET (and one SADD) per entity; the last
    // update of a field within the batch wins, as it would have applied one by one.
    const byEntity = new Map<string, { kind: EntityKind; id: string; fields: Map<string, string | undefined> }>();
    for (const u of updates) {
      const key = this.keys.entity(u.kind, u.id);
      let group = byEntity.get(key);
      if (!group) byEntity.set(key, (group = { kind: u.kind, id: u.id, fields: new Map() }));
      group.fields.set(u.field, u.value === undefined ? undefined : encode(u.value, u.receivedAt));
    }
    const pipeline = this.redis.pipeline();
    for (const [key, group] of byEntity) {
      const set: string[] = [];
      const del: string[] = [];
      for (const [field, encoded] of group.fields) {
        if (encoded === undefined) del.push(field);
        else set.push(field, encoded);
      }
      if (set.length > 0) {
        pipeline.hset(key, ...set);
        pipeline.sadd(this.keys.index(group.kind), group.id);
      }
      if (del.length > 0) pipeline.hdel(key, ...del);
    }
    pipeline.publish(this.keys.liveChanges, JSON.stringify(updates));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /**
   * Writes values kept elsewhere while Redis was away (or lost) back, newest-wins per field, and publishes
   * them so the other replicas merge them too.
   */
  async writeBack(updates: readonly FieldUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const byEntity = new Map<string, { kind: EntityKind; id: string; args: string[]; anyValue: boolean }>();
    for (const u of updates) {
      const key = this.keys.entity(u.kind, u.id);
      let group = byEntity.get(key);
      if (!group) byEntity.set(key, (group = { kind: u.kind, id: u.id, args: [], anyValue: false }));
      group.args.push(u.field, String(u.receivedAt), u.value === undefined ? '' : encode(u.value, u.receivedAt));
      if (u.value !== undefined) group.anyValue = true;
    }
    const pipeline = this.redis.pipeline();
    for (const [key, group] of byEntity) {
      pipeline.eval(WRITE_IF_NEWER, 1, key, ...group.args);
      if (group.anyValue) pipeline.sadd(this.keys.index(group.kind), group.id);
    }
    pipeline.publish(this.keys.liveChanges, JSON.stringify(updates));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** False when Redis holds no entity under our prefix, e.g. after it restarted without persistence. */
  async hasEntities(): Promise<boolean> {
    return (await this.redis.exists(...ENTITY_KINDS.map((kind) => this.keys.index(kind)))) > 0;
  }

  async get(refs: readonly EntityRef[]): Promise<EntityFields[]> {
    if (refs.length === 1) {
      const ref = refs[0] as EntityRef;
      return [decodeFields(await this.redis.hgetall(this.keys.entity(ref.kind, ref.id)))];
    }
    const pipeline = this.redis.pipeline();
    for (const ref of refs) pipeline.hgetall(this.keys.entity(ref.kind, ref.id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, hash]) => {
      if (error) throw error;
      return decodeFields(hash as Record<string, string>);
    });
  }

  async list(kind: EntityKind): Promise<EntitySnapshot[]> {
    const ids = (await this.redis.smembers(this.keys.index(kind))).sort(compareIds);
    const fields = await this.get(ids.map((id) => ({ kind, id })));
    return ids
      .map((id, i) => ({ kind, id, fields: fields[i] as EntityFields }))
      .filter((snapshot) => Object.keys(snapshot.fields).length > 0);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
