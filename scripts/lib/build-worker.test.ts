import { describe, expect, it } from 'vitest';
import { hideSourceMapMarker } from './build-worker.mjs';

describe('hideSourceMapMarker', () => {
  it('keeps what string, template and regex literals evaluate to while removing the marker', () => {
    const code = "[`//# sourceMappingURL=${u}`, '//# sourceMappingURL=x', /sourceMappingURL=(.*)/.exec('sourceMappingURL=y')[1]]";
    const hidden = hideSourceMapMarker(code);
    expect(hidden).not.toContain('sourceMappingURL=');
    const run = (src: string) => new Function('u', `return ${src}`)('a.map');
    expect(run(hidden)).toEqual(run(code));
    expect(run(hidden)).toEqual(['//# sourceMappingURL=a.map', '//# sourceMappingURL=x', 'y']);
  });
});
