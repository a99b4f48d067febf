import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { folderOnce } from '../../src/data/once';
import { DataRoot } from '../../src/data/paths';

describe('folderOnce', () => {
  let base: string;
  let root: DataRoot;
  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'folder-once-test-'));
    root = await DataRoot.open(path.join(base, 'root'));
  });
  afterEach(() => fs.rm(base, { recursive: true, force: true }));

  it("keeps a marker the fill writes itself (prepared data's meta.json) and adds none", async () => {
    const fill = jest.fn(async (tmp: string) => {
      await fs.writeFile(path.join(tmp, 'x.f32'), 'data');
      await fs.writeFile(path.join(tmp, 'meta.json'), '{}');
    });
    const first = await folderOnce(root, 'prepared/p/abc', fill, 'meta.json');
    expect(first.built).toBe(true);
    expect((await fs.readdir(first.dir)).sort()).toEqual(['meta.json', 'x.f32']);
    const second = await folderOnce(root, 'prepared/p/abc', fill, 'meta.json');
    expect(second).toEqual({ dir: first.dir, built: false });
    expect(fill).toHaveBeenCalledTimes(1);
  });

  it('lets concurrent builders share the first finished folder and leaves no temporary folders', async () => {
    const fill = (text: string) => async (tmp: string) => void (await fs.writeFile(path.join(tmp, 'data.txt'), text));
    const results = await Promise.all(['a', 'b', 'c'].map((t) => folderOnce(root, 'raw/set', fill(t))));
    expect(new Set(results.map((r) => r.dir)).size).toBe(1);
    expect(await fs.readdir(path.join(base, 'root', 'raw'))).toEqual(['set']);
    expect((await fs.readdir(results[0].dir)).sort()).toEqual(['.complete', 'data.txt']);
  });

  it('leaves nothing behind when the fill fails, so the next attempt builds again', async () => {
    await expect(folderOnce(root, 'raw/set', async () => Promise.reject(new Error('generator failed')))).rejects.toThrow('generator failed');
    expect(await fs.readdir(path.join(base, 'root', 'raw'))).toEqual([]);
    expect((await folderOnce(root, 'raw/set', async () => undefined)).built).toBe(true);
  });
});
