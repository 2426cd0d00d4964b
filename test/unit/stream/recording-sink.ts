import type { StreamSink } from '../../../src/stream/connection.ts';
import { withSeq, type Outgoing } from '../../../src/stream/messages.ts';

/** A sink that records the messages as a client would parse them, and can be told it is backed up. */
export class RecordingSink implements StreamSink {
  frames: Record<string, unknown>[] = [];
  backedUp = false;
  closedWith: number | undefined;
  send(seq: number, out: Outgoing): void {
    this.frames.push(JSON.parse(withSeq(seq, out)) as Record<string, unknown>);
  }
  close(code: number): void {
    this.closedWith = code;
  }
  ofType(type: string) {
    return this.frames.filter((frame) => frame.type === type);
  }
}
