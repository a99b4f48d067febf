import { createKeyedMutex } from '../../src/activities/keyed-mutex';

const tick = () => new Promise((r) => setImmediate(r));

describe('createKeyedMutex', () => {
  it('runs sections of one key one at a time, in call order, and other keys alongside', async () => {
    const serialize = createKeyedMutex();
    const events: string[] = [];
    const section = (name: string, steps: number) => async () => {
      events.push(`${name} start`);
      for (let i = 0; i < steps; i++) await tick();
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([serialize('m', section('a', 3)), serialize('m', section('b', 1)), serialize('other', section('c', 1))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events.indexOf('b start')).toBeGreaterThan(events.indexOf('a end'));
    expect(events.indexOf('c start')).toBeLessThan(events.indexOf('a end'));
  });

  it('a failing section passes its error on and does not block the next', async () => {
    const serialize = createKeyedMutex();
    const failing = serialize('m', async () => {
      throw new Error('boom');
    });
    const next = serialize('m', async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
