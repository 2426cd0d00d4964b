export { createGatewayClient, type GatewayClient, type GatewayClientOptions } from './client.ts';
export { GatewayProblem, unwrap } from './problem.ts';
export { asFile, fileNameOf, type DownloadedFile } from './download.ts';
export type { TokensListener } from './session.ts';
export {
  STREAM_CLOSE,
  type GatewayStream,
  type HeaderWebSocketConstructor,
  type PlainWebSocketConstructor,
  type StreamDisconnect,
  type StreamEnd,
  type StreamOptions,
  type StreamSocket,
} from './stream.ts';
export { backoffDelay, type BackoffOptions } from './backoff.ts';
export type * from './types.ts';
export type * from './generated/openapi.ts';
