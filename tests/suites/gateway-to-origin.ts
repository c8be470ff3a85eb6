import { expect } from "chai";
import { MOCK_ORGANIZATION, ProgramRun } from "../../tools/mock-runtime";
import { COMMITTED_ROOT, PROJECT, StackRunOptions, privateOriginOutputsFor, publicOriginOutputsFor, resourcesOfType, runStack, theOne } from "../support";

export const ORIGIN_MODES = ["public", "private"] as const;

/** A gateway run in front of an origin of the given mode (the origin's outputs as a StackReference reads them). */
export function gatewayIn(stack: "dev" | "prod", mode: (typeof ORIGIN_MODES)[number], overrides: Record<string, string> = {}, root = COMMITTED_ROOT): Promise<ProgramRun> {
    const origin = mode === "private" ? privateOriginOutputsFor(stack, root) : publicOriginOutputsFor(stack, root);
    const options: StackRunOptions = {
        root,
        overrides: { originMode: mode, ...overrides },
        stackOutputs: { [`${MOCK_ORGANIZATION}/${PROJECT}/${stack}-origin`]: origin },
    };
    return runStack(stack, options);
}

/**
 * Each gateway in front of an origin of each mode, on the stack files in root (the user-edit
 * spec runs it on copies where only some files were edited).
 */
export function describeGatewayToOrigin(root: string, label: string, stacks: ReadonlyArray<"dev" | "prod"> = ["dev", "prod"]): void {
    for (const stack of stacks) {
        for (const mode of ORIGIN_MODES) {
            describe(`${stack}, ${mode} origin (${label})`, () => {
                let run: ProgramRun;
                let origin: Record<string, unknown>;
                before(async () => {
                    run = await gatewayIn(stack, mode, {}, root);
                    origin = mode === "private" ? privateOriginOutputsFor(stack, root) : publicOriginOutputsFor(stack, root);
                });

                it("the stage presents the origin stack's client certificate", () => {
                    expect(theOne(run, "aws:apigateway/stage:Stage").inputs.clientCertificateId).to.equal(origin.clientCertificateId);
                });

                it("every integration calls the origin's https:// URL, accepting its private root (insecureSkipVerification: hostname, expiry and root still checked)", () => {
                    const integrations = resourcesOfType(run, "aws:apigateway/integration:Integration");
                    expect(integrations).to.have.length.greaterThan(0);
                    for (const integration of integrations) {
                        expect(integration.inputs.uri, integration.name).to.equal(origin.originUrl).and.to.match(/^https:\/\//);
                        expect(integration.inputs.tlsConfig, integration.name).to.deep.equal({ insecureSkipVerification: true });
                    }
                    expect(run.outputs.originUrl).to.match(/^https:\/\//);
                });

                it("accepts authentication and WAF in front of it", async () => {
                    const guarded = await gatewayIn(stack, mode, { authMode: "apiKey", wafEnabled: "true" }, root);
                    expect(resourcesOfType(guarded, "aws:apigateway/method:Method").every((method) => method.inputs.apiKeyRequired === true)).to.equal(true);
                    expect(resourcesOfType(guarded, "aws:wafv2/webAclAssociation:WebAclAssociation")).to.have.length(1);
                });
            });
        }
    }
}
