/**
 * openWB 2.x changes a chargepoint's charge template by itself right after a tag is accepted: it assigns
 * the tag's vehicle and copies that vehicle's template onto the chargepoint. A preset written before that
 * would be overwritten, so the preset waits until openWB has settled: the tag bound (or dropped) and the
 * chargepoint's template copy being the one of its vehicle.
 */
import type { LiveModel } from '../live/live-model.ts';
import type { ChargePointView } from '../live/views.ts';

export interface SettleOptions {
  live: LiveModel;
  signal: AbortSignal;
  now?: () => number;
  pollMs?: number;
}

/** openWB drops an unbound scanned tag after 300 s; a little more for the cycle that drops it. */
export const SCAN_WINDOW_MS = 310_000;
/** How long a scanned tag may be gone before the preset applies anyway (openWB binds it in the same cycle). */
const BIND_GRACE_MS = 3_000;
/** Three openWB control cycles at the default 10 s. */
const TEMPLATE_SETTLE_MS = 30_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** The template copy is the one openWB keeps for the connected vehicle (or either is unknown). */
export async function templateSettled(live: LiveModel, chargepoint: ChargePointView, vehicleId?: string): Promise<boolean> {
  const connected = chargepoint.fields.vehicleId?.value;
  if (vehicleId !== undefined && connected !== vehicleId) return false;
  const copyId = chargepoint.fields.chargeTemplate?.value.id;
  if (connected === undefined || copyId === undefined || copyId === null) return true;
  const wanted = (await live.vehicle(connected)).fields.chargeTemplateId?.value;
  return wanted === undefined || wanted === String(copyId);
}

/** Waits until the template copy of `chargepointId` belongs to its (or `vehicleId`'s) vehicle, at most three cycles. */
export async function settleTemplate(options: SettleOptions, chargepointId: string, vehicleId?: string): Promise<void> {
  const now = options.now ?? Date.now;
  const deadline = now() + TEMPLATE_SETTLE_MS;
  while (!options.signal.aborted && now() < deadline) {
    if (await templateSettled(options.live, await options.live.chargepoint(chargepointId), vehicleId)) return;
    await sleep(options.pollMs ?? 200, options.signal);
  }
}

/**
 * After a scan (`get/rfid`): waits for openWB to bind the tag to the session (then for the template), or to
 * drop it (an unknown tag, no vehicle within 300 s), whichever comes first.
 */
export async function settleScan(options: SettleOptions, chargepointId: string, tag: string): Promise<void> {
  const now = options.now ?? Date.now;
  const deadline = now() + SCAN_WINDOW_MS;
  let goneSince: number | undefined;
  while (!options.signal.aborted && now() < deadline) {
    const { fields } = await options.live.chargepoint(chargepointId);
    if (fields.rfidTag?.value === tag) return settleTemplate(options, chargepointId);
    if (fields.scannedTag?.value !== tag) {
      goneSince ??= now();
      if (now() - goneSince >= BIND_GRACE_MS) return;
    } else goneSince = undefined;
    await sleep(options.pollMs ?? 200, options.signal);
  }
}
