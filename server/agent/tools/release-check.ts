import { z } from 'zod';
import { config } from '../../config.ts';
import { describeReport, releaseDirSchema, runReleaseCheck } from '../../release/check.ts';
import { releaseCheckedEvent } from '../../release/record.ts';
import { defineTool } from './tool.ts';

export const releaseCheck = defineTool({
  name: 'release_check',
  description: 'Check what a release of this package would ship before publishing: runs `npm pack --dry-run` (lifecycle scripts are not run, so build first) or inspects a named build folder, and reports source maps and sourceMappingURL references, private keys and token-shaped secrets, internal host names, and files outside the allowlist ("files" in package.json or .tether/release-allow). Run it before any publish; the person approving a publish sees its latest result.',
  effect: 'read',
  input: z.object({
    dir: releaseDirSchema.describe('A build folder to inspect instead of what npm pack would publish, relative to the workspace root (e.g. dist)'),
  }),
  async run(ctx, input) {
    const report = await runReleaseCheck({ exec: (command, options) => ctx.workspace.exec(command, options) }, {
      dir: input.dir, internalHosts: config().TETHER_RELEASE_INTERNAL_HOSTS, signal: ctx.signal,
    });
    await ctx.record?.(releaseCheckedEvent(input.dir, report));
    const detail = { problemCount: report.problems.length, fileCount: report.fileCount, source: report.source };
    return { ok: true, output: describeReport(report), detail };
  },
});
