/**
 * The planted momentum signal of the synthetic tick generator: present at its stated strength when on, absent when
 * off, and causal (it never moves a minute by the minute after it).
 */
import { generateTicks, MAX_MOMENTUM, toBars } from '../../src/data/ticks';
import type { Bar } from '../../src/data/ticks';

/** Lag-1 autocorrelation of 1-minute close-to-close log returns, pairs of consecutive minutes within one session only. */
function lag1Autocorrelation(bars: Bar[]): { ac: number; pairs: number } {
  const x: number[] = [];
  const y: number[] = [];
  for (const symbol of new Set(bars.map((b) => b.symbol))) {
    const b = bars.filter((v) => v.symbol === symbol);
    for (let i = 2; i < b.length; i++) {
      if (b[i].start - b[i - 2].start !== 120_000) continue; // a gap (overnight, or a minute without trades)
      x.push(Math.log(b[i - 1].close / b[i - 2].close));
      y.push(Math.log(b[i].close / b[i - 1].close));
    }
  }
  const mean = (v: number[]) => v.reduce((a, c) => a + c, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (y[i] - my);
    sxx += (xi - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return { ac: sxy / Math.sqrt(sxx * syy), pairs: x.length };
}

// Ten sessions of two symbols at about 50 ticks a minute: ~7,700 pairs of minutes, iid standard error of the estimate ~0.011.
const opts = { symbols: ['AAA', 'BBB'], start: new Date(Date.UTC(2026, 0, 5)), days: 10, ticksPerDay: 20_000, seed: 3 };

describe('planted momentum in synthetic ticks', () => {
  it('with momentum 0.3, 1-minute bar returns have lag-1 autocorrelation ≈ 0.3', async () => {
    const { ac, pairs } = lag1Autocorrelation(await toBars(generateTicks({ ...opts, momentum: 0.3 })));
    expect(pairs).toBeGreaterThan(7000);
    // Volatility clustering widens the estimate's spread beyond the iid standard error (seeds 1–3 gave 0.285–0.321);
    // drift after a minute's last tick and cent rounding pull it slightly below the stated strength.
    expect(ac).toBeGreaterThan(0.25);
    expect(ac).toBeLessThan(0.35);
  }, 60_000);

  it('without momentum (the default) there is no autocorrelation, and the ticks are the same as before the option existed', async () => {
    const plain = generateTicks(opts);
    expect(generateTicks({ ...opts, momentum: 0 })).toEqual(plain);
    const { ac } = lag1Autocorrelation(await toBars(plain));
    expect(Math.abs(ac)).toBeLessThan(0.04);
  }, 60_000);

  it('is causal: the ticks of a minute do not depend on the strength of the drift planted after it', () => {
    // The first minute of each session has no drift (nothing printed before it), so momentum cannot change it.
    const small = { ...opts, days: 1, ticksPerDay: 2000 };
    const firstMinute = (momentum: number) => generateTicks({ ...small, momentum }).filter((t) => (t.ts - Date.UTC(2026, 0, 5, 14, 30)) < 60_000);
    expect(firstMinute(0.5).length).toBeGreaterThan(0);
    expect(firstMinute(0.5)).toEqual(firstMinute(0));
    expect(generateTicks({ ...small, momentum: 0.5 })).not.toEqual(generateTicks(small));
  });

  it('refuses a strength outside [0, MAX_MOMENTUM]', () => {
    expect(() => generateTicks({ ...opts, days: 1, momentum: -0.1 })).toThrow(/momentum must be in \[0, 0.9\]/);
    expect(() => generateTicks({ ...opts, days: 1, momentum: MAX_MOMENTUM + 0.01 })).toThrow(RangeError);
    expect(() => generateTicks({ ...opts, days: 1, momentum: NaN })).toThrow(RangeError);
  });
});
