/** The longest a Node timer can wait: 2^31-1 ms; a longer delay fires at once with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
