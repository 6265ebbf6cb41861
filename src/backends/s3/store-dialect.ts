import type { Condition } from '../../vfs/driver.js';
import type { Capabilities } from '../../vfs/types.js';
import { dialectCapabilities, dialectLimit, ifMatchField, S3_DIALECTS, type S3Dialect } from './dialect.js';

/**
 * One store's dialect: given at open, or probed the first time a conditional request needs it
 * (dialect-probe.ts: about 18 requests, once per endpoint and bucket in the process). Reads,
 * listings and unconditional writes never probe: a read's `If-Match` is left out while the
 * dialect is unknown (the answer's ETag is compared all the same: objects.ts checkVersion), and an
 * unconditional request carries no condition whose form would depend on it. Until it is known,
 * the capabilities are those every S3 server has (`none`'s): the portable layer asks
 * {@link StoreDialect.load} before any conditional write, copy or delete.
 */
export class StoreDialect {
  private known: S3Dialect | undefined;
  private pending: Promise<S3Dialect> | undefined;
  private current: Capabilities;
  private readonly probe: (() => Promise<S3Dialect>) | undefined;

  constructor(given: S3Dialect | (() => Promise<S3Dialect>)) {
    if (typeof given === 'function') {
      this.probe = given;
      this.current = dialectCapabilities(S3_DIALECTS.none);
    } else {
      this.probe = undefined;
      this.known = given;
      this.current = dialectCapabilities(given);
    }
  }

  /** What the store enforces: final once the dialect is known. */
  get capabilities(): Capabilities {
    return this.current;
  }

  /** The dialect, probed when not known yet (a failed probe is asked again next time). */
  async load(): Promise<S3Dialect> {
    if (this.known !== undefined) return this.known;
    this.pending ??= this.probe!().finally(() => (this.pending = undefined));
    const dialect = await this.pending;
    this.known = dialect;
    this.current = dialectCapabilities(dialect);
    return dialect;
  }

  /**
   * The dialect for a write carrying `condition`: loaded when the condition needs it; for an
   * unconditional one, what is known (`none` before: no condition is read from it).
   */
  async forWrite(condition: Condition): Promise<S3Dialect> {
    if (condition.kind !== 'none') return this.load();
    return this.known ?? S3_DIALECTS.none;
  }

  /** The `If-Match` of a read: in the known dialect's form, none while it is unknown (see the class doc). */
  readPin(condition: Condition): { IfMatch?: string } {
    return this.known === undefined ? {} : ifMatchField(this.known, condition);
  }

  /** The dialect if known, for pins that may go without (readRest). */
  get ifKnown(): S3Dialect | undefined {
    return this.known;
  }

  /** Why a capability is false (the portable layer asks after loading). */
  explain(capability: 'ifMatch' | 'ifNoneMatch' | 'deleteIfMatch'): string {
    return dialectLimit(this.known ?? S3_DIALECTS.none, capability);
  }
}
