/**
 * Runs async sections one at a time per key, within this process: each section starts after the previous one
 * with the same key has settled (succeeded or failed). Sections with different keys run concurrently.
 */
export type Serialize = <T>(key: string, section: () => Promise<T>) => Promise<T>;

export function createKeyedMutex(): Serialize {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, section: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(section);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
