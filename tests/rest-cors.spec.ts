import { expect } from "chai";
import { CORS_GATEWAY_RESPONSES, REST_CORS_ALLOW_HEADERS, preflightMethods } from "../infra/rest-cors";
import { ProgramRun } from "../tools/mock-runtime";
import { dependencyNames, gatewayConfigOf, resourcesOfType, runStack, theOne } from "./support";

const ORIGIN = "https://app.example.com";

describe("CORS on a REST API (corsAllowOrigins)", () => {
    for (const stack of ["dev", "prod"]) {
        describe(`${stack} with corsAllowOrigins ["${ORIGIN}"]`, () => {
            const config = gatewayConfigOf(stack);
            let run: ProgramRun;
            before(async () => {
                run = await runStack(stack, { overrides: { corsAllowOrigins: JSON.stringify([ORIGIN]) } });
            });

            it("answers the preflight on every path the routes serve: OPTIONS with no auth and no API key, a MOCK integration", () => {
                const preflights = resourcesOfType(run, "aws:apigateway/method:Method").filter((method) => method.inputs.httpMethod === "OPTIONS");
                expect(preflights).to.have.length(preflightMethods(config.routes).size);
                for (const method of preflights) {
                    expect(method.inputs).to.include({ authorization: "NONE", apiKeyRequired: false });
                }
                const mocks = resourcesOfType(run, "aws:apigateway/integration:Integration").filter((integration) => integration.inputs.type === "MOCK");
                expect(mocks).to.have.length(preflights.length);
            });

            it("answers with the origin, the routes' methods and the credential headers", () => {
                for (const [path, methods] of preflightMethods(config.routes)) {
                    const response = resourcesOfType(run, "aws:apigateway/integrationResponse:IntegrationResponse").find((candidate) => candidate.name.includes(`-${path === "/" ? "root" : path.slice(1)}-preflight`))!;
                    expect(response.inputs.responseParameters, path).to.deep.include({
                        "method.response.header.Access-Control-Allow-Origin": `'${ORIGIN}'`,
                        "method.response.header.Access-Control-Allow-Methods": `'${methods.join(",")}'`,
                        "method.response.header.Access-Control-Allow-Headers": `'${REST_CORS_ALLOW_HEADERS.join(",")}'`,
                    });
                }
            });

            it("puts the allow-origin header on the gateway's own 4XX and 5XX answers, so a browser can read a 401 or 429", () => {
                const responses = resourcesOfType(run, "aws:apigateway/response:Response");
                expect(responses.map((response) => response.inputs.responseType).sort()).to.deep.equal([...CORS_GATEWAY_RESPONSES].sort());
                for (const response of responses) {
                    expect(response.inputs.responseParameters).to.deep.include({ "gatewayresponse.header.Access-Control-Allow-Origin": `'${ORIGIN}'` });
                }
            });

            it("deploys them: the deployment waits for them and its trigger changes with the origin", async () => {
                const deployment = theOne(run, "aws:apigateway/deployment:Deployment");
                const names = dependencyNames(run, deployment);
                for (const resource of [...resourcesOfType(run, "aws:apigateway/response:Response"), ...resourcesOfType(run, "aws:apigateway/integrationResponse:IntegrationResponse")]) {
                    expect(names).to.include(resource.name);
                }
                const other = await runStack(stack, { overrides: { corsAllowOrigins: '["https://other.example.com"]' } });
                expect(theOne(other, "aws:apigateway/deployment:Deployment").inputs.triggers).not.to.deep.equal(deployment.inputs.triggers);
            });
        });
    }

    it("creates nothing for CORS without corsAllowOrigins", async () => {
        const run = await runStack("dev");
        expect(resourcesOfType(run, "aws:apigateway/response:Response")).to.have.length(0);
        expect(resourcesOfType(run, "aws:apigateway/method:Method").filter((method) => method.inputs.httpMethod === "OPTIONS")).to.have.length(0);
    });
});
