import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order vitest's workers take the test files in (vitest.config.ts, `sequence.sequencer`).
 *
 * vitest's own order runs the projects of one `groupOrder` one after another, by name: in the
 * group of `faults` and `e2e` (three files at a time, either project), every e2e file came before
 * the fault suites, so the longest files of the group (the fault suites, 40–60 s each against
 * 5–20 s for most e2e files) started last and ran on after the rest had finished, workers idle
 * (the group took 244 s for 384 s of files on three workers).
 *
 * Here the files of the INTERLEAVED projects take the places vitest gave them as one list, the
 * longest first whichever project they are in: a file's duration from vitest's results cache (the
 * last run's), else its project's rank in INTERLEAVED (a machine without the cache, as a fresh CI
 * checkout: the fault suites first), files without a known duration first, as in vitest's order.
 * Every other file keeps vitest's order (the `unit` group's projects stay one after another:
 * `unit-dom` and `unit-shared` share their workers' module graphs file after file).
 */
const INTERLEAVED = ['faults', 'e2e'];

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification): [number, number] => {
      const path = spec.moduleId.startsWith(`${root}/`)
        ? spec.moduleId.slice(root.length + 1)
        : spec.moduleId;
      const duration = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration;
      // unknown first (in the listed projects' order), then the longer first
      return duration === undefined ? [0, INTERLEAVED.indexOf(spec.project.name)] : [1, -duration];
    };
    const places: number[] = [];
    const interleaved: { spec: TestSpecification; weight: [number, number] }[] = [];
    sorted.forEach((spec, i) => {
      if (!INTERLEAVED.includes(spec.project.name)) return;
      places.push(i);
      interleaved.push({ spec, weight: weight(spec) });
    });
    interleaved.sort((a, b) => a.weight[0] - b.weight[0] || a.weight[1] - b.weight[1]);
    places.forEach((place, i) => (sorted[place] = interleaved[i]!.spec));
    return sorted;
  }
}
