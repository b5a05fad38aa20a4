// Duplicate-detection benchmark (issue 5). Run: npx tsx bench/dedup.ts
//   [--file PATH.csv]   evaluate one file in registry_es.csv's layout with the default model
//   [--people N]        size of the generated registry of the scale test (default 1,000,000)
//   [--no-scale]        labelled files only
//   [--scale-only]      the scale test only
//   [--threads N]       threads of the batch scan (default: every core)
// Figures go to stdout, progress to stderr.
import { join } from 'node:path';
import {
  checkEnrolment,
  createDedupIndex,
  findDuplicatePairsInParallel,
  trainModel,
} from '../src/dedup/index';
import type { MatchOptions, MatchRecord } from '../src/dedup/index';
import {
  dedupDataDir,
  loadFake1000,
  loadFebrl,
  loadRegistryLayout,
  seededRandom,
} from './dedup-data';
import type { LabelledSet } from './dedup-data';
import { evaluate } from './dedup-eval';
import type { Evaluation } from './dedup-eval';
import { duplicateOf, generateRegistry, newPerson, vocabularyOf } from './dedup-scale';
import { isTrainingPerson } from './dedup-split';

const peopleDefault = 1_000_000;
const duplicateShare = 0.03;
const enrolmentChecks = 2_000;
const now = (): number => performance.now();

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function show(label: string, e: Evaluation): void {
  console.log(
    `${label.padEnd(44)} records ${e.records}  pairs compared ${e.pairsCompared}  true pairs ${e.truePairs}\n` +
      `${''.padEnd(44)} precision ${e.precision}  recall ${e.recall}  F1 ${e.f1}  ` +
      `same_person precision ${e.autoPrecision} (recall ${e.autoRecall})  blocking missed ${(e.blockingMissRate * 100).toFixed(2)}%  ` +
      `${e.recordsPerSecond} records/s\n` +
      `${''.padEnd(44)} blocks split ${e.blocksSplit}, left out ${e.blocksDropped}; records left with no candidate block ${e.recordsWithoutBlock}`,
  );
}

function subset(set: LabelledSet, keep: (person: string) => boolean, name: string): LabelledSet {
  return {
    name,
    records: set.records.filter((r) => keep(set.personOf.get(r.id) ?? r.id)),
    personOf: set.personOf,
  };
}

function labelledFiles(): void {
  const registry = loadRegistryLayout(join(dedupDataDir, 'registry_es.csv'));
  console.log(
    '# Labelled files (default thresholds; pairwise decisions; "positive" = same_person or possible_duplicate)',
  );
  show('registry_es.csv, default model', evaluate(registry, {}, now));
  show(
    'registry_es.csv held-out half, default model',
    evaluate(
      subset(registry, (p) => !isTrainingPerson(p), 'held-out'),
      {},
      now,
    ),
  );
  // What `tessera dedup train` would estimate on this registry, without its labels.
  const selfTrained = trainModel(registry.records, {
    random: seededRandom(1),
    trainedOn: 'EM on registry_es.csv, unlabelled',
  });
  show(
    'registry_es.csv, EM on its own unlabelled pairs',
    evaluate(registry, { model: selfTrained } satisfies MatchOptions, now),
  );
  // febrl4's two files describe the same 5,000 people once each: as one registry, each
  // person's two records are its only true pair.
  const febrl4a = loadFebrl(join(dedupDataDir, 'febrl4a.csv'));
  const febrl4b = loadFebrl(join(dedupDataDir, 'febrl4b.csv'));
  const febrl4: LabelledSet = {
    name: 'febrl4a.csv + febrl4b.csv',
    records: [...febrl4a.records, ...febrl4b.records],
    personOf: new Map([...febrl4a.personOf, ...febrl4b.personOf]),
  };
  for (const [file, set] of [
    ['febrl3.csv', loadFebrl(join(dedupDataDir, 'febrl3.csv'))],
    ['fake_1000.csv', loadFake1000(join(dedupDataDir, 'fake_1000.csv'))],
    ['febrl4a.csv + febrl4b.csv', febrl4],
  ] as const) {
    // These files are English-language and carry fields (address, e-mail) the registry
    // lacks, so as Splink does they get a model trained by EM on their own unlabelled pairs.
    const model = trainModel(set.records, {
      random: seededRandom(1),
      trainedOn: `EM on ${file}, unlabelled`,
    });
    show(
      `${file}, EM on its own unlabelled pairs`,
      evaluate(set, { model } satisfies MatchOptions, now),
    );
    show(`${file}, default model`, evaluate(set, {}, now));
  }
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function scaleTest(people: number, threads: number | undefined): Promise<void> {
  const vocabulary = vocabularyOf(
    loadRegistryLayout(join(dedupDataDir, 'registry_es.csv')).records,
  );
  const records: MatchRecord[] = [
    ...generateRegistry(people, duplicateShare, vocabulary, seededRandom(7)),
  ];
  console.log(
    `# Scale test: ${records.length} records of ${people} people, ${duplicateShare * 100}% enrolled twice`,
  );
  let peakRss = process.memoryUsage().rss;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const started = now();
  const counts = { same_person: 0, possible_duplicate: 0, truePositives: 0 };
  const onProgress = (done: number): void => {
    sample();
    process.stderr.write(
      `  batch ${done}/${records.length} ${((now() - started) / 1000).toFixed(1)} s\n`,
    );
  };
  const pairs = await findDuplicatePairsInParallel(records, {
    explain: false,
    onProgress,
    ...(threads === undefined ? {} : { threads }),
  });
  for (const pair of pairs) {
    counts[pair.outcome === 'same_person' ? 'same_person' : 'possible_duplicate']++;
    if (pair.leftId === `${pair.rightId}d`) counts.truePositives++;
  }
  sample();
  const seconds = (now() - started) / 1000;
  const flagged = counts.same_person + counts.possible_duplicate;
  const planted = records.length - people;
  console.log(
    `batch (${threads ?? 'all'} threads): ${seconds.toFixed(1)} s, ${Math.round(records.length / seconds)} records/s; flagged ${flagged} pairs ` +
      `(${counts.same_person} same_person), planted duplicates found ${counts.truePositives}/${planted}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );

  const buildStarted = now();
  const index = createDedupIndex();
  for (const [i, r] of records.entries()) {
    index.add(r);
    if ((i + 1) % 250_000 === 0) process.stderr.write(`  index ${i + 1}/${records.length}\n`);
  }
  sample();
  console.log(
    `index build: ${((now() - buildStarted) / 1000).toFixed(1)} s for ${index.size} records; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  const random = seededRandom(11);
  const times: number[] = [];
  let found = 0;
  for (let k = 0; k < enrolmentChecks; k++) {
    // Half are people already registered (with errors), half are new.
    const existing = records[Math.floor(random() * records.length)];
    const isRepeat = k % 2 === 0 && existing !== undefined;
    const probe = isRepeat
      ? duplicateOf(existing, `probe${k}`, random)
      : newPerson(`probe${k}`, vocabulary, random);
    const t = now();
    const result = checkEnrolment(index, probe);
    times.push(now() - t);
    if (isRepeat && result.outcome !== 'distinct') found++;
  }
  times.sort((a, b) => a - b);
  console.log(
    `enrolment check against ${index.size}: median ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, ` +
      `max ${percentile(times, 1).toFixed(2)} ms; repeats flagged ${found}/${enrolmentChecks / 2}`,
  );
}

async function main(): Promise<void> {
  const file = argValue('--file');
  if (file !== undefined) {
    const started = now();
    const e = evaluate(loadRegistryLayout(file), {}, now);
    const seconds = Math.round((now() - started) / 100) / 10;
    // resourceUsage().maxRSS is the process's peak resident set, in KiB.
    const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    show(file, e);
    console.log(`${file}: ${seconds} s with loading, peak RSS ${peakRssMiB} MiB`);
    console.log(JSON.stringify({ ...e, seconds, peakRssMiB }));
    return;
  }
  if (!process.argv.includes('--scale-only')) labelledFiles();
  if (process.argv.includes('--no-scale')) return;
  const threads = argValue('--threads');
  await scaleTest(
    Number(argValue('--people') ?? peopleDefault),
    threads === undefined ? undefined : Number(threads),
  );
}

await main();
