/**
 * When the API Gateway client certificate expires, for the warnings of `npm run deploy` and
 * `npm run preview` and the line `npm run plan` prints.
 *
 * - A generated client certificate lasts 365 days (AWS, "Generate and configure an SSL
 *   certificate for backend authentication", section "Rotate an expiring client certificate":
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/getting-started-client-side-ssl-authentication.html;
 *   GenerateClientCertificate returns `createdDate` and `expirationDate`,
 *   https://docs.aws.amazon.com/apigateway/latest/api/API_GenerateClientCertificate.html).
 *   After that the stage presents an expired certificate and httpd rejects every request.
 * - The provider writes `expiration_date` with Go's `time.Time.String()`
 *   (terraform-provider-aws internal/service/apigateway/client_certificate.go, the read function:
 *   `d.Set("expiration_date", out.ExpirationDate.String())`), so the output reads
 *   `2027-12-01 00:00:00 +0000 UTC`, which `Date.parse` does not accept; RFC 3339 is read too.
 */

export const CLIENT_CERTIFICATE_LIFETIME_DAYS = 365;
/** Warn this many days ahead: time to run the rotation, with a margin for a failed one. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const GO_TIME_STRING = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2})(\d{2})(?: \S+)?$/;

/** An expiry as the provider writes it (Go's time format) or as RFC 3339; undefined when neither. */
export function parseExpiration(value: unknown): Date | undefined {
    if (typeof value !== "string") {
        return undefined;
    }
    const go = GO_TIME_STRING.exec(value.trim());
    const iso = go ? `${go[1]}T${go[2]}${go[3]}:${go[4]}` : value.trim();
    if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) {
        return undefined;
    }
    const time = Date.parse(iso);
    return Number.isNaN(time) ? undefined : new Date(time);
}

/** `2027-12-01` (UTC). */
export function dayOf(date: Date): string {
    return date.toISOString().slice(0, 10);
}

/** When a certificate generated at `created` expires. */
export function expiryOfNewCertificate(created: Date): Date {
    return new Date(created.getTime() + CLIENT_CERTIFICATE_LIFETIME_DAYS * DAY_MS);
}

/**
 * The warning for an origin stack whose client certificate expires within EXPIRY_WARNING_DAYS
 * of `now` (or already has), naming the rotate command; undefined when there is time, or when
 * the stack exports no date (not deployed yet).
 */
export function clientCertificateExpiryWarning(outputs: Readonly<Record<string, unknown>>, stack: string, env: string, now: Date): string | undefined {
    const raw = outputs.clientCertificateExpiration;
    if (raw === undefined) {
        return undefined;
    }
    const expiry = parseExpiration(raw);
    const rotate = `npm run rotate-client-certificate -- ${env}`;
    if (expiry === undefined) {
        return `stack ${stack} exports clientCertificateExpiration ${JSON.stringify(raw)}, which is not a date; check it (aws apigateway get-client-certificate) and rotate in time with ${rotate}`;
    }
    const daysLeft = Math.floor((expiry.getTime() - now.getTime()) / DAY_MS);
    if (expiry.getTime() <= now.getTime()) {
        return `the API Gateway client certificate of ${stack} expired on ${dayOf(expiry)}: httpd rejects every request the gateway forwards; run ${rotate} now`;
    }
    if (daysLeft < EXPIRY_WARNING_DAYS) {
        return `the API Gateway client certificate of ${stack} expires on ${dayOf(expiry)}, in ${daysLeft} day(s); after that httpd rejects every request. Run ${rotate} before then`;
    }
    return undefined;
}
