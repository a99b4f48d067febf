import { NonRetryableError } from '../errors';

/** Thrown for empty or malformed chart input (bad sizes, NaN-only series, mismatched lengths...): plotting it again fails again. */
export class PlotInputError extends NonRetryableError {
  constructor(message: string) {
    super(message);
    this.name = 'PlotInputError';
  }
}

export function assertSize(name: string, value: number | undefined, max = 8192): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 16 || value > max) {
    throw new PlotInputError(`${name} must be a finite number between 16 and ${max}, got ${value}`);
  }
}
