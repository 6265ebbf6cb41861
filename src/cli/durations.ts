import { CliError, EXIT } from './exit-codes.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The longest duration a flag takes: 30 days, so every figure stays exact and printable. */
const MAX_DURATION_MS = 30 * 24 * 3_600_000;

/**
 * `90s`, `5m`, `1h`, `500ms`; a bare number is seconds. Positive (or zero with `allowZero`, as
 * Terraform's `-lock-timeout=0s`) and at most 30 days; anything else is a usage error (exit 2).
 */
export function parseDuration(text: string, flag: string, allowZero = false): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match === null ? NaN : Number(match[1]) * UNITS[match[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms < 0 || (ms === 0 && !allowZero) || ms > MAX_DURATION_MS)
    throw new CliError(
      `${flag} must be a ${allowZero ? '' : 'positive '}duration of at most 720h, such as 90s, 5m or 1h, not "${text}"`,
      EXIT.USAGE,
    );
  return Math.round(ms);
}
