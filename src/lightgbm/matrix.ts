import { C_API_DTYPE_FLOAT32, C_API_DTYPE_FLOAT64 } from './library';

/** Dense row-major data: `rows[r * ncol + c]`. */
export type MatrixData = Float64Array | Float32Array;

const INT32_MAX = 2 ** 31 - 1;

/** Validates a row-major matrix and returns its C_API_DTYPE code. */
export function checkMatrix(rows: MatrixData, nrow: number, ncol: number): number {
  if (!(rows instanceof Float64Array || rows instanceof Float32Array)) {
    throw new TypeError('rows must be a Float64Array or Float32Array (row-major)');
  }
  for (const [name, n] of [['nrow', nrow], ['ncol', ncol]] as const) {
    if (!Number.isInteger(n) || n < 1 || n > INT32_MAX) throw new RangeError(`${name} must be a positive int32, got ${n}`);
  }
  if (rows.length !== nrow * ncol) {
    throw new RangeError(`rows has ${rows.length} values, expected nrow * ncol = ${nrow} * ${ncol} = ${nrow * ncol}`);
  }
  return rows instanceof Float64Array ? C_API_DTYPE_FLOAT64 : C_API_DTYPE_FLOAT32;
}

/** A Float32Array copy (or the array itself) of exactly `length` values. */
export function toFloat32(values: ArrayLike<number>, what: string, length: number): Float32Array {
  if (values.length !== length) throw new RangeError(`${what} has ${values.length} values, expected ${length}`);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
