import * as pulumi from "@pulumi/pulumi";
import { ApiAuth, ApiGatewayAccountLogging, HelloApi, welcomeLogGroupExists } from "../infra/api";
import { ApiUserPool } from "../infra/auth";
import { ConfigError, GatewayConfig } from "../infra/config";
import { CustomDomain, StageFirewall } from "../infra/edge";
import { GatewayMonitoring } from "../infra/monitoring";

/** The gateway stack's outputs: a public contract users and the smoke test read. */
export interface GatewayOutputs {
    readonly invokeUrl: pulumi.Output<string>;
    readonly restApiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly executionLogGroupName: pulumi.Output<string>;
    readonly originUrl: pulumi.Output<string>;
    readonly throttleRateLimit: number;
    readonly throttleBurstLimit: number;
    readonly authMode: string;
    /** `apiKey` mode: the client key, a secret, and the burst its usage plan allows. */
    readonly apiKeyValue?: pulumi.Output<string>;
    readonly usagePlanBurstLimit?: number;
    /** `cognito` mode with a pool the stack created. */
    readonly userPoolId?: pulumi.Output<string>;
    readonly userPoolClientId?: pulumi.Output<string>;
    readonly dashboardName: pulumi.Output<string>;
    readonly alarmTopicArn?: pulumi.Output<string>;
    /** `wafEnabled` only. */
    readonly webAclArn?: pulumi.Output<string>;
    /** `customDomainName` only: the URL, and the name a CNAME must point at when DNS lives elsewhere. */
    readonly customDomainUrl?: pulumi.Output<string>;
    readonly customDomainTarget?: pulumi.Output<string>;
}

/**
 * The origin must be deployed in the mode the gateway expects: a private gateway needs the
 * NLB a private origin exports, and a public gateway cannot reach a private origin's URL.
 * Checked before any resource is created, and reported like every other config error.
 */
async function checkOriginMode(config: GatewayConfig, origin: pulumi.StackReference): Promise<void> {
    const [modeDetails, nlbDetails] = await Promise.all([origin.getOutputDetails("originMode"), origin.getOutputDetails("originNlbArn")]);
    const exportedMode = modeDetails.value ?? "public";
    const exportsLoadBalancer = nlbDetails.value !== undefined || nlbDetails.secretValue !== undefined;
    if (config.originMode === "private" && !exportsLoadBalancer) {
        throw new ConfigError(config.identity.stack, [
            {
                key: "hello-gateway:originMode",
                given: '"private"',
                expected: `"public", or a private origin first: stack ${config.originStack} exports no originNlbArn (deploy it with hello-gateway:originMode: private)`,
            },
        ]);
    }
    if (config.originMode === "public" && exportedMode === "private") {
        throw new ConfigError(config.identity.stack, [
            {
                key: "hello-gateway:originMode",
                given: '"public"',
                expected: `"private": stack ${config.originStack} is a private origin, reachable only through a VPC link`,
            },
        ]);
    }
}

function apiAuth(config: GatewayConfig): { auth: ApiAuth; userPool?: ApiUserPool } {
    switch (config.auth.mode) {
        case "cognito": {
            if (config.auth.userPoolArn !== undefined) {
                return { auth: { mode: "cognito", userPoolArn: config.auth.userPoolArn } };
            }
            const userPool = new ApiUserPool(`hello-gateway-${config.environment}-users`, { tags: { ...config.tags } });
            return { auth: { mode: "cognito", userPoolArn: userPool.userPoolArn }, userPool };
        }
        default:
            return { auth: config.auth };
    }
}

export async function gatewayProgram(config: GatewayConfig): Promise<GatewayOutputs> {
    const origin = new pulumi.StackReference("origin", { name: config.originStack });
    await checkOriginMode(config, origin);
    const originUrl = origin.requireOutput("originUrl").apply((value: unknown) => {
        if (typeof value !== "string" || !/^https?:\/\/[^/\s]+\/$/.test(value)) {
            throw new pulumi.RunError(
                `Stack ${config.originStack} exports originUrl ${JSON.stringify(value)}; expected an http(s) URL ending in "/". Deploy the origin stack first.`,
            );
        }
        return value;
    });

    const accountLogging = config.manageAccountLogRole
        ? new ApiGatewayAccountLogging("apigateway-cloudwatch", {
              welcomeLogRetentionDays: config.logRetentionDays,
              welcomeLogGroupExists: await welcomeLogGroupExists(),
              tags: { ...config.tags },
          })
        : undefined;

    const { auth, userPool } = apiAuth(config);
    const name = `hello-gateway-${config.environment}`;
    const tags = { ...config.tags };
    const api = new HelloApi(name, {
        originUrl,
        region: config.region,
        stageName: config.stageName,
        throttle: config.throttle,
        loggingLevel: config.loggingLevel,
        logRetentionDays: config.logRetentionDays,
        integrationTimeoutMs: config.integrationTimeoutMs,
        loggingPrerequisites: accountLogging ? [accountLogging.account] : [],
        auth,
        requestValidation: config.requestValidation,
        cache: config.cache,
        tracingEnabled: config.tracingEnabled,
        vpcLinkTargetArn:
            config.originMode === "private" ? (origin.requireOutput("originNlbArn") as pulumi.Output<string>) : undefined,
        // With a custom domain, the execute-api endpoint would be a way around its TLS policy.
        disableExecuteApiEndpoint: config.customDomain !== undefined,
        tags,
    });

    const firewall = config.waf.enabled
        ? new StageFirewall(name, { stageArn: api.stageArn, rateLimitPer5Minutes: config.waf.rateLimitPer5Minutes, name, tags })
        : undefined;
    const customDomain = config.customDomain
        ? new CustomDomain(name, { ...config.customDomain, restApiId: api.restApiId, stageName: api.stageName, tags })
        : undefined;
    const monitoring = new GatewayMonitoring(name, {
        restApiName: api.restApiName,
        stageName: api.stageName,
        thresholds: config.monitoring.thresholds,
        alarmEmail: config.monitoring.alarmEmail,
        cacheEnabled: config.cache.enabled,
        dashboardName: name,
        region: config.region,
        webAclName: firewall?.webAclName,
        tags,
    });

    return {
        invokeUrl: customDomain ? customDomain.url.apply((url) => `${url}hello`) : api.invokeUrl,
        restApiId: api.restApiId,
        stageName: api.stageName,
        accessLogGroupName: api.accessLogGroupName,
        executionLogGroupName: api.executionLogGroupName,
        originUrl,
        throttleRateLimit: config.throttle.rateLimit,
        throttleBurstLimit: config.throttle.burstLimit,
        authMode: config.auth.mode,
        ...(api.apiKeyValue ? { apiKeyValue: api.apiKeyValue } : {}),
        ...(config.auth.mode === "apiKey" ? { usagePlanBurstLimit: config.auth.usagePlan.burstLimit } : {}),
        ...(userPool ? { userPoolId: userPool.userPoolId, userPoolClientId: userPool.clientId } : {}),
        dashboardName: monitoring.dashboardName,
        ...(monitoring.alarmTopicArn ? { alarmTopicArn: monitoring.alarmTopicArn } : {}),
        ...(firewall ? { webAclArn: firewall.webAclArn } : {}),
        ...(customDomain ? { customDomainUrl: customDomain.url, customDomainTarget: customDomain.regionalDomainName } : {}),
    };
}
