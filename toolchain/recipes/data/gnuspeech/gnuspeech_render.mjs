// Renders a batch of texts with GnuSpeech in one node process (start-up and loading the dictionary cost more
// than a word). Used by toolchain/recipes/data/gnuspeech_voice.py, which chooses every number.
//   node gnuspeech_render.mjs <package dir> <output dir>   < jobs.json
// jobs.json: [{"text": "yes", "voice": "male", "params": {"vocal_tract_length": 16.2, ...},
//              "control": {"tempo": 1.1, ...}, "seed": 123}, ...]
// Writes <output dir>/<i>.wav, one per job, as GnuSpeech makes it (16-bit mono at trm.txt's output_rate).
// GnuSpeech draws its intonation's randomness from the WASI entropy call (std::random_device); it is fed
// here from a generator seeded by each job's seed, so the same job gives the same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [packageDir, outDir] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(0, 'utf8'));

let state = 0;
function seededFill(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    // splitmix32: small, fast and well mixed, enough to seed the synthesizer's own generator
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    bytes[i] = (z ^ (z >>> 16)) & 0xff;
  }
  return view;
}
// the whole global: node 18 has no globalThis.crypto, and the WASM glue would then take node's own random bytes
Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues: seededFill }, configurable: true, writable: true });

const { default: init } = await import(pathToFileURL(join(packageDir, 'wasm', 'gnuspeech.js')).href);
const m = await init({ print: (s) => process.stderr.write(s + '\n'), printErr: (s) => process.stderr.write(s + '\n') });
const dataDir = '/data/en';
const controlModel = m.FS.readFile(`${dataDir}/trm_control_model.txt`, { encoding: 'utf8' });

// "key = value" lines of a GnuSpeech settings file, with the named keys given new values
function withValues(text, values) {
  const seen = new Set();
  const out = text.split('\n').map((line) => {
    const key = line.split('=')[0].trim();
    if (line.trimStart().startsWith('#') || !(key in values)) return line;
    seen.add(key);
    return `${key} = ${values[key]}`;
  });
  const missing = Object.keys(values).filter((k) => !seen.has(k));
  if (missing.length) throw new Error(`GnuSpeech has no setting ${missing.join(', ')}`);
  return out.join('\n');
}

function cString(s) {
  const bytes = Buffer.from(s + '\0', 'utf8');
  const p = m._malloc(bytes.length);
  m.HEAPU8.set(bytes, p);
  return p;
}

const args = ['./out.wav', dataDir, './out-params.txt'].map(cString);
try {
  jobs.forEach(render);
} catch (e) {
  // one line for the caller to show, not node's stack trace
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
}

function render(job, i) {
  const base = m.FS.readFile(`${dataDir}/voice_${job.voice}.txt`, { encoding: 'utf8' });
  m.FS.writeFile(`${dataDir}/voice_render.txt`, withValues(base, job.params || {}));
  m.FS.writeFile(`${dataDir}/trm_control_model.txt`,
    withValues(controlModel, { ...(job.control || {}), voice_name: 'render' }));
  state = job.seed >>> 0;
  const text = cString(job.text);
  m._GnuSpeech_synthesizeToFile(text, args[0], args[1], args[2], 0);
  m._free(text);
  writeFileSync(join(outDir, `${i}.wav`), m.FS.readFile('./out.wav'));
}
