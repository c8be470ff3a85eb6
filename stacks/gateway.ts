import * as pulumi from "@pulumi/pulumi";
import { ApiAuth, ApiGatewayAccountLogging, HelloApi, invokePath, welcomeLogGroupExists } from "../infra/api";
import { ApiUserPool } from "../infra/auth";
import { ConfigError, ConfigProblem, GatewayConfig, gatewayResourcePrefix } from "../infra/config";
import { CustomDomain, StageFirewall } from "../infra/edge";
import { LogEncryptionKey } from "../infra/log-encryption";
import { BackendClientCertificate } from "../infra/origin-tls";
import { GatewayMonitoring } from "../infra/monitoring";
import { HttpGatewayOutputs, httpGatewayProgram } from "./http-gateway";
import { routeFunctions } from "../infra/lambda/route-functions";
import { WebSocketOutputs, websocketProgram } from "./websocket";

/** The gateway stack's outputs: a public contract users and the smoke test read. */
export interface GatewayOutputs {
    /** `rest`: this program; `http`: stacks/http-gateway.ts. */
    readonly apiType: "rest";
    readonly invokeUrl: pulumi.Output<string>;
    /** The stage's base URL; each route's path appends to it (the smoke test's starting point). */
    readonly stageUrl: pulumi.Output<string>;
    /** The route table as configured, one `hello-gateway:routes` string each. */
    readonly routes: string[];
    readonly restApiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly executionLogGroupName: pulumi.Output<string>;
    readonly originUrl: pulumi.Output<string> | string;
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
    /** `originUrl` only: the client certificate the stage presents to the backend (PEM), and its expiry. */
    readonly clientCertificatePem?: pulumi.Output<string>;
    readonly clientCertificateExpiration?: pulumi.Output<string>;
}

/**
 * The origin must be deployed in the mode the gateway expects: a private gateway needs the
 * NLB a private origin exports, and a public gateway cannot reach a private origin's URL. A
 * gateway in either mode must be in the origin's region: a VPC link targets an NLB of its own
 * region only, and the client certificate the stage presents is the origin stack's, a regional
 * resource. Checked before any resource is created, and reported like every other config error.
 */
async function checkOrigin(config: GatewayConfig, origin: pulumi.StackReference): Promise<void> {
    const [modeDetails, nlbDetails, regionDetails] = await Promise.all([
        origin.getOutputDetails("originMode"),
        origin.getOutputDetails("originNlbArn"),
        origin.getOutputDetails("region"),
    ]);
    const exportedMode = modeDetails.value ?? "public";
    const exportsLoadBalancer = nlbDetails.value !== undefined || nlbDetails.secretValue !== undefined;
    const problems: ConfigProblem[] = [];
    if (config.originMode === "private" && !exportsLoadBalancer) {
        problems.push({
            key: "hello-gateway:originMode",
            given: '"private"',
            expected: `"public", or a private origin first: stack ${config.originStack} exports no originNlbArn (deploy it with hello-gateway:originMode: private)`,
        });
    }
    if (config.originMode === "public" && exportedMode === "private") {
        problems.push({
            key: "hello-gateway:originMode",
            given: '"public"',
            expected: `"private": stack ${config.originStack} is a private origin, reachable only through a VPC link`,
        });
    }
    // Either mode: the stage presents the origin stack's API Gateway client certificate, and a
    // client certificate lives in the region it was generated in (its ARN is
    // arn:aws:apigateway:<region>::/clientcertificates/<id>), so a stage in another region cannot
    // name it. A private origin's VPC link cannot cross regions either.
    const originRegion = regionDetails.value as string | undefined;
    if (originRegion !== config.region) {
        const why =
            config.originMode === "private"
                ? "a private origin's VPC link cannot cross regions, and neither can the origin's client certificate (clientCertificateId)"
                : "the stage presents the origin's API Gateway client certificate (clientCertificateId), a regional resource that a stage in another region cannot use";
        problems.push({
            key: "aws:region",
            given: JSON.stringify(config.region),
            expected:
                originRegion === undefined
                    ? `the origin's region, which stack ${config.originStack} does not export yet: run \`pulumi up\` on it first`
                    : `"${originRegion}", the region of stack ${config.originStack}: ${why} (set aws:region to ${originRegion} here, or move the origin to ${config.region})`,
        });
    }
    if (problems.length > 0) {
        throw new ConfigError(config.identity.stack, problems, config.source);
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
        case "jwt":
            throw new Error("authMode jwt needs apiType http (refused in config)");
        default:
            return { auth: config.auth };
    }
}

/** Where the gateway forwards to: the origin stack's outputs, or `originUrl` with no reference at all. */
interface GatewayOrigin {
    readonly url: pulumi.Output<string> | string;
    /** The NLB a private origin exports, for the VPC link. */
    readonly nlbArn?: pulumi.Output<string>;
    /** The API Gateway client certificate the stage presents: the origin stack's, or the gateway's own for `originUrl`. */
    readonly clientCertificateId: pulumi.Output<string>;
    /** `originUrl` only: the certificate the gateway created, for the backend's owner. */
    readonly backendCertificate?: BackendClientCertificate;
    /** This project's origin's certificate comes from its own private root (checked for name, expiry and root, not issuer); an `originUrl` backend's must come from a trusted CA. */
    readonly selfSignedOrigin: boolean;
    readonly description: string;
}

async function originOf(config: GatewayConfig): Promise<GatewayOrigin> {
    if (config.originUrl !== undefined) {
        // A backend this project does not deploy: nothing to look up, so no StackReference. The
        // stage still presents a client certificate of its own, which the backend may require.
        const certificate = new BackendClientCertificate(`hello-gateway-${config.environment}`, { tags: { ...config.tags } });
        return {
            url: config.originUrl,
            clientCertificateId: certificate.id,
            backendCertificate: certificate,
            selfSignedOrigin: false,
            description: `the backend at ${config.originUrl}`,
        };
    }
    const origin = new pulumi.StackReference("origin", { name: config.originStack });
    await checkOrigin(config, origin);
    // This project's origin serves HTTPS only and requires the client certificate it exports:
    // an http:// URL is an origin deployed before that, which this gateway could not reach.
    const url = origin.requireOutput("originUrl").apply((value: unknown) => {
        if (typeof value !== "string" || !/^https:\/\/[^/\s]+\/$/.test(value)) {
            throw new pulumi.RunError(
                `Stack ${config.originStack} exports originUrl ${JSON.stringify(value)}; expected an https URL ending in "/". Deploy (or update) the origin stack first.`,
            );
        }
        return value;
    });
    return {
        url,
        nlbArn: config.originMode === "private" ? (origin.requireOutput("originNlbArn") as pulumi.Output<string>) : undefined,
        clientCertificateId: origin.requireOutput("clientCertificateId") as pulumi.Output<string>,
        selfSignedOrigin: true,
        description: "the EC2 origin",
    };
}

export async function gatewayProgram(config: GatewayConfig): Promise<GatewayOutputs | HttpGatewayOutputs | WebSocketOutputs> {
    if (config.websocket !== undefined) {
        return websocketProgram(config, config.websocket);
    }
    return config.apiType === "http" ? httpGatewayProgram(config) : restGatewayProgram(config);
}

async function restGatewayProgram(config: GatewayConfig): Promise<GatewayOutputs> {
    const origin = await originOf(config);
    const originUrl = origin.url;
    const logKey = config.encryptLogs ? new LogEncryptionKey(`hello-gateway-${config.environment}`, { region: config.region, tags: { ...config.tags } }) : undefined;

    const accountLogging = config.manageAccountLogRole
        ? new ApiGatewayAccountLogging("apigateway-cloudwatch", {
              welcomeLogRetentionDays: config.logRetentionDays,
              welcomeLogGroupExists: await welcomeLogGroupExists(),
              welcomeLogKmsKeyArn: logKey?.keyArn,
              tags: { ...config.tags },
          })
        : undefined;

    const { auth, userPool } = apiAuth(config);
    const name = gatewayResourcePrefix(config.environment);
    const tags = { ...config.tags };
    // One function per lambda:<name> the routes run, shared by every route naming it.
    const functions = routeFunctions(name, config.routes, {
        integrationTimeoutMs: config.integrationTimeoutMs,
        logRetentionDays: config.logRetentionDays,
        logsKmsKeyArn: logKey?.keyArn,
        tracingEnabled: config.tracingEnabled,
        reservedConcurrency: config.lambda.reservedConcurrency,
        tags,
    });
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
        vpcLinkTargetArn: origin.nlbArn,
        originDescription: origin.description,
        routes: config.routes,
        routeThrottles: config.routeThrottles,
        // With a custom domain, the execute-api endpoint would be a way around its TLS policy.
        disableExecuteApiEndpoint: config.customDomain !== undefined,
        clientCertificateId: origin.clientCertificateId,
        ...(config.corsAllowOrigins.length > 0 ? { corsAllowOrigin: config.corsAllowOrigins[0] } : {}),
        originServesSelfSignedCertificate: origin.selfSignedOrigin,
        logsKmsKeyArn: logKey?.keyArn,
        functions,
        tags,
    });

    const firewall = config.waf.enabled
        ? new StageFirewall(name, {
              stageArn: api.stageArn,
              rateLimitPer5Minutes: config.waf.rateLimitPer5Minutes,
              name,
              logs: { retentionDays: config.logRetentionDays, kmsKeyArn: logKey?.keyArn },
              tags,
          })
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
        invokeUrl: customDomain ? customDomain.url.apply((url) => `${url}${invokePath(config.routes).slice(1)}`) : api.invokeUrl,
        apiType: "rest",
        stageUrl: customDomain ? customDomain.url.apply((url) => url.replace(/\/$/, "")) : api.stageUrl,
        routes: config.routes.map((route) => route.source),
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
        ...(origin.backendCertificate
            ? { clientCertificatePem: origin.backendCertificate.pem, clientCertificateExpiration: origin.backendCertificate.expiration }
            : {}),
    };
}
