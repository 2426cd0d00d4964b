/**
 * Charge templates published to a chargepoint whose change openWB has not shown yet. The next command on
 * that chargepoint edits this template instead of the (older) live one, so two quick commands never undo
 * each other; once the change is confirmed or timed out the live template is the base again.
 */
import type { Redis } from 'ioredis';
import { UnavailableError } from '../errors.ts';
import type { JsonObject } from './template-edit.ts';

export interface PendingTemplate {
  commandId: string;
  template: JsonObject;
}

export interface PendingTemplates {
  get(chargepointId: string): Promise<PendingTemplate | undefined>;
  set(chargepointId: string, pending: PendingTemplate, ttlMs: number): Promise<void>;
  /** Forgets the pending template if it is still this command's. */
  clear(chargepointId: string, commandId: string): Promise<void>;
}

export class MemoryPendingTemplates implements PendingTemplates {
  private readonly entries = new Map<string, PendingTemplate & { until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(chargepointId: string): Promise<PendingTemplate | undefined> {
    const entry = this.entries.get(chargepointId);
    if (!entry || entry.until <= this.now()) return undefined;
    return { commandId: entry.commandId, template: entry.template };
  }

  async set(chargepointId: string, pending: PendingTemplate, ttlMs: number): Promise<void> {
    this.entries.set(chargepointId, { ...pending, until: this.now() + ttlMs });
  }

  async clear(chargepointId: string, commandId: string): Promise<void> {
    if (this.entries.get(chargepointId)?.commandId === commandId) this.entries.delete(chargepointId);
  }
}

const CLEAR = `local v = redis.call('GET', KEYS[1]) if v and cjson.decode(v).commandId == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisPendingTemplates implements PendingTemplates {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (chargepointId: string) => string,
  ) {}

  async get(chargepointId: string): Promise<PendingTemplate | undefined> {
    let raw: string | null;
    try {
      raw = await this.redis.get(this.keyOf(chargepointId));
    } catch (error) {
      throw new UnavailableError(`Pending changes cannot be read: Redis is unreachable (${(error as Error).message})`);
    }
    return raw === null ? undefined : (JSON.parse(raw) as PendingTemplate);
  }

  async set(chargepointId: string, pending: PendingTemplate, ttlMs: number): Promise<void> {
    await this.redis.set(this.keyOf(chargepointId), JSON.stringify(pending), 'PX', ttlMs);
  }

  async clear(chargepointId: string, commandId: string): Promise<void> {
    await this.redis.eval(CLEAR, 1, this.keyOf(chargepointId), commandId);
  }
}
