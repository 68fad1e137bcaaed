/** A small seeded PRNG (mulberry32): the same seed gives the same fleet and the same faults. */
export class Random {
  private state: number;

  constructor(seed: number | string = 1) {
    this.state = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Lower-case base32-ish characters, like the unique part of an OCID. */
  token(length: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

function hashSeed(seed: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

/** OCIDs as OCI writes them: tenancy and compartments carry no region, regional resources do. */
export function ocid(random: Random, kind: string, regionKey = ''): string {
  return `ocid1.${kind}.oc1.${regionKey}.aaaaaaaa${random.token(52)}`;
}
