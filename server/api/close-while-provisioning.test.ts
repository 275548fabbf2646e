// A server closed while a session it just created is still being provisioned waits for it: the
// disk image is neither unmounted from under the copy nor left mounted, and nothing is left behind.
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { setupAdminAndMember, startTestApp } from '../../test/support/app.ts';

it('closing the server right after creating sessions waits for their provisioning, then removes everything', async () => {
  const app = await startTestApp('sqlite');
  const { member } = await setupAdminAndMember(app);
  const created = await Promise.all([0, 1, 2, 3].map((i) => member.mutate('sessions.create', { title: `racing ${i}`, source: { kind: 'template', template: 'node-ts' } })));
  expect(created.map((c) => c.error)).toEqual([null, null, null, null]);
  const dataDir = app.services.config.dataDir;
  await expect(app.close()).resolves.toBeUndefined();
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dataDir);
  expect(existsSync(dataDir)).toBe(false);
});
