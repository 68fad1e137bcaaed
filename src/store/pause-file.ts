import { z } from 'zod';
import { PauseState } from '../domain/pause.js';
import { writeFileAtomic } from './atomic-file.js';
import { readSideFile } from './json-side-file.js';

const PauseFileContent = z.object({ paused: PauseState.nullable() });

/**
 * Whether Pitstop is paused, in its own small file beside the state file (`<state>.pause.json`),
 * replaced atomically by the holder of the state lock (an unpause is a write too, so a crash
 * cannot bring back a pause that was lifted). No file: never paused.
 */
export class PauseFile {
  private constructor(
    readonly path: string,
    private state: PauseState | undefined,
  ) {}

  static async open(path: string): Promise<PauseFile> {
    return new PauseFile(path, await PauseFile.read(path));
  }

  /** Reads without locking (for a CLI beside a running serve). */
  static async read(path: string): Promise<PauseState | undefined> {
    const content = await readSideFile(
      path,
      PauseFileContent,
      'pause file',
      'the pause file does not say who paused, why and when',
    );
    return content?.paused ?? undefined;
  }

  get(): PauseState | undefined {
    return this.state;
  }

  /** Durable before it resolves; `undefined` unpauses. */
  async set(state: PauseState | undefined): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify({ paused: state ?? null }));
    this.state = state;
  }
}
