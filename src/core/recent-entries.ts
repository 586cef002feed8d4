/**
 * What a hot path remembers between requests: at most `limit` entries, each for at most
 * `maxAgeMs`. When full, the entry set longest ago is forgotten first (a Map iterates in
 * insertion order), so memory stays bounded whatever the traffic.
 */
export class RecentEntries<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly maxAgeMs = Infinity,
  ) {}

  /** The value set for `key`, unless it is older than `maxAgeMs` (then it is forgotten). */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: Date.now() + this.maxAgeMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
