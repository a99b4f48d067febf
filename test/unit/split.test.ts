import { DataError } from '../../src/data/errors';
import { applyScaler, chronologicalSplit, fitStandardScaler, seededShuffleIndices } from '../../src/data/split';

describe('chronologicalSplit', () => {
  it('slices in order with floor sizes and the rest as test', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(chronologicalSplit(items, { train: 0.7, validation: 0.2 })).toEqual({ train: [0, 1, 2, 3, 4, 5, 6], validation: [7, 8], test: [9] });
    expect(chronologicalSplit(items, { train: 0.55, validation: 0.25 })).toEqual({ train: [0, 1, 2, 3, 4], validation: [5, 6], test: [7, 8, 9] });
  });

  it('is not fooled by binary rounding of the fractions', () => {
    const s = chronologicalSplit(Array.from({ length: 100 }, (_, i) => i), { train: 0.29, validation: 0.58 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([29, 58, 13]);
  });

  it('rejects fractions above 1 in total', () => {
    expect(() => chronologicalSplit([1, 2], { train: 0.8, validation: 0.3 })).toThrow(RangeError);
  });
});

describe('seededShuffleIndices', () => {
  it('is a deterministic permutation', () => {
    const a = seededShuffleIndices(50, 9);
    expect(seededShuffleIndices(50, 9)).toEqual(a);
    expect(seededShuffleIndices(50, 10)).not.toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(seededShuffleIndices(0, 1)).toEqual([]);
  });
});

describe('standard scaler', () => {
  it('fits population mean/std, maps constant columns to 0', () => {
    const rows = [
      [1, 10, 0],
      [3, 10, 4],
      [5, 10, 8],
    ];
    const s = fitStandardScaler(rows);
    expect(s.mean).toEqual([3, 10, 4]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 15);
    expect(s.std[1]).toBe(1);
    const exact = fitStandardScaler([[1], [3]]);
    expect(exact).toEqual({ mean: [2], std: [1] });
    expect(applyScaler([[0], [2], [5]], exact)).toEqual([[-2], [0], [3]]);
  });

  it('rejects ragged or non-finite rows', () => {
    expect(() => fitStandardScaler([])).toThrow(DataError);
    expect(() => fitStandardScaler([[1, 2], [3]])).toThrow(/row 1/);
    expect(() => applyScaler([[NaN]], { mean: [0], std: [1] })).toThrow(/row 0, column 0/);
  });
});
