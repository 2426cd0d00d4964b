/**
 * Users, API keys and RFID profiles page by keyset (limit + cursor → items + nextCursor) on both databases:
 * walking the pages yields every item once, in the unpaged order, even when an item is added mid-walk;
 * without parameters the first page (up to 100) comes, as before paging existed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, startAuthGateway } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';

interface Item {
  id: string;
  name: string;
}

describe.each(BOTH_DATABASES)('paged lists on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  const admin = () => ({ 'x-api-key': gw.adminKey });

  beforeAll(async () => {
    target = await makeTarget('list_paging');
    gw = await startAuthGateway({ store: 'memory', databaseUrl: target.url, env: { RECORDER_ENABLED: 'false' } });
    // Names out of alphabetical order, two of them equal for profiles (ties are broken by id).
    const owners: string[] = [];
    for (const name of ['erin', 'carol', 'alice', 'dave', 'bob']) owners.push((await addUser(gw, name, 'user', ['3'])).id);
    for (const name of ['k5', 'k1', 'k4', 'k2', 'k3'])
      await gw.http
        .post('/api/v1/keys')
        .set(admin())
        .send({ name, scopes: ['read'] })
        .expect(201);
    for (const [i, name] of ['tags b', 'tags a', 'tags b', 'tags c'].entries())
      await gw.http
        .post('/api/v1/profiles')
        .set(admin())
        .send({ name, userId: owners[i], tags: [`PAGING${i}`] })
        .expect(201);
  });
  afterAll(async () => {
    await gw?.close();
    await target?.dispose();
  });

  async function walk(path: string, limit: number, midWalk?: () => Promise<unknown>): Promise<{ pages: Item[][] }> {
    const pages: Item[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: { items: Item[]; nextCursor: string | null } } = await gw.http
        .get(`${path}${path.includes('?') ? '&' : '?'}${query}`)
        .set(admin())
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      pages.push(page.body.items);
      cursor = page.body.nextCursor;
      if (pages.length === 1) await midWalk?.();
    } while (cursor && pages.length < 50);
    return { pages };
  }

  it.each([
    ['/api/v1/users', 2],
    ['/api/v1/keys?owner=all', 2],
    ['/api/v1/profiles', 3],
  ])('%s: the pages (limit %i) together are the unpaged list, in its order', async (path, limit) => {
    const all = await gw.http.get(path).set(admin()).expect(200);
    expect(all.body.nextCursor).toBeNull();
    const { pages } = await walk(path, limit);
    expect(pages.length).toBe(Math.ceil(all.body.items.length / limit));
    expect(pages.flat().map((i) => i.id)).toEqual(all.body.items.map((i: Item) => i.id));
  });

  it('orders users by name and keeps a walk consistent when a user is added behind the cursor', async () => {
    const { pages } = await walk('/api/v1/users', 2, () => addUser(gw, 'aaron', 'user', ['3']));
    const names = pages.flat().map((u) => u.name);
    // `aaron` sorts before the first page's last name: the walk neither repeats nor skips anyone else.
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'dave', 'erin']));
  });

  it('refuses a cursor that is not one of the same list with 400', async () => {
    const users = await gw.http.get('/api/v1/users?limit=1').set(admin()).expect(200);
    const cursor = users.body.nextCursor as string;
    await gw.http.get(`/api/v1/keys?cursor=${cursor}`).set(admin()).expect(400);
    await gw.http.get('/api/v1/profiles?cursor=bm90LWEtY3Vyc29y').set(admin()).expect(400);
    await gw.http.get('/api/v1/users?limit=0').set(admin()).expect(400);
    await gw.http.get('/api/v1/users?limit=501').set(admin()).expect(400);
  });
});
