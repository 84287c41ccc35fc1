/**
 * `npm run bench:phone-attack` — the phone attacker of issue #13 on fully random numbers:
 * `ATTACK_CUSTOMERS` (default 1,000) random valid mainland mobiles, each with its own random 尾号,
 * under a random chain key. For each, the attacker knows what a terminal holds (the 尾号, the
 * 11-bit tag of the keyed hash, the key: test/integration/privacy-phones.test.ts checks that this
 * is all a terminal holds) and counts the valid numbers consistent with it. Prints the figures for
 * docs/privacy.md; a probe, not a test (the test asserts the same on 1,000 hub customers).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { cnMobileHeads, median, referenceTag, tagCounts } from '../support/phone-attack';

const CUSTOMERS = Number(process.env.ATTACK_CUSTOMERS ?? 1_000);

function main(): void {
  const key = randomBytes(32).toString('hex');
  const heads = cnMobileHeads();
  const numbers = new Set<string>();
  while (numbers.size < CUSTOMERS)
    numbers.add(heads[randomInt(heads.length)]! + String(randomInt(10_000)).padStart(4, '0'));
  const byTail = new Map<string, Uint32Array>();
  const candidates: number[] = [];
  let fewestAnyTag = Infinity;
  const started = performance.now();
  let done = 0;
  for (const national of numbers) {
    const last4 = national.slice(-4);
    let counts = byTail.get(last4);
    if (!counts) {
      counts = tagCounts(key, heads, last4);
      byTail.set(last4, counts);
      fewestAnyTag = Math.min(fewestAnyTag, ...counts);
    }
    candidates.push(counts[referenceTag(key, national)]!);
    if (++done % 100 === 0)
      console.error(
        `${done}/${CUSTOMERS} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
  const seconds = (performance.now() - started) / 1000;
  const unique = candidates.filter((n) => n === 1).length;
  console.log(
    `## Phone attack on ${CUSTOMERS.toLocaleString('en')} random numbers (bench:phone-attack)\n`,
  );
  console.log(`| figure | value |\n|---|---|`);
  console.log(`| valid mobile numbers per 尾号 | ${heads.length.toLocaleString('en')} |`);
  console.log(`| customers / distinct 尾号 | ${CUSTOMERS} / ${byTail.size} |`);
  console.log(
    `| HMACs computed | ${(byTail.size * heads.length).toLocaleString('en')} in ${seconds.toFixed(0)} s |`,
  );
  console.log(
    `| candidates per customer: min / median / max | ${Math.min(...candidates)} / ${median(candidates)} / ${Math.max(...candidates)} |`,
  );
  console.log(`| fewest candidates of any tag of any of these 尾号 | ${fewestAnyTag} |`);
  console.log(`| numbers recovered uniquely | ${unique} |`);
}

main();
