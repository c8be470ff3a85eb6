import { expect } from "chai";
import { PulumiCli } from "../tools/cli-env";
import { EXPIRY_WARNING_DAYS, clientCertificateExpiryWarning, parseExpiration } from "../tools/certificate-expiry";
import { OrchestrateDeps, StackOps, StackOutputs, orchestrate } from "../tools/orchestrate";

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-12-05T09:00:00Z");
const FAKE_CLI: PulumiCli = { command: "pulumi", version: "v3.999.0" };

/** As terraform-provider-aws writes expiration_date: Go's time.Time.String(). */
function goTimeString(date: Date): string {
    return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)} +0000 UTC`;
}

/** `npm run deploy|preview` over fake stacks whose origin exports the given expiry. */
async function run(operation: "deploy" | "preview", originOutputs: StackOutputs): Promise<{ code: number; out: string[]; err: string[] }> {
    const outputs: Record<string, StackOutputs> = { dev: { invokeUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/dev/hello" }, "dev-origin": originOutputs };
    const stacks: StackOps = {
        up: async () => undefined,
        preview: async () => undefined,
        destroy: async () => "destroyed" as const,
        plannedChanges: async () => [],
        protectedResources: async () => [],
        outputs: async (stack) => outputs[stack] ?? {},
    };
    const out: string[] = [];
    const err: string[] = [];
    const deps: OrchestrateDeps = {
        preflight: async () => ({ pulumiCli: FAKE_CLI, awsCredentialSource: "test" }),
        checkSshSource: async () => undefined,
        openStacks: () => stacks,
        prompt: { interactive: false, ask: async () => "" },
        terminal: { line: (text) => out.push(text), errorLine: (text) => err.push(text), engine: { stdout: () => undefined, stderr: () => undefined } },
        now: () => NOW,
    };
    const code = await orchestrate([operation, "dev"], deps);
    return { code, out, err };
}

describe("client certificate expiry: npm run deploy and npm run preview", () => {
    for (const operation of ["deploy", "preview"] as const) {
        it(`${operation} warns when the origin's client certificate expires within ${EXPIRY_WARNING_DAYS} days, naming the rotate command`, async () => {
            const expiry = new Date(NOW.getTime() + 12 * DAY_MS);
            const { code, err } = await run(operation, { clientCertificateId: "abc123", clientCertificateExpiration: goTimeString(expiry) });
            expect(code).to.equal(0);
            expect(err).to.deep.equal([
                `warning: the API Gateway client certificate of dev-origin expires on ${expiry.toISOString().slice(0, 10)}, in 12 day(s); after that httpd rejects every request. Run npm run rotate-client-certificate -- dev before then`,
            ]);
        });

        it(`${operation} says nothing with more than ${EXPIRY_WARNING_DAYS} days left`, async () => {
            const expiry = new Date(NOW.getTime() + (EXPIRY_WARNING_DAYS + 1) * DAY_MS);
            const { err } = await run(operation, { clientCertificateExpiration: goTimeString(expiry) });
            expect(err).to.deep.equal([]);
        });
    }

    it("says an expired certificate has expired, and to rotate now", async () => {
        const { err } = await run("deploy", { clientCertificateExpiration: goTimeString(new Date(NOW.getTime() - DAY_MS)) });
        expect(err).to.have.length(1);
        expect(err[0]).to.match(/^warning: the API Gateway client certificate of dev-origin expired on 2026-12-04: .*run npm run rotate-client-certificate -- dev now$/);
    });

    it("says nothing for an origin not deployed yet (no expiry exported)", async () => {
        const { err } = await run("preview", {});
        expect(err).to.deep.equal([]);
    });

    it("flags an expiry it cannot read rather than staying silent", async () => {
        const { err } = await run("deploy", { clientCertificateExpiration: "soon" });
        expect(err[0]).to.contain('exports clientCertificateExpiration "soon", which is not a date');
    });
});

describe("client certificate expiry: reading the provider's date", () => {
    it("reads Go's time.Time.String() form the provider writes, and RFC 3339", () => {
        expect(parseExpiration("2027-12-01 08:30:00 +0000 UTC")?.toISOString()).to.equal("2027-12-01T08:30:00.000Z");
        expect(parseExpiration("2027-12-01 10:30:00.123 +0200 CEST")?.toISOString()).to.equal("2027-12-01T08:30:00.123Z");
        expect(parseExpiration("2027-12-01T08:30:00Z")?.toISOString()).to.equal("2027-12-01T08:30:00.000Z");
        expect(parseExpiration("next year")).to.equal(undefined);
        expect(parseExpiration(undefined)).to.equal(undefined);
    });

    it("warns on the last day of the window and not the day before it", () => {
        const inside = new Date(NOW.getTime() + (EXPIRY_WARNING_DAYS - 1) * DAY_MS);
        const outside = new Date(NOW.getTime() + EXPIRY_WARNING_DAYS * DAY_MS);
        expect(clientCertificateExpiryWarning({ clientCertificateExpiration: inside.toISOString() }, "dev-origin", "dev", NOW)).to.contain(`in ${EXPIRY_WARNING_DAYS - 1} day(s)`);
        expect(clientCertificateExpiryWarning({ clientCertificateExpiration: outside.toISOString() }, "dev-origin", "dev", NOW)).to.equal(undefined);
    });
});
