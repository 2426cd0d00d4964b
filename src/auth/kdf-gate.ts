/**
 * Bounds how many password hashes run at once (each takes ~N·r·128 bytes and a core for a few hundred
 * ms), so that even a login burst from many addresses and usernames leaves cores for everything else.
 * Waiters beyond `maxQueue` are refused at once.
 */
export class KdfGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueue: number,
  ) {}

  get busy(): number {
    return this.running + this.waiting.length;
  }

  /** Runs `work` when a slot is free; returns undefined without running it when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return { value: await work() };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
