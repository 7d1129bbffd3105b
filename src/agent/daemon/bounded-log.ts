/**
 * A log file that never grows without bound: when it passes `maxBytes` it becomes `<file>.1`
 * (the previous `.1` becomes `.2`, and so on up to `keep`), and a new file starts. Synchronous
 * appends, so a line is on disk before the process can exit; lines are small and rare.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';

export interface BoundedLogOptions {
  path: string;
  maxBytes?: number;
  /** Rotated files kept besides the current one. */
  keep?: number;
}

export class BoundedLogFile extends Writable {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #size: number;

  constructor(options: BoundedLogOptions) {
    super();
    this.path = options.path;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#keep = options.keep ?? 2;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.#size = existsSync(this.path) ? statSync(this.path).size : 0;
  }

  #rotate(): void {
    if (this.#keep === 0) {
      rmSync(this.path, { force: true });
      this.#size = 0;
      return;
    }
    rmSync(`${this.path}.${this.#keep}`, { force: true });
    for (let index = this.#keep - 1; index >= 1; index -= 1) {
      if (existsSync(`${this.path}.${index}`)) renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
    }
    if (existsSync(this.path)) renameSync(this.path, `${this.path}.1`);
    this.#size = 0;
  }

  override _write(input: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    // A line that alone exceeds the bound is replaced by a note, not cut (a cut JSON line is noise).
    const chunk = input.length <= this.#maxBytes ? input : Buffer.from(`${JSON.stringify({ level: 40, time: Date.now(), msg: `a log line of ${input.length} bytes was dropped` })}\n`);
    try {
      if (this.#size > 0 && this.#size + chunk.length > this.#maxBytes) this.#rotate();
      appendFileSync(this.path, chunk, { mode: 0o600 });
      this.#size += chunk.length;
      done();
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
