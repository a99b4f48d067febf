/**
 * Ownership of one native LightGBM handle. The native object is released exactly once: when free() was asked
 * for and no pin is left. Pins are taken by in-flight async calls and by boosters that use a dataset, so that
 * freeing a wrapper early never leaves LightGBM with a dangling pointer; the wrapper itself refuses any use
 * from the moment free() is called.
 */
export class NativeHandle {
  private ptr: bigint | null;
  private pins = 0;
  private freeRequested = false;

  constructor(
    ptr: bigint,
    private readonly what: string,
    private readonly release: (ptr: bigint) => void,
  ) {
    this.ptr = ptr;
  }

  /** The live pointer; throws once free() was called. */
  get(): bigint {
    if (this.freeRequested || this.ptr === null) throw new Error(`${this.what} has been freed`);
    return this.ptr;
  }

  get freed(): boolean {
    return this.freeRequested;
  }

  /** Keeps the native object alive until the returned function is called (idempotent). */
  pin(): () => void {
    this.get();
    this.pins++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.pins--;
      try {
        this.releaseIfUnused();
      } catch (err) {
        process.emitWarning(`Deferred release of ${this.what} failed: ${(err as Error).message}`);
      }
    };
  }

  /** Idempotent. Releases now, or when the last pin goes; release errors surface here when immediate. */
  free(): void {
    if (this.freeRequested) return;
    this.freeRequested = true;
    this.releaseIfUnused();
  }

  private releaseIfUnused(): void {
    if (!this.freeRequested || this.pins > 0 || this.ptr === null) return;
    const ptr = this.ptr;
    this.ptr = null;
    this.release(ptr);
  }
}

/** Safety net for wrappers dropped without free(): their handle is freed when they are garbage collected. */
export const handleFinalizer = new FinalizationRegistry<NativeHandle>((handle) => {
  try {
    handle.free();
  } catch {
    // nothing to report to: the owner is gone
  }
});
