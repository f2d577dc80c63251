import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, QUIET_PROGRESS } from '../../../src/cli/sweep/progress';

function stream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text: () => string };
  let text = '';
  s.on('data', (chunk: Buffer) => (text += chunk.toString()));
  Object.assign(s, { isTTY, columns: 120, text: () => text });
  return s;
}

describe('sweep progress', () => {
  it('is silent when the stream is not a terminal', () => {
    const s = stream(false);
    expect(createProgress(100, s, 'sweep')).toBe(QUIET_PROGRESS);
    expect(s.text()).toBe('');
  });

  it('draws a bar with counts and an ETA on a terminal, and clears it when done', async () => {
    const s = stream(true);
    const progress = createProgress(100, s, 'sweep');
    progress.update(40);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const drawn = s.text();
    expect(drawn).toContain('sweep [');
    expect(drawn).toMatch(/40\/100 runs/);
    expect(drawn).toMatch(/ETA \d+s/);
    progress.stop();
  });
});
