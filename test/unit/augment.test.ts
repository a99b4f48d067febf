import { augmentImages } from '../../src/models/augment';

describe('image augmentation', () => {
  // One 2×3 single-channel image: 1 2 3 / 4 5 6.
  const image = Float32Array.from([1, 2, 3, 4, 5, 6]);

  it('is the identity with no flip and no padding', () => {
    expect(augmentImages(image, [1, 2, 3, 1], 7, { flip: false, pad: 0 })).toEqual(image);
  });

  it('flips horizontally or not, and is reproducible for a seed', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const out = augmentImages(image, [1, 2, 3, 1], seed, { flip: true, pad: 0 });
      expect(augmentImages(image, [1, 2, 3, 1], seed, { flip: true, pad: 0 })).toEqual(out);
      seen.add(Array.from(out).join(','));
    }
    expect([...seen].sort()).toEqual(['1,2,3,4,5,6', '3,2,1,6,5,4']);
  });

  it('shifts within the zero padding, keeping pixel values and channels together', () => {
    const rgb = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i + 1);
    for (let seed = 0; seed < 30; seed++) {
      const out = augmentImages(rgb, [1, 2, 2, 3], seed, { flip: false, pad: 1 });
      // Every non-zero pixel is an original pixel's full (r, g, b) triple.
      for (let p = 0; p < 4; p++) {
        const px = Array.from(out.subarray(p * 3, p * 3 + 3));
        if (px.some((v) => v !== 0)) expect(px[1] - px[0]).toBe(1), expect(px[2] - px[1]).toBe(1), expect((px[0] - 1) % 3).toBe(0);
      }
    }
  });
});
