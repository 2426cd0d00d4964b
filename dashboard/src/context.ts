import type { GatewayClient } from '../../sdk/src/index.ts';
import type { Principal } from './api.ts';
import type { LiveState } from './live-state.ts';

/** What every view gets: the signed-in client, who is signed in, and the live values of the stream. */
export interface ViewContext {
  gw: GatewayClient;
  principal: Principal;
  live: LiveState;
}

export interface View {
  element: HTMLElement;
  /** Stops timers and listeners when the user leaves the view. */
  dispose(): void;
}
