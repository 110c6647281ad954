/**
 * A small deterministic PRNG (mulberry32): every random choice of the crash explorer comes from one, so a
 * seed reproduces a run exactly.
 */
export type Random = () => number;

export function prng(seed: number): Random {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return (r ^ (r >>> 14)) >>> 0;
  };
}

/** An integer in `[0, bound)`. */
export function below(random: Random, bound: number): number {
  return bound <= 1 ? 0 : random() % bound;
}

/** A seed derived from `seed` and a label, so independent streams do not share choices. */
export function deriveSeed(seed: number, label: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
