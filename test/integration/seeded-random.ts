// One seeded pseudo-random generator for every randomized test (fault rounds, fuzzing, the routing
// oracle, crash torture): the same seed gives the same sequence on every machine, so a failure
// found with FAULTS_SEED or ROUTING_SEED replays exactly.

/** mulberry32: a small, fast PRNG with a 32-bit state. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
