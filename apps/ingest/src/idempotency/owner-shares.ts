/**
 * The bytes each owner's answered slots hold in the idempotency cache, oldest slot first. The
 * cache is shared and evicts its least recently used slots: without a share, one organisation
 * storing large answers would evict every other organisation's keys, and their retries would
 * write again. An owner past its share evicts its own oldest slots instead.
 */
export class OwnerShares {
  private readonly owners = new Map<string, { bytes: number; slots: Map<string, number> }>();

  constructor(private readonly maxBytesPerOwner: number) {}

  /** Records `slot` of `owner`; answers the owner's oldest slots to evict so it keeps within its share. */
  add(owner: string, slot: string, bytes: number): string[] {
    const share = this.owners.get(owner) ?? { bytes: 0, slots: new Map<string, number>() };
    this.owners.set(owner, share);
    share.bytes += bytes - (share.slots.get(slot) ?? 0);
    share.slots.delete(slot);
    share.slots.set(slot, bytes);
    const evicted: string[] = [];
    for (const [oldest, size] of share.slots) {
      if (share.bytes <= this.maxBytesPerOwner || oldest === slot) break;
      share.slots.delete(oldest);
      share.bytes -= size;
      evicted.push(oldest);
    }
    return evicted;
  }

  /** Forgets `slot` (evicted or expired from the cache); nothing when it is not recorded. */
  remove(owner: string, slot: string): void {
    const share = this.owners.get(owner);
    const size = share?.slots.get(slot);
    if (!share || size === undefined) return;
    share.slots.delete(slot);
    share.bytes -= size;
    if (share.slots.size === 0) this.owners.delete(owner);
  }

  bytesOf(owner: string): number {
    return this.owners.get(owner)?.bytes ?? 0;
  }
}
