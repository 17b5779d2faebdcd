// The demo town `npm start` seeds and the child its banner shows, in one place, so the banner
// and the README's walkthrough name the same child on every day (scripts/demo-child.spec.ts
// checks the README against it). CommonJS so both start.mjs and the TypeScript tests import it.

/** A fixed seed and reference date: the same synthetic town whatever day it is seeded. */
const DEMO_SEED = { people: 2000, seed: 42, asOf: '2026-09-01' };

/**
 * The child the walkthrough uses: the first demo subject known to all four agencies whose record
 * carries identifiers (so the README can show matching by name and by NHS number alike).
 */
function demoChild(subjects) {
  return (
    subjects.find((s) => s.knownTo.length === 4 && s.subject.identifiers) ??
    subjects.find((s) => s.knownTo.length === 4) ??
    subjects[0]
  );
}

/**
 * The household the walkthrough refers: the step family the seed appends last (a child, a
 * sibling, the mother, her partner the police hold, the grandmother).
 */
function demoHousehold(subjects) {
  return [...subjects]
    .reverse()
    .find((s) =>
      (s.household ?? []).some(
        (m) => m.relationship === 'partner-of-parent' && m.knownTo.includes('police'),
      ),
    );
}

module.exports = { DEMO_SEED, demoChild, demoHousehold };
