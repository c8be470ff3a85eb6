// A function's timeout, derived from the integration in front of it. Free of the Pulumi SDK:
// the config checks it before anything is created.

/**
 * How far below the integration's timeout the function stops: at least one whole second.
 * Lambda counts timeouts in whole seconds; a function that outlived its integration would keep
 * running (and billing, and acting) after API Gateway has already answered the caller 504.
 * Stopping first, the caller gets API Gateway's 502 for the failed invocation, and the
 * function's log says `Task timed out`.
 */
export const TIMEOUT_MARGIN_MS = 1_000;

/** The smallest integration timeout a function fits under: one second of run time plus the margin. */
export const MIN_INTEGRATION_TIMEOUT_MS = 1_000 + TIMEOUT_MARGIN_MS;

/**
 * The function's timeout in whole seconds for an integration timeout in milliseconds: the
 * largest whole second at least TIMEOUT_MARGIN_MS below it (10000 ms gives 9 s, 29000 ms 28 s,
 * 2500 ms 1 s). Throws when no whole second fits.
 */
export function functionTimeoutSeconds(integrationTimeoutMs: number): number {
    const seconds = Math.floor((integrationTimeoutMs - TIMEOUT_MARGIN_MS) / 1000);
    if (!Number.isFinite(seconds) || seconds < 1) {
        throw new Error(
            `An integration timeout of ${integrationTimeoutMs} ms leaves a Lambda function no whole second below it; it needs at least ${MIN_INTEGRATION_TIMEOUT_MS} ms`,
        );
    }
    return seconds;
}
