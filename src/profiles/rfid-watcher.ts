/**
 * Turns the live updates of chargepoints into RFID signals: a tag scanned (2.x `get/rfid`) or bound to the
 * session (2.x `set/rfid`, 1.9 `lastRfId`), and the session's end (tag unbound, unplugged). Each signal is
 * claimed in SQL first, so a tag is handled once per plug-in session however often openWB (or a restart,
 * or another gateway instance) repeats it. Signals of one chargepoint are processed in order.
 */
import type { Logger } from 'pino';
import type { UpdateSource } from '../control/confirmation.ts';
import { CP } from '../live/fields.ts';
import type { LiveModel } from '../live/live-model.ts';
import type { FieldUpdate } from '../live/model.ts';
import { decodeChargePointValue } from '../live/views.ts';
import type { PresetApplier, TagSignal } from './preset-applier.ts';
import type { RfidEventRepository } from './rfid-event-repository.ts';
import { SignalFailureLog } from './signal-failure-log.ts';

/** An unbound scan counts as the same one this long (openWB's 300 s tag timeout, and a margin). */
const SCAN_WINDOW_MS = 360_000;

type Item = { kind: 'signal'; signal: TagSignal } | { kind: 'close'; at: number; unplugged: boolean } | { kind: 'plugged' };

export class RfidWatcher {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly applying = new Set<Promise<unknown>>();
  /** 1.9 binds seen while the plug state was unknown; decided when it arrives. */
  private readonly deferred = new Map<string, TagSignal>();
  /** Chargepoints known to have no bound tag open, so the per-cycle `plugged: false` costs no SQL. */
  private readonly closed = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private readonly failures: SignalFailureLog;

  constructor(
    private readonly deps: {
      source: UpdateSource;
      live: LiveModel;
      events: Pick<RfidEventRepository, 'claim' | 'close'>;
      applier: Pick<PresetApplier, 'handle' | 'stop'>;
      logger: Logger;
    },
  ) {
    this.failures = new SignalFailureLog(deps.logger);
  }

  start(): void {
    this.unsubscribe = this.deps.source((updates) => this.onUpdates(updates));
  }

  /** Resolves once the signals received so far are handled: claimed, and their presets applied. */
  async idle(): Promise<void> {
    while (this.chains.size > 0 || this.applying.size > 0) await Promise.allSettled([...this.chains.values(), ...this.applying]);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.deps.applier.stop();
    await Promise.allSettled([...this.chains.values(), ...this.applying]);
  }

  private onUpdates(updates: readonly FieldUpdate[]): void {
    for (const u of updates) {
      if (u.kind !== 'chargepoint') continue;
      if (u.field === CP.scannedTag) {
        const tag = decodeChargePointValue('scannedTag', u.value);
        if (tag) this.enqueue(u.id, { kind: 'signal', signal: { chargepointId: u.id, tag, source: 'scan', at: u.receivedAt } });
      } else if (u.field === CP.rfidTag) {
        const tag = decodeChargePointValue('rfidTag', u.value);
        if (tag) this.enqueue(u.id, { kind: 'signal', signal: { chargepointId: u.id, tag, source: 'bind', at: u.receivedAt } });
        else this.enqueue(u.id, { kind: 'close', at: u.receivedAt, unplugged: false });
      } else if (u.field === CP.plugged) {
        if (u.value === false) this.enqueue(u.id, { kind: 'close', at: u.receivedAt, unplugged: true });
        else if (u.value === true && this.deferred.has(u.id)) this.enqueue(u.id, { kind: 'plugged' });
      }
    }
  }

  private enqueue(chargepointId: string, item: Item): void {
    const previous = this.chains.get(chargepointId) ?? Promise.resolve();
    const next = previous
      .then(() => this.process(chargepointId, item))
      .then(
        () => this.failures.handled(chargepointId),
        (error: unknown) => this.failures.failed(chargepointId, error),
      );
    this.chains.set(chargepointId, next);
    void next.finally(() => {
      if (this.chains.get(chargepointId) === next) this.chains.delete(chargepointId);
    });
  }

  private async process(chargepointId: string, item: Item): Promise<void> {
    if (item.kind === 'close') {
      if (item.unplugged) this.deferred.delete(chargepointId);
      if (this.closed.has(chargepointId)) return;
      // Only a bound tag ends with the session; a tag scanned before plugging in waits for the vehicle.
      await this.deps.events.close(chargepointId, item.at);
      this.closed.add(chargepointId);
      return;
    }
    if (item.kind === 'plugged') {
      const signal = this.deferred.get(chargepointId);
      this.deferred.delete(chargepointId);
      if (signal) await this.claim(signal);
      return;
    }
    const { signal } = item;
    const [system, chargepoint] = await this.deps.live.read({ kind: 'system' }, { kind: 'chargepoint', id: chargepointId });
    // 1.9 keeps lastRfId after unplugging: only a bind on a plugged chargepoint is a session's tag.
    if (system.fields.generation?.value === '1.9') {
      const plugged = chargepoint.fields.plugged?.value;
      if (plugged === false) return;
      if (plugged !== true) {
        this.deferred.set(chargepointId, signal);
        return;
      }
    }
    await this.claim(signal);
  }

  private async claim(signal: TagSignal): Promise<void> {
    this.closed.delete(signal.chargepointId);
    if (!(await this.deps.events.claim(signal.chargepointId, signal.tag, signal.source, signal.at, SCAN_WINDOW_MS))) return;
    const run = this.deps.applier
      .handle(signal)
      .catch((error: unknown) => this.deps.logger.error({ err: (error as Error).message, ...signal }, 'applying an RFID profile failed'));
    this.applying.add(run);
    void run.finally(() => this.applying.delete(run));
  }
}
