// A stand-in for peers/torch_cell.py in the protocol tests: `node fake-peer.fixture.mjs <mode>`.
// ok: answers every request with {"ms": 1, 2, 3, ...} (its count of requests) and {"seen": [...]}
// to {"workload": "seen"}; garbage: answers a line that is not JSON; die: exits on the first request;
// not-ready: its first line is not the ready line; error: answers every request with an error.
import { createInterface } from 'node:readline';

const mode = process.argv[2] ?? 'ok';
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
say(mode === 'not-ready' ? { hello: 'world' } : { ready: true, torch: 'fake', python: '0.0', threads: 1, blas: 'none' });
const seen = [];
createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  if (mode === 'garbage') return process.stdout.write('this is not the protocol\n');
  if (mode === 'die') {
    process.stderr.write('boom: the fake peer died\n');
    process.exit(3);
  }
  if (mode === 'error') return say({ error: 'ValueError: bad n' });
  if (req.workload === 'seen') return say({ seen });
  seen.push(req.workload);
  return say({ ms: seen.length });
});
