// The gateway program for `apiType: http`: an HTTP API in front of the private origin (VPC link
// to the NLB listener kept for it) or an `originUrl` backend over public HTTPS. docs/http-api.md.
import * as pulumi from "@pulumi/pulumi";
import { invokePath } from "../infra/api";
import { ApiUserPool } from "../infra/auth";
import { ConfigError, ConfigProblem, GatewayConfig } from "../infra/config";
import { HttpApiAuth, HttpGateway, HttpGatewayBackend, cognitoIssuer, userPoolIdOf } from "../infra/http/api";
import { HttpCustomDomain } from "../infra/http/domain";
import { LogEncryptionKey } from "../infra/log-encryption";

/** The outputs of an HTTP API gateway stack: the REST stack's contract, less what HTTP APIs lack. */
export interface HttpGatewayOutputs {
    readonly apiType: "http";
    readonly invokeUrl: pulumi.Output<string>;
    readonly stageUrl: pulumi.Output<string>;
    readonly routes: string[];
    readonly apiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly originUrl: pulumi.Output<string> | string;
    readonly throttleRateLimit: number;
    readonly throttleBurstLimit: number;
    readonly authMode: string;
    /** `jwt` and `cognito`: the issuer the authorizer trusts (the smoke test reports it). */
    readonly jwtIssuer?: pulumi.Output<string> | string;
    readonly userPoolId?: pulumi.Output<string>;
    readonly userPoolClientId?: pulumi.Output<string>;
    readonly vpcLinkId?: pulumi.Output<string>;
    readonly customDomainUrl?: pulumi.Output<string>;
    readonly customDomainTarget?: pulumi.Output<string>;
}

/** The origin outputs an HTTP API needs from a private origin. */
export const HTTP_ORIGIN_OUTPUTS = ["originNlbListenerArn", "originVpcLinkSubnetIds", "originVpcLinkSecurityGroupId"] as const;

/**
 * A private origin deployed before the HTTP API path existed exports none of it; an origin in
 * another region cannot be reached by a VPC link. Checked before anything is created.
 */
async function checkHttpOrigin(config: GatewayConfig, origin: pulumi.StackReference): Promise<void> {
    const [mode, region, ...exported] = await Promise.all([
        origin.getOutputDetails("originMode"),
        origin.getOutputDetails("region"),
        ...HTTP_ORIGIN_OUTPUTS.map((name) => origin.getOutputDetails(name)),
    ]);
    const problems: ConfigProblem[] = [];
    const missing = HTTP_ORIGIN_OUTPUTS.filter((_name, index) => exported[index].value === undefined && exported[index].secretValue === undefined);
    if ((mode.value ?? "public") !== "private") {
        problems.push({
            key: "hello-gateway:apiType",
            given: '"http"',
            expected: `"rest", or a private origin: stack ${config.originStack} is a public origin (originMode public), which only callers with API Gateway's client certificate reach, and an HTTP API has none`,
        });
    } else if (missing.length > 0) {
        problems.push({
            key: "hello-gateway:apiType",
            given: '"http"',
            expected: `"rest", or an update of stack ${config.originStack} first: it exports no ${missing.join(", ")} (run \`pulumi up\` on it with this version)`,
        });
    }
    if (region.value !== undefined && region.value !== config.region) {
        problems.push({
            key: "aws:region",
            given: JSON.stringify(config.region),
            expected: `"${region.value}", the region of stack ${config.originStack}: a VPC link cannot cross regions`,
        });
    }
    if (problems.length > 0) {
        throw new ConfigError(config.identity.stack, problems);
    }
}

function httpAuth(config: GatewayConfig): { auth: HttpApiAuth; userPool?: ApiUserPool; issuer?: pulumi.Output<string> | string } {
    switch (config.auth.mode) {
        case "jwt":
            return { auth: { mode: "jwt", issuer: config.auth.issuer, audience: [...config.auth.audience] }, issuer: config.auth.issuer };
        case "cognito": {
            if (config.auth.userPoolArn !== undefined) {
                // The pool's region is in its ARN: a pool may live in another region than the API.
                const poolRegion = config.auth.userPoolArn.split(":")[3];
                const issuer = cognitoIssuer(poolRegion, userPoolIdOf(config.auth.userPoolArn));
                return { auth: { mode: "jwt", issuer, audience: [...config.auth.audience] }, issuer };
            }
            const userPool = new ApiUserPool(`hello-gateway-${config.environment}-users`, { tags: { ...config.tags } });
            const issuer = userPool.userPoolId.apply((id) => cognitoIssuer(config.region, id));
            const audience = config.auth.audience.length > 0 ? pulumi.output([...config.auth.audience]) : userPool.clientId.apply((id) => [id]);
            return { auth: { mode: "jwt", issuer, audience }, userPool, issuer };
        }
        case "iam":
            return { auth: { mode: "iam" } };
        case "none":
            return { auth: { mode: "none" } };
        case "apiKey":
            throw new Error("authMode apiKey needs apiType rest (refused in config)");
    }
}

async function httpBackendOf(config: GatewayConfig): Promise<{ backend: HttpGatewayBackend; originUrl: pulumi.Output<string> | string; description: string }> {
    if (config.originUrl !== undefined) {
        return { backend: { kind: "url", baseUrl: config.originUrl }, originUrl: config.originUrl, description: `the backend at ${config.originUrl}` };
    }
    const origin = new pulumi.StackReference("origin", { name: config.originStack });
    await checkHttpOrigin(config, origin);
    return {
        backend: {
            kind: "vpcLink",
            listenerArn: origin.requireOutput("originNlbListenerArn") as pulumi.Output<string>,
            subnetIds: origin.requireOutput("originVpcLinkSubnetIds") as pulumi.Output<string[]>,
            securityGroupId: origin.requireOutput("originVpcLinkSecurityGroupId") as pulumi.Output<string>,
        },
        originUrl: origin.requireOutput("originUrl") as pulumi.Output<string>,
        description: "the EC2 origin through a VPC link",
    };
}

export async function httpGatewayProgram(config: GatewayConfig): Promise<HttpGatewayOutputs> {
    const { backend, originUrl, description } = await httpBackendOf(config);
    const name = `hello-gateway-${config.environment}`;
    const tags = { ...config.tags };
    const logKey = config.encryptLogs ? new LogEncryptionKey(name, { region: config.region, tags }) : undefined;
    const { auth, userPool, issuer } = httpAuth(config);
    const api = new HttpGateway(name, {
        region: config.region,
        backend,
        routes: config.routes,
        routeThrottles: config.routeThrottles,
        stageName: config.stageName,
        throttle: config.throttle,
        integrationTimeoutMs: config.integrationTimeoutMs,
        logRetentionDays: config.logRetentionDays,
        auth,
        corsAllowOrigins: config.corsAllowOrigins,
        // With a custom domain, the execute-api endpoint would be a way around its TLS policy.
        disableExecuteApiEndpoint: config.customDomain !== undefined,
        logsKmsKeyArn: logKey?.keyArn,
        originDescription: description,
        tags,
    });
    const customDomain = config.customDomain ? new HttpCustomDomain(name, { ...config.customDomain, apiId: api.apiId, stageName: api.stageName, tags }) : undefined;
    const path = invokePath(config.routes);
    return {
        invokeUrl: customDomain ? customDomain.url.apply((url) => `${url}${path.slice(1)}`) : api.stageUrl.apply((url) => `${url}${path}`),
        apiType: "http",
        stageUrl: customDomain ? customDomain.url.apply((url) => url.replace(/\/$/, "")) : api.stageUrl,
        routes: config.routes.map((route) => route.source),
        apiId: api.apiId,
        stageName: api.stageName,
        accessLogGroupName: api.accessLogGroupName,
        originUrl,
        throttleRateLimit: config.throttle.rateLimit,
        throttleBurstLimit: config.throttle.burstLimit,
        authMode: config.auth.mode,
        ...(issuer !== undefined ? { jwtIssuer: issuer } : {}),
        ...(userPool ? { userPoolId: userPool.userPoolId, userPoolClientId: userPool.clientId } : {}),
        ...(api.vpcLinkId ? { vpcLinkId: api.vpcLinkId } : {}),
        ...(customDomain ? { customDomainUrl: customDomain.url, customDomainTarget: customDomain.regionalDomainName } : {}),
    };
}
