import { expect } from "chai";
import { ConfigError } from "../infra/config";
import { COMMITTED_ROOT, gatewayConfigOf, originOutputsFor, publicOriginOutputsFor, resourcesOfType, runStack, theOne } from "./support";
import { STAGE, ROUTE, INTEGRATION, failedRun, describeHttpGatewayStacks } from "./suites/http-gateway-stacks";

describeHttpGatewayStacks(COMMITTED_ROOT, "as its stack file says");

describe("HTTP API gateway variations (prod-http)", () => {
    it("sets both throttle limits from config whatever they are", async () => {
        const run = await runStack("prod-http", { overrides: { throttleRateLimit: "7", throttleBurstLimit: "9", routeThrottles: "[]" } });
        expect(theOne(run, STAGE).inputs.defaultRouteSettings).to.deep.include({ throttlingRateLimit: 7, throttlingBurstLimit: 9 });
    });

    it("cognito with a pool the stack creates: a JWT authorizer trusting that pool's issuer and app client", async () => {
        const run = await runStack("prod-http", { overrides: { authMode: "cognito", jwtIssuer: undefined, jwtAudience: undefined } });
        const pool = theOne(run, "aws:cognito/userPool:UserPool");
        const client = theOne(run, "aws:cognito/userPoolClient:UserPoolClient");
        const authorizer = theOne(run, "aws:apigatewayv2/authorizer:Authorizer");
        const region = gatewayConfigOf("prod-http").region;
        expect(authorizer.inputs.jwtConfiguration).to.deep.equal({ issuer: `https://cognito-idp.${region}.amazonaws.com/${pool.id}`, audiences: [client.id] });
    });

    it("cognito with an existing pool: the issuer from the pool's ARN, the audience from jwtAudience", async () => {
        const arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123";
        const run = await runStack("prod-http", { overrides: { authMode: "cognito", cognitoUserPoolArn: arn, jwtIssuer: undefined, jwtAudience: '["client1"]' } });
        expect(theOne(run, "aws:apigatewayv2/authorizer:Authorizer").inputs.jwtConfiguration).to.deep.equal({
            issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
            audiences: ["client1"],
        });
    });

    it("iam: every route AWS_IAM, no authorizer", async () => {
        const run = await runStack("prod-http", { overrides: { authMode: "iam", jwtIssuer: undefined, jwtAudience: undefined } });
        expect(resourcesOfType(run, "aws:apigatewayv2/authorizer:Authorizer")).to.have.length(0);
        expect(new Set(resourcesOfType(run, ROUTE).map((route) => route.inputs.authorizationType))).to.deep.equal(new Set(["AWS_IAM"]));
    });

    it("an originUrl backend: HTTP_PROXY over the internet to its https URL, its base path kept", async () => {
        const run = await runStack("prod-http", { overrides: { originUrl: "https://api.example.com/base/", originStack: undefined, originMode: undefined } });
        expect(resourcesOfType(run, "pulumi:pulumi:StackReference")).to.have.length(0);
        expect(resourcesOfType(run, "aws:apigatewayv2/vpcLink:VpcLink")).to.have.length(0);
        for (const integration of resourcesOfType(run, INTEGRATION).filter((candidate) => candidate.inputs.integrationType === "HTTP_PROXY")) {
            expect(integration.inputs).to.include({ connectionType: "INTERNET", integrationUri: "https://api.example.com/base/" });
            expect((integration.inputs.requestParameters as Record<string, string>)["overwrite:path"]).to.match(/^\/base\//);
        }
    });

    it("a custom domain: an apigatewayv2 domain name mapped to the stage, the execute-api endpoint off", async () => {
        // A REGIONAL domain's certificate comes from the stack's own region, whatever its file says.
        const certificateArn = `arn:aws:acm:${gatewayConfigOf("prod-http").region}:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef`;
        const run = await runStack("prod-http", { overrides: { customDomainName: "api.example.com", certificateArn } });
        const domain = theOne(run, "aws:apigatewayv2/domainName:DomainName");
        expect(domain.inputs.domainNameConfiguration).to.deep.include({ endpointType: "REGIONAL", securityPolicy: "TLS_1_2" });
        const mapping = theOne(run, "aws:apigatewayv2/apiMapping:ApiMapping");
        expect(mapping.inputs).to.include({ apiId: theOne(run, "aws:apigatewayv2/api:Api").id, stage: theOne(run, STAGE).state.name ?? gatewayConfigOf("prod-http").stageName });
        expect(theOne(run, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint).to.equal(true);
        expect(run.outputs.invokeUrl).to.match(/^https:\/\/api\.example\.com\//);
    });

    it("a private origin deployed before the HTTP API path existed is refused, naming apiType, before anything is created", async () => {
        const { originNlbListenerArn, originVpcLinkSubnetIds, originVpcLinkSecurityGroupId, ...older } = originOutputsFor("prod");
        void originNlbListenerArn, void originVpcLinkSubnetIds, void originVpcLinkSecurityGroupId;
        const { error, registered } = await failedRun("prod-http", { stackOutputs: { "organization/hello-gateway/prod-origin": older } });
        expect(error).to.be.instanceOf(ConfigError);
        expect(error.message).to.contain("hello-gateway:apiType").and.to.contain("originNlbListenerArn");
        expect(registered).to.equal(0);
    });

    it("a public origin behind an HTTP API is refused by the config, naming apiType and originMode, before anything is created", async () => {
        const { error, registered } = await failedRun("prod-http", {
            overrides: { originMode: "public" },
            stackOutputs: { "organization/hello-gateway/prod-origin": publicOriginOutputsFor("prod-http") },
        });
        expect(error).to.be.instanceOf(ConfigError);
        expect(error.message).to.contain("hello-gateway:originMode").and.to.contain('apiType "http"');
        expect(registered).to.equal(0);
    });
});
