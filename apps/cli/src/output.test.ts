import { describe, expect, test } from 'vitest';

import { createOutput } from './output.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 100, write: (t: string) => chunks.push(t) }, text: () => chunks.join('') };
}

describe('createOutput', () => {
  test('a terminal gets one redrawn bar line with rate and ETA, then a final line', () => {
    const s = sink(true);
    const out = createOutput({ stream: s.stream });
    expect(out.mode).toBe('tty');
    const bar = out.bar('meta-training', 4, 'it');
    bar.update(1, 'loss 1', true);
    bar.update(2, 'loss 0.5', true);
    bar.finish('done');
    const text = s.text().replaceAll('\u001b', '<ESC>');
    expect(text).toMatch(/\r<ESC>\[2Kmeta-training {2}\[#+\.+\] {2}1\/4 it {2}.*ETA \d+:\d\d {2}loss 1/);
    expect(text).toMatch(/\r<ESC>\[2Kmeta-training {2}\[#{15}\.{15}\] {2}2\/4 it {2}in 0:00 {2}done\n$/);
    expect(text.split('\n')).toHaveLength(2);
  });

  test('a pipe gets plain lines, and info lines', () => {
    const s = sink(false);
    const out = createOutput({ stream: s.stream });
    expect(out.mode).toBe('plain');
    out.info('hello');
    const bar = out.bar('evaluating', 2, 'runs');
    bar.update(1, 'adam', true);
    bar.finish();
    expect(s.text()).toMatch(/^hello\nevaluating {2}1\/2 runs {2}.*adam\nevaluating {2}1\/2 runs {2}in 0:00\n$/);
    expect(s.text()).not.toContain('\u001b');
  });

  test('--json writes only events, one JSON object per line, non-finite numbers as null', () => {
    const s = sink(true);
    const out = createOutput({ json: true, stream: s.stream });
    out.info('not shown');
    out.bar('x', 2, 'it').update(1, 'y', true);
    out.event('progress', { iteration: 1, loss: Number.NaN });
    expect(s.text()).toBe('{"event":"progress","iteration":1,"loss":null}\n');
  });
});
