// Removes a leading mbox "From " line, and nothing else (DESIGN.md guarantee 4).
// Postfix's local(8) and Exim's pipe transport put "From sender date" in front of the message,
// stamped with the current time on every attempt; a maildir file must not contain it (maildir(5):
// "no From_ line"). Only the very first line can be one: every other byte is passed on as is,
// CR, NUL and 8-bit included, across any chunk boundaries.

const FROM_ = Buffer.from('From ', 'latin1');
const LF = 0x0a;
/** How much of a removed line to keep for --dry-run and logs. */
const REMEMBERED_BYTES = 200;

export class FromLineStripper {
  private state: 'deciding' | 'skipping' | 'passing' = 'deciding';
  private pending: Buffer = Buffer.alloc(0);
  private removed: Buffer[] = [];
  private removedLength = 0;
  private sawFromLine = false;

  /** The part of `chunk` that belongs to the message (possibly empty). */
  push(chunk: Buffer): Buffer {
    if (this.state === 'passing') return chunk;
    if (this.state === 'deciding') {
      const head = Buffer.concat([this.pending, chunk]);
      if (head.length < FROM_.length) {
        if (FROM_.subarray(0, head.length).equals(head)) {
          this.pending = head; // could still become "From "
          return Buffer.alloc(0);
        }
        this.state = 'passing';
        return head;
      }
      this.pending = Buffer.alloc(0);
      if (!head.subarray(0, FROM_.length).equals(FROM_)) {
        this.state = 'passing';
        return head;
      }
      this.state = 'skipping';
      this.sawFromLine = true;
      chunk = head;
    }
    const end = chunk.indexOf(LF);
    this.remember(end === -1 ? chunk : chunk.subarray(0, end));
    if (end === -1) return Buffer.alloc(0);
    this.state = 'passing';
    return chunk.subarray(end + 1);
  }

  /** At end of input: bytes held back while deciding ("Fro" is a message, not a From_ line). */
  end(): Buffer {
    const rest = this.state === 'deciding' ? this.pending : Buffer.alloc(0);
    this.pending = Buffer.alloc(0);
    this.state = 'passing';
    return rest;
  }

  /** The removed line (without its line end, cut to 200 bytes), or undefined if none was. */
  get removedLine(): string | undefined {
    if (!this.sawFromLine) return undefined;
    return Buffer.concat(this.removed).toString('latin1').replace(/\r$/, '');
  }

  private remember(part: Buffer): void {
    if (this.removedLength >= REMEMBERED_BYTES) return;
    const kept = part.subarray(0, REMEMBERED_BYTES - this.removedLength);
    this.removed.push(Buffer.from(kept));
    this.removedLength += kept.length;
  }
}
