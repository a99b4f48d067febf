/** The data sensor's pure parts: the days a tick window needs, durations, the sensor input's limits, the UI line. */
import { daysOfWindow } from '../../src/activities/partition-data';
import { durationMs, parsePipelineInput } from '../../src/workflows/shared/input-schema';
import { renderCurrentDetails } from '../../src/workflows/shared/current-details';

describe('data sensor (pure parts)', () => {
  it('a window needs one file per UTC day it touches, end exclusive', () => {
    expect(daysOfWindow(Date.parse('2026-01-05T00:00:00Z'), Date.parse('2026-01-08T00:00:00Z'))).toEqual(['2026-01-05', '2026-01-06', '2026-01-07']);
    expect(daysOfWindow(Date.parse('2026-01-05T21:30:00Z'), Date.parse('2026-01-06T21:30:00Z'))).toEqual(['2026-01-05', '2026-01-06']);
  });

  it('reads durations and refuses anything else', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('1m')).toBe(60_000);
    expect(durationMs('6h')).toBe(6 * 3_600_000);
    expect(durationMs('1.5d')).toBe(36 * 3_600_000);
    expect(() => durationMs('6 hours')).toThrow('not a duration: "6 hours"');
  });

  it('accepts a sensor input and refuses one that would poll too often for the history', () => {
    expect(parsePipelineInput('power', { sensor: { pollInterval: '30s', timeout: '2h' } }).sensor).toEqual({ pollInterval: '30s', timeout: '2h' });
    expect(() => parsePipelineInput('power', { sensor: { pollInterval: '1s', timeout: '6h' } })).toThrow('sensor.pollInterval: timeout / pollInterval must be at most 2000 polls');
    expect(() => parsePipelineInput('tick', { sensor: { timeout: 'soon' } })).toThrow('sensor.timeout: a duration of at least 1s such as "30s", "1m", "6h"');
    expect(() => parsePipelineInput('tick', { sensor: { every: '1m' } })).toThrow('sensor');
  });

  it('shows the wait in the current details: how many files, which, since when, and the time left', () => {
    const since = Date.parse('2026-01-11T02:00:03Z');
    const text = renderCurrentDetails({
      stage: 'prepare',
      waitingForData: { missing: ['raw/ticks/2026-01-09.csv', 'raw/ticks/2026-01-10.csv', 'raw/ticks/2026-01-11.csv', 'raw/ticks/2026-01-12.csv'], expected: 7, since, checkedAt: since + 60_000, deadline: since + 3_600_000 },
    });
    expect(text).toContain('**Waiting for data** 4 of 7 files missing (`raw/ticks/2026-01-09.csv`, `raw/ticks/2026-01-10.csv`, `raw/ticks/2026-01-11.csv`, … 1 more), since 02:00:03 UTC, timeout in 59m00s');
  });
});
