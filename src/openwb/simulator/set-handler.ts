import { decodePayload } from './json.ts';
import type { TopicPublisher } from './publisher.ts';
import { SET_ROUTES } from './set-routes.ts';
import type { SetContext } from './set-routes.ts';
import type { Message } from './topics.ts';

export type SetOutcome =
  | { kind: 'ignored' }
  | { kind: 'applied'; publish: Message[] }
  | { kind: 'invalid'; reason: string }
  | { kind: 'unknown-topic' }
  | { kind: 'unknown-id'; clear: boolean; reason: string };

export interface SimulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** setdata.py's decision for one message on `openWB/set/<setPath>`; mutates the state only when valid. */
export function resolveSet(context: SetContext, setPath: string, payload: string): SetOutcome {
  // Empty payloads are the clears of already processed set topics.
  if (payload === '') return { kind: 'ignored' };
  for (const route of SET_ROUTES) {
    const match = route.pattern.exec(setPath);
    if (match === null) continue;
    const id = Number(match[1] ?? Number.NaN);
    if (route.entity === 'chargepoint' && !context.state.chargepoints.has(id)) {
      return { kind: 'unknown-id', clear: false, reason: `Ladepunkt ${id} existiert nicht` };
    }
    // openWB would create the vehicle; the simulator never grows new ones.
    if (route.entity === 'vehicle' && !context.state.vehicles.has(id)) {
      return { kind: 'unknown-id', clear: true, reason: `Fahrzeug ${id} existiert nicht` };
    }
    const checked = route.check(decodePayload(payload), payload);
    if (!checked.ok) return { kind: 'invalid', reason: 'Payload ungültig' };
    const applied = route.apply(context, checked.value, id, `openWB/${setPath}`);
    return 'reject' in applied ? { kind: 'invalid', reason: applied.reject } : { kind: 'applied', publish: applied.publish };
  }
  return { kind: 'unknown-topic' };
}

export class SetTopicHandler {
  private readonly setPrefix: string;
  private readonly context: () => SetContext;
  private readonly publisher: TopicPublisher;
  private readonly logger: SimulatorLogger;

  constructor(options: { prefix: string; context: () => SetContext; publisher: TopicPublisher; logger: SimulatorLogger }) {
    this.setPrefix = `${options.prefix}openWB/set/`;
    this.context = options.context;
    this.publisher = options.publisher;
    this.logger = options.logger;
  }

  get subscription(): string {
    return `${this.setPrefix}#`;
  }

  async handle(topic: string, payloadBytes: Buffer): Promise<void> {
    if (!topic.startsWith(this.setPrefix)) return;
    const payload = payloadBytes.toString('utf8');
    const outcome = resolveSet(this.context(), topic.slice(this.setPrefix.length), payload);
    switch (outcome.kind) {
      case 'ignored':
        return;
      case 'applied':
        await this.publisher.publish(outcome.publish, 'all');
        break;
      case 'invalid':
        this.logger.warn({ topic, payload, reason: outcome.reason }, 'Payload ungültig');
        break;
      case 'unknown-topic':
        this.logger.warn({ topic, payload }, 'Unbekanntes set-Topic');
        break;
      case 'unknown-id':
        this.logger.warn({ topic, payload, reason: outcome.reason }, 'set-Topic für unbekannte ID');
        if (!outcome.clear) return;
        break;
    }
    await this.publisher.clear(topic);
  }
}
