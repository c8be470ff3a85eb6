import * as aws from "@pulumi/aws";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import type { Resource } from "@pulumi/pulumi";
import { gunzipSync } from "node:zlib";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { OLDEST_SUPPORTED_NODE_MAJOR, SUPPORTED_RUNTIMES, isSupportedRuntime } from "./lambda-runtimes";
import { HIGHEST_PORT, PortRange, describeReach, internetWideFamilies, portPieces } from "./network";
import { PropertyPath, isSecretAt, rawPropsOf } from "./secrets";

/**
 * The hello-gateway policy rules. Each rule names the control it stands for in its description
 * and at the start of every violation message, so a finding can be traced to the control
 * without reading this file.
 *
 * No rule sets an enforcement level: the pack sets one for all of them per stack (see
 * enforcement.ts), and a rule's own level would override it.
 *
 * Resource rules see a resource's inputs as the engine is about to send them to the provider.
 * During a preview, an input that is another resource's not-yet-known output makes
 * @pulumi/policy stop the rule with an advisory "can't run during preview"; the update runs it
 * again with the value known. Where a rule only needs to know that such a value is set (a log
 * destination, the stage an association targets), it reads past that check instead.
 */

/** A control a rule enforces: an AWS Security Hub control, or one of this project's own. */
export interface Control {
    /** `APIGateway.1`, `EC2.8`, `Baseline.Throttling`. */
    readonly id: string;
    readonly title: string;
    readonly url: string | undefined;
}

function securityHubControl(id: string, title: string): Control {
    const [service, number] = id.toLowerCase().split(".");
    return {
        id,
        title: `AWS Security Hub ${id}: ${title}`,
        url: `https://docs.aws.amazon.com/securityhub/latest/userguide/${service}-controls.html#${service}-${number}`,
    };
}

function baselineControl(name: string, title: string): Control {
    return { id: `Baseline.${name}`, title: `hello-gateway baseline (Baseline.${name}): ${title}`, url: undefined };
}

export const CONTROLS = {
    executionLogging: securityHubControl("APIGateway.1", "API Gateway REST and WebSocket API execution logging should be enabled"),
    xrayTracing: securityHubControl("APIGateway.3", "API Gateway REST API stages should have AWS X-Ray tracing enabled"),
    webAcl: securityHubControl("APIGateway.4", "API Gateway should be associated with a WAF Web ACL"),
    cacheEncryption: securityHubControl("APIGateway.5", "API Gateway REST API cache data should be encrypted at rest"),
    ebsEncryption: securityHubControl("EC2.3", "Attached Amazon EBS volumes should be encrypted at-rest"),
    imdsv2: securityHubControl("EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)"),
    stageClientCertificate: securityHubControl("APIGateway.2", "API Gateway REST API stages should be configured to use SSL certificates for backend authentication"),
    vpcFlowLogs: securityHubControl("EC2.6", "VPC flow logging should be enabled in all VPCs"),
    noSshFromAnywhere: securityHubControl("EC2.13", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22"),
    noRdpFromAnywhere: securityHubControl("EC2.14", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389"),
    noHighRiskPortsFromAnywhere: securityHubControl("EC2.19", "Security groups should not allow unrestricted access to ports with high risk"),
    logEncryption: baselineControl("LogEncryption", "every CloudWatch log group is encrypted with a customer-managed KMS key (checkov CKV_AWS_158)"),
    accessLogs: baselineControl("AccessLogs", "every API stage writes access logs to CloudWatch Logs"),
    logRetention: baselineControl("LogRetention", "every CloudWatch log group expires its events"),
    throttling: baselineControl("Throttling", "every API stage is throttled"),
    noDataTrace: baselineControl("DataTrace", "API Gateway never logs full request and response bodies"),
    restrictedEgress: baselineControl("Egress", "no security group lets all traffic out to the whole internet"),
    noPlaintextSecrets: baselineControl("Secrets", "credentials and private keys reach resources only as Pulumi secrets"),
    launchTemplateImdsv2: baselineControl(
        "LaunchTemplateImdsv2",
        "every launch template requires IMDSv2 tokens with a hop limit of 1 (AWS Config ec2-launch-template-imdsv2-check; Control Tower CT.EC2.PR.1 and CT.EC2.PR.2)",
    ),
    launchTemplateNoPublicIp: securityHubControl("EC2.25", "Amazon EC2 launch templates should not assign public IPs to network interfaces"),
    groupMultipleZones: securityHubControl("AutoScaling.2", "Amazon EC2 Auto Scaling group should cover multiple Availability Zones"),
    groupElbHealthChecks: securityHubControl("AutoScaling.1", "Auto Scaling groups associated with a load balancer should use ELB health checks"),
    lambdaPublicAccess: securityHubControl("Lambda.1", "Lambda function policies should prohibit public access"),
    lambdaSupportedRuntime: securityHubControl("Lambda.2", "Lambda functions should use supported runtimes"),
    lambdaLogGroup: baselineControl("LambdaLogGroup", "every Lambda function logs to a log group the stack creates, with retention, and with KMS when the stack encrypts its logs"),
    dynamoDbPointInTimeRecovery: securityHubControl("DynamoDB.2", "DynamoDB tables should have point-in-time recovery enabled"),
    dynamoDbEncryption: baselineControl("DynamoDbEncryption", "every DynamoDB table is encrypted with a KMS key (AWS-managed or customer-managed), not the AWS-owned default (checkov CKV_AWS_119 asks for customer-managed)"),
} as const;

/** What a violation is about: the resource under validation, or one resource of the stack. */
interface Subject {
    readonly type: string;
    readonly name: string;
}

function violationMessage(controls: readonly Control[], subject: Subject, problem: string): string {
    return `[${controls.map((control) => control.id).join(", ")}] ${subject.type} "${subject.name}": ${problem}`;
}

function describePolicy(controls: readonly Control[], summary: string): string {
    return `${controls.map((control) => control.title).join("; ")}. Checks: ${summary}`;
}

/** How a value reads in a message: `"OFF"`, `false`, or `unset`. */
function shown(value: unknown): string {
    return value === undefined || value === null ? "unset" : JSON.stringify(value);
}

/** The value at `path`, read past the unknown-value check (an unknown reads as the sentinel). */
function rawValueAt(props: object, path: PropertyPath): unknown {
    let current: unknown = rawPropsOf(props);
    for (const key of path) {
        if (typeof current !== "object" || current === null) {
            return undefined;
        }
        current = (current as Record<string | number, unknown>)[key];
    }
    return current;
}

/** Set to something: a value, or an output of another resource that a preview cannot know yet. */
function isSet(value: unknown): boolean {
    return value !== undefined && value !== null && value !== "";
}

function isKnownString(value: unknown): value is string {
    return typeof value === "string" && value !== unknownValue;
}

// ---------------------------------------------------------------------------------------------
// API Gateway

/** The method path that applies settings to every method of a stage. */
export const STAGE_WIDE_METHOD_PATH = "*/*";
const LOGGING_LEVELS_THAT_LOG = ["INFO", "ERROR"];

export const apiGatewayExecutionLogging: ResourceValidationPolicy = {
    name: "apigateway-execution-logging",
    description: describePolicy(
        [CONTROLS.executionLogging],
        "MethodSettings for */* log at INFO or ERROR; a per-method override must not turn logging off.",
    ),
    url: CONTROLS.executionLogging.url,
    validateResource: validateResourceOfType(aws.apigateway.MethodSettings, (methodSettings, args, reportViolation) => {
        const level = methodSettings.settings?.loggingLevel;
        if (methodSettings.methodPath === STAGE_WIDE_METHOD_PATH) {
            if (level === undefined || !LOGGING_LEVELS_THAT_LOG.includes(level)) {
                reportViolation(violationMessage([CONTROLS.executionLogging], args, `settings.loggingLevel for */* is ${shown(level)}; execution logging needs INFO or ERROR.`));
            }
        } else if (level !== undefined && !LOGGING_LEVELS_THAT_LOG.includes(level)) {
            // A method override without loggingLevel keeps the stage's level; one that names a level replaces it.
            reportViolation(violationMessage([CONTROLS.executionLogging], args, `settings.loggingLevel for ${methodSettings.methodPath} is ${shown(level)}; it would stop execution logging for those methods.`));
        }
    }),
};

const APIGATEWAYV2_STAGE = "aws:apigatewayv2/stage:Stage";

/**
 * An apigatewayv2 stage's throttling: defaultRouteSettings must set both limits above 0. Setting
 * one (or any other route setting) leaves the other at 0, and 0 answers every call with 429
 * (pulumi-aws#2363, terraform-provider-aws#14742 and #27674). A routeSettings entry replaces the
 * default for its route, so one that names either limit must set both above 0.
 */
function validateV2StageThrottling(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    if (args.type !== APIGATEWAYV2_STAGE) {
        return;
    }
    const limits = ["throttlingRateLimit", "throttlingBurstLimit"];
    for (const limit of limits) {
        const value = rawValueAt(args.props, ["defaultRouteSettings", limit]);
        if (!(typeof value === "number" && value > 0)) {
            reportViolation(violationMessage([CONTROLS.throttling], args, `defaultRouteSettings.${limit} is ${shown(value)}; set both throttlingRateLimit and throttlingBurstLimit above 0 (an unset one is 0, which refuses every call).`));
        }
    }
    // Every entry, whether it names a limit or not: the provider sends an unset limit of a
    // route_settings block as 0 (terraform-provider-aws, internal/service/apigatewayv2/stage.go,
    // expandRouteSettings reads the block's zero value), and 0 refuses every call to the route.
    listAt(args.props, ["routeSettings"]).forEach((routeSetting, index) => {
        const values = limits.map((limit) => rawValueAt(routeSetting as object, [limit]));
        if (!values.every((value) => typeof value === "number" && value > 0)) {
            const route = shown(rawValueAt(routeSetting as object, ["routeKey"]));
            reportViolation(violationMessage([CONTROLS.throttling], args, `routeSettings[${index}] (${route}) sets throttlingRateLimit ${shown(values[0])} and throttlingBurstLimit ${shown(values[1])}; a route override needs both above 0 (an unset one is sent as 0, which refuses every call to the route).`));
        }
    });
}

export const apiGatewayThrottling: ResourceValidationPolicy = {
    name: "apigateway-throttling",
    description: describePolicy(
        [CONTROLS.throttling],
        "MethodSettings for */* and every per-method override set throttlingRateLimit and throttlingBurstLimit above 0 (unset, the provider's default -1 disables throttling). Every apigatewayv2 Stage sets both defaultRouteSettings limits above 0, and so does every routeSettings entry (unset, a route's limit is sent as 0).",
    ),
    validateResource: [validateV2StageThrottling, validateResourceOfType(aws.apigateway.MethodSettings, (methodSettings, args, reportViolation) => {
        const limits = {
            throttlingRateLimit: methodSettings.settings?.throttlingRateLimit,
            throttlingBurstLimit: methodSettings.settings?.throttlingBurstLimit,
        };
        for (const [setting, value] of Object.entries(limits)) {
            // Unset, a limit takes the provider's default, -1, "throttling disabled" (the
            // MethodSettingsSettings docs of @pulumi/aws): for */* and for a per-method override
            // alike, which does not inherit the stage-wide limits it leaves out.
            if (!(value !== undefined && value > 0)) {
                const reason = value === undefined ? " (unset: the provider's default, -1, disables throttling)" : "";
                reportViolation(violationMessage([CONTROLS.throttling], args, `settings.${setting} for ${methodSettings.methodPath} is ${shown(value)}${reason}; it must be above 0.`));
            }
        }
    })],
};

export const apiGatewayDataTraceOff: ResourceValidationPolicy = {
    name: "apigateway-data-trace-off",
    description: describePolicy([CONTROLS.noDataTrace], "no MethodSettings, and no apigatewayv2 Stage's defaultRouteSettings or routeSettings, sets dataTraceEnabled to true."),
    validateResource: [
        validateResourceOfType(aws.apigateway.MethodSettings, (methodSettings, args, reportViolation) => {
            if (methodSettings.settings?.dataTraceEnabled === true) {
                reportViolation(violationMessage([CONTROLS.noDataTrace], args, `settings.dataTraceEnabled is true for ${methodSettings.methodPath}; full request and response bodies in logs can carry credentials and personal data.`));
            }
        }),
        (args, reportViolation) => {
            if (args.type !== APIGATEWAYV2_STAGE) {
                return;
            }
            const settings: Array<[string, unknown]> = [
                ["defaultRouteSettings", rawValueAt(args.props, ["defaultRouteSettings"])],
                ...listAt(args.props, ["routeSettings"]).map((routeSetting, index): [string, unknown] => [`routeSettings[${index}]`, routeSetting]),
            ];
            for (const [where, setting] of settings) {
                if (typeof setting === "object" && setting !== null && rawValueAt(setting, ["dataTraceEnabled"]) === true) {
                    reportViolation(violationMessage([CONTROLS.noDataTrace], args, `${where}.dataTraceEnabled is true; full messages in logs can carry credentials and personal data.`));
                }
            }
        },
    ],
};

export const apiGatewayCacheEncrypted: ResourceValidationPolicy = {
    name: "apigateway-cache-encrypted",
    description: describePolicy([CONTROLS.cacheEncryption], "MethodSettings that enable caching also set cacheDataEncrypted to true."),
    url: CONTROLS.cacheEncryption.url,
    validateResource: validateResourceOfType(aws.apigateway.MethodSettings, (methodSettings, args, reportViolation) => {
        const settings = methodSettings.settings;
        if (settings?.cachingEnabled === true && settings.cacheDataEncrypted !== true) {
            reportViolation(violationMessage([CONTROLS.cacheEncryption], args, `settings.cachingEnabled is true for ${methodSettings.methodPath} but settings.cacheDataEncrypted is ${shown(settings.cacheDataEncrypted)}; it must be true.`));
        }
    }),
};

export const apiGatewayXrayTracing: ResourceValidationPolicy = {
    name: "apigateway-xray-tracing",
    description: describePolicy([CONTROLS.xrayTracing], "every Stage sets xrayTracingEnabled to true."),
    url: CONTROLS.xrayTracing.url,
    validateResource: validateResourceOfType(aws.apigateway.Stage, (stage, args, reportViolation) => {
        if (stage.xrayTracingEnabled !== true) {
            reportViolation(violationMessage([CONTROLS.xrayTracing], args, `xrayTracingEnabled is ${shown(stage.xrayTracingEnabled)}; it must be true.`));
        }
    }),
};

export const apiGatewayStageClientCertificate: ResourceValidationPolicy = {
    name: "apigateway-stage-client-certificate",
    description: describePolicy([CONTROLS.stageClientCertificate], "every Stage sets clientCertificateId, so the backend can tell API Gateway's calls from anyone else's."),
    url: CONTROLS.stageClientCertificate.url,
    validateResource: validateResourceOfType(aws.apigateway.Stage, (_stage, args, reportViolation) => {
        // The id normally comes from another stack or resource, unknown in a preview: only
        // whether it is set matters here.
        if (!isSet(rawValueAt(args.props, ["clientCertificateId"]))) {
            reportViolation(violationMessage([CONTROLS.stageClientCertificate], args, "clientCertificateId is unset; the backend cannot verify that calls come from API Gateway."));
        }
    }),
};

export const apiGatewayAccessLogging: ResourceValidationPolicy = {
    name: "apigateway-access-logging",
    description: describePolicy([CONTROLS.accessLogs], "every REST Stage and every apigatewayv2 (HTTP or WebSocket) Stage sets accessLogSettings.destinationArn and accessLogSettings.format."),
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:apigateway/stage:Stage" && args.type !== APIGATEWAYV2_STAGE) {
            return args.notApplicable("Policy only applies to API Gateway stages");
        }
        // The destination is normally a log group's ARN, unknown until that group exists: only
        // whether it is set matters here.
        for (const field of ["destinationArn", "format"]) {
            if (!isSet(rawValueAt(args.props, ["accessLogSettings", field]))) {
                reportViolation(violationMessage([CONTROLS.accessLogs], args, `accessLogSettings.${field} is unset; the stage writes no access logs.`));
            }
        }
    },
};

/**
 * Whether these are the stage's `*\/*` settings: the stage name taken from the stage (or equal
 * to it), on the same REST API. A preview of a new stack cannot know the REST API's id yet; then
 * the stage name has to do.
 */
function isStageWideSettingsOf(methodSettings: PolicyResource, stage: PolicyResource): boolean {
    return rawValueAt(methodSettings.props, ["methodPath"]) === STAGE_WIDE_METHOD_PATH && isSettingsOfStage(methodSettings, stage);
}

/** Whether `methodSettings`, for any method path, belongs to `stage` (its stage name and REST API). */
function isSettingsOfStage(methodSettings: PolicyResource, stage: PolicyResource): boolean {
    const value = (resource: PolicyResource, property: string) => rawValueAt(resource.props, [property]);
    const sameStageName =
        dependsThrough(methodSettings, "stageName", stage) ||
        (isKnownString(value(methodSettings, "stageName")) && value(methodSettings, "stageName") === value(stage, "stageName"));
    const settingsApi = value(methodSettings, "restApi");
    const stageApi = value(stage, "restApi");
    return sameStageName && (!isKnownString(settingsApi) || !isKnownString(stageApi) || settingsApi === stageApi);
}

/** Whether `resource`'s `property` was computed from an output of `target`. */
function dependsThrough(resource: PolicyResource, property: string, target: PolicyResource): boolean {
    return (resource.propertyDependencies[property] ?? []).some((dependency) => dependency.urn === target.urn);
}


// eslint-disable-next-line @typescript-eslint/no-explicit-any
function resourcesOfType(args: StackValidationArgs, resourceClass: new (...rest: any[]) => Resource): PolicyResource[] {
    return args.resources.filter((resource) => resource.isType(resourceClass));
}

export const apiGatewayStageMethodSettings: StackValidationPolicy = {
    name: "apigateway-stage-method-settings",
    description: describePolicy(
        [CONTROLS.executionLogging, CONTROLS.throttling],
        "every Stage has stage-wide (*/*) MethodSettings, so the logging and throttling rules have something to check.",
    ),
    url: CONTROLS.executionLogging.url,
    validateStack: (args, reportViolation) => {
        const allMethodSettings = resourcesOfType(args, aws.apigateway.MethodSettings);
        for (const stage of resourcesOfType(args, aws.apigateway.Stage)) {
            if (!allMethodSettings.some((methodSettings) => isStageWideSettingsOf(methodSettings, stage))) {
                reportViolation(
                    violationMessage([CONTROLS.executionLogging, CONTROLS.throttling], stage, "no aws:apigateway/methodSettings:MethodSettings with methodPath */* belongs to this stage; it is neither logged nor throttled."),
                    stage.urn,
                );
            }
        }
    },
};

/**
 * Whether a web ACL association protects the stage: its resourceArn is exactly the stage's ARN.
 * Another output of the stage (its executionArn, its invoke URL, the ARN with a suffix) is not.
 * When both ARNs are known they must be equal. Only while the association's resourceArn is
 * unknown (a preview of a new stage) does the engine's record of where it came from stand in,
 * and the update checks the value again.
 */
function protectsStage(association: PolicyResource, stage: PolicyResource): boolean {
    const resourceArn = rawValueAt(association.props, ["resourceArn"]);
    const stageArn = rawValueAt(stage.props, ["arn"]);
    if (isKnownString(resourceArn)) {
        return isKnownString(stageArn) && resourceArn === stageArn;
    }
    return resourceArn === unknownValue && dependsThrough(association, "resourceArn", stage);
}

export const apiGatewayWebAcl: StackValidationPolicy = {
    name: "apigateway-waf-association",
    description: describePolicy([CONTROLS.webAcl], "every Stage's ARN is exactly the resourceArn of an aws:wafv2/webAclAssociation:WebAclAssociation in the same stack (no other output of the stage)."),
    url: CONTROLS.webAcl.url,
    validateStack: (args, reportViolation) => {
        const associations = resourcesOfType(args, aws.wafv2.WebAclAssociation);
        for (const stage of resourcesOfType(args, aws.apigateway.Stage)) {
            if (!associations.some((association) => protectsStage(association, stage))) {
                reportViolation(
                    violationMessage([CONTROLS.webAcl], stage, "no aws:wafv2/webAclAssociation:WebAclAssociation has this stage's ARN as its resourceArn."),
                    stage.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs

export const cloudWatchLogRetention: ResourceValidationPolicy = {
    name: "cloudwatch-log-retention",
    description: describePolicy([CONTROLS.logRetention], "every LogGroup sets retentionInDays above 0."),
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (logGroup, args, reportViolation) => {
        const days = logGroup.retentionInDays;
        if (days === undefined || !(days > 0)) {
            reportViolation(violationMessage([CONTROLS.logRetention], args, `retentionInDays is ${shown(days)}; events would never expire.`));
        }
    }),
};

export const cloudWatchLogGroupKms: ResourceValidationPolicy = {
    name: "cloudwatch-log-group-kms",
    description: describePolicy([CONTROLS.logEncryption], "every LogGroup sets kmsKeyId."),
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (_logGroup, args, reportViolation) => {
        // A key created in the same update is unknown in a preview: only whether it is set matters.
        if (!isSet(rawValueAt(args.props, ["kmsKeyId"]))) {
            reportViolation(violationMessage([CONTROLS.logEncryption], args, "kmsKeyId is unset; set encryptLogs: true to encrypt the stack's log groups with a customer-managed key."));
        }
    }),
};

/** The logging levels at which a REST stage writes execution logs. */
const EXECUTION_LOGGING_LEVELS = ["INFO", "ERROR"];

/**
 * Whether `logGroup` is the stage's execution log group: named API-Gateway-Execution-Logs_
 * <restApiId>/<stageName> when both are known; in a preview of a new API, a name not known yet
 * that is computed from the same REST API as the stage's restApi.
 */
function isExecutionLogGroupOf(logGroup: PolicyResource, stage: PolicyResource): boolean {
    const name = rawValueAt(logGroup.props, ["name"]);
    const restApi = rawValueAt(stage.props, ["restApi"]);
    const stageName = rawValueAt(stage.props, ["stageName"]);
    if (isKnownString(name) && isKnownString(restApi) && isKnownString(stageName)) {
        return name === `API-Gateway-Execution-Logs_${restApi}/${stageName}`;
    }
    const apiSources = new Set((stage.propertyDependencies.restApi ?? []).map((source) => source.urn));
    return name === unknownValue && (logGroup.propertyDependencies.name ?? []).some((source) => apiSources.has(source.urn));
}

export const apiGatewayExecutionLogGroup: StackValidationPolicy = {
    name: "apigateway-execution-log-group",
    description: describePolicy(
        [CONTROLS.logRetention],
        "every REST Stage whose MethodSettings log at INFO or ERROR has its execution log group, API-Gateway-Execution-Logs_<restApiId>/<stageName>, as a LogGroup in the same stack (where cloudwatch-log-retention judges its retention); otherwise API Gateway creates it with no retention.",
    ),
    validateStack: (args, reportViolation) => {
        const allMethodSettings = resourcesOfType(args, aws.apigateway.MethodSettings);
        const logGroups = resourcesOfType(args, aws.cloudwatch.LogGroup);
        for (const stage of resourcesOfType(args, aws.apigateway.Stage)) {
            const levels = allMethodSettings
                .filter((methodSettings) => isSettingsOfStage(methodSettings, stage))
                .map((methodSettings) => rawValueAt(methodSettings.props, ["settings", "loggingLevel"]))
                .filter((level): level is string => isKnownString(level) && EXECUTION_LOGGING_LEVELS.includes(level));
            if (levels.length === 0 || logGroups.some((logGroup) => isExecutionLogGroupOf(logGroup, stage))) {
                continue;
            }
            // AWS: "When you enable execution logging on a stage, API Gateway automatically
            // creates and manages a CloudWatch Logs log group" of that name (REST API developer
            // guide, rest-api-execution-logging.html); a log group created so keeps its events forever.
            const expected = `API-Gateway-Execution-Logs_${shown(rawValueAt(stage.props, ["restApi"]))}/${shown(rawValueAt(stage.props, ["stageName"]))}`.replace(/"/g, "");
            reportViolation(
                violationMessage([CONTROLS.logRetention], stage, `it logs executions at ${[...new Set(levels)].join(" and ")}, but no LogGroup named ${expected} is in the stack; API Gateway would create it on the first request with no retention. Create it, with retentionInDays, before the stage.`),
                stage.urn,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------
// EC2

/**
 * The resources that stand for a VPC: a VPC the stack creates, awsx's component, and the
 * region's default VPC adopted into the stack (aws:ec2/defaultVpc:DefaultVpc). EC2.6 covers every
 * VPC of the account, the default one included, so adopting it brings it under the rule.
 */
const VPC_TYPES = ["aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc", "awsx:ec2:Vpc"];

/** The VPC a VPC resource stands for: its id (aws:ec2/vpc:Vpc, a DefaultVpc), or the vpcId output of awsx's component. */
function vpcIdOf(vpc: PolicyResource): unknown {
    return vpc.type === "awsx:ec2:Vpc" ? rawValueAt(vpc.props, ["vpcId"]) : rawValueAt(vpc.props, ["id"]);
}

/**
 * The traffic types that satisfy EC2.6: the control asks for rejected traffic to be logged
 * (its trafficType parameter is REJECT), which ALL includes and ACCEPT does not.
 */
export const FLOW_LOG_TRAFFIC_TYPES_THAT_LOG_REJECTS = ["ALL", "REJECT"];

/** Whether the flow log records the VPC's traffic (vpcId taken from the VPC, or equal to its id). */
function logsVpc(flowLog: PolicyResource, vpc: PolicyResource): boolean {
    if (dependsThrough(flowLog, "vpcId", vpc)) {
        return true;
    }
    const vpcId = rawValueAt(flowLog.props, ["vpcId"]);
    return isKnownString(vpcId) && vpcId === vpcIdOf(vpc);
}

export const ec2VpcFlowLogs: StackValidationPolicy = {
    name: "ec2-vpc-flow-logs",
    description: describePolicy([CONTROLS.vpcFlowLogs], "every VPC (aws:ec2/vpc:Vpc, the default VPC adopted as aws:ec2/defaultVpc:DefaultVpc, or awsx's Vpc component) is the vpcId of an aws:ec2/flowLog:FlowLog in the same stack whose trafficType is ALL or REJECT (ACCEPT leaves rejected traffic unlogged)."),
    url: CONTROLS.vpcFlowLogs.url,
    validateStack: (args, reportViolation) => {
        const flowLogs = resourcesOfType(args, aws.ec2.FlowLog);
        const vpcs = args.resources.filter((resource) => VPC_TYPES.includes(resource.type));
        for (const vpc of vpcs) {
            // awsx's component hands out its child VPC's id: a flow log built from it names the
            // component, not the child, as the source of its vpcId.
            const standsFor = vpc.parent?.type === "awsx:ec2:Vpc" ? [vpc, vpc.parent] : [vpc];
            const ofVpc = flowLogs.filter((flowLog) => standsFor.some((candidate) => logsVpc(flowLog, candidate)));
            const logsRejects = ofVpc.filter((flowLog) => FLOW_LOG_TRAFFIC_TYPES_THAT_LOG_REJECTS.includes(String(rawValueAt(flowLog.props, ["trafficType"]))));
            if (ofVpc.length === 0) {
                reportViolation(
                    violationMessage([CONTROLS.vpcFlowLogs], vpc, "no aws:ec2/flowLog:FlowLog records this VPC's traffic; set flowLogsEnabled: true."),
                    vpc.urn,
                );
            } else if (logsRejects.length === 0) {
                const types = ofVpc.map((flowLog) => shown(rawValueAt(flowLog.props, ["trafficType"]))).join(", ");
                reportViolation(
                    violationMessage([CONTROLS.vpcFlowLogs], vpc, `its flow logs record trafficType ${types}; EC2.6 needs rejected traffic logged: trafficType "ALL" or "REJECT".`),
                    vpc.urn,
                );
            }
        }
    },
};

/** Resources that launch instances and carry their metadata options; launch templates have their own rule. */
const INSTANCE_LAUNCHERS = ["aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest", "aws:ec2/launchConfiguration:LaunchConfiguration"];

/**
 * A spot fleet launches instances from its launchSpecifications[] or from launch templates
 * (launchTemplateConfigs[]). A launch specification has no metadata options: neither the
 * provider's SpotFleetRequestLaunchSpecification nor EC2's SpotFleetLaunchSpecification
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotFleetLaunchSpecification.html)
 * has a MetadataOptions field, so its instances accept IMDSv1 unless the account default says
 * otherwise, which this pack cannot see. Its volumes are rootBlockDevices[] and ebsBlockDevices[].
 */
const SPOT_FLEET_REQUEST = "aws:ec2/spotFleetRequest:SpotFleetRequest";

/** Instance types that can launch from a launch template (`launchTemplate: { id | name, version }`). */
const TEMPLATE_LAUNCHED = ["aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"];

/**
 * Whether the instance leaves `property` to its launch template: it names one and does not set
 * the property itself. EC2 then takes the template's value (an instance's own parameters
 * override the template's; RunInstances, LaunchTemplate).
 */
function inheritsFromLaunchTemplate(props: object, property: string): boolean {
    const template = rawValueAt(props, ["launchTemplate"]);
    return typeof template === "object" && template !== null && !isSet(rawValueAt(props, [property]));
}

/** The LaunchTemplate of the stack an instance launches from: its launchTemplate came from it, or names its id or name. */
function launchTemplateOf(instance: PolicyResource, templates: readonly PolicyResource[]): PolicyResource | undefined {
    const fromTemplate = templates.find((template) => dependsThrough(instance, "launchTemplate", template));
    if (fromTemplate !== undefined) {
        return fromTemplate;
    }
    const id = rawValueAt(instance.props, ["launchTemplate", "id"]);
    const name = rawValueAt(instance.props, ["launchTemplate", "name"]);
    return templates.find(
        (template) => (isKnownString(id) && rawValueAt(template.props, ["id"]) === id) || (isKnownString(name) && rawValueAt(template.props, ["name"]) === name),
    );
}

export const ec2InstanceLaunchTemplate: StackValidationPolicy = {
    name: "ec2-instance-launch-template",
    description: describePolicy(
        [CONTROLS.imdsv2, CONTROLS.ebsEncryption],
        'every Instance or SpotInstanceRequest that leaves metadataOptions or rootBlockDevice to its launch template launches from a LaunchTemplate of the same stack whose metadataOptions.httpTokens is "required" (EC2.8) and whose blockDeviceMappings are each ebs-encrypted (EC2.3); a template outside the stack cannot be judged, so the instance must set them itself.',
    ),
    validateStack: (args, reportViolation) => {
        const templates = resourcesOfType(args, aws.ec2.LaunchTemplate);
        for (const instance of args.resources.filter((resource) => TEMPLATE_LAUNCHED.includes(resource.type))) {
            const metadataInherited = inheritsFromLaunchTemplate(instance.props, "metadataOptions");
            const rootInherited = inheritsFromLaunchTemplate(instance.props, "rootBlockDevice");
            if (!metadataInherited && !rootInherited) {
                continue;
            }
            const template = launchTemplateOf(instance, templates);
            const report = (control: Control, problem: string) => reportViolation(violationMessage([control], instance, problem), instance.urn);
            if (template === undefined) {
                const outside = "it launches from a launch template that is not in this stack, which the pack cannot judge";
                if (metadataInherited) report(CONTROLS.imdsv2, `${outside}; set metadataOptions.httpTokens "required" on the instance.`);
                if (rootInherited) report(CONTROLS.ebsEncryption, `${outside}; set rootBlockDevice.encrypted true on the instance.`);
                continue;
            }
            const httpTokens = rawValueAt(template.props, ["metadataOptions", "httpTokens"]);
            if (metadataInherited && httpTokens !== "required") {
                report(CONTROLS.imdsv2, `its launch template "${template.name}" sets metadataOptions.httpTokens ${shown(httpTokens)}, which the instance inherits; IMDSv2 needs "required".`);
            }
            const ebs = ebsMappingsOf(template.props);
            if (rootInherited && (ebs.length === 0 || !ebs.every((volume) => isTrue(rawValueAt(volume.ebs, ["encrypted"]))))) {
                report(CONTROLS.ebsEncryption, `its launch template "${template.name}" ${ebs.length === 0 ? "states no ebs blockDeviceMappings, so the root volume follows the AMI and the account default" : "has an ebs mapping whose encrypted is not \"true\""}, which the instance inherits.`);
            }
        }
    },
};

export const ec2Imdsv2Required: ResourceValidationPolicy = {
    name: "ec2-imdsv2-required",
    description: describePolicy(
        [CONTROLS.imdsv2],
        'every Instance, SpotInstanceRequest and LaunchConfiguration sets metadataOptions.httpTokens to "required" (unset, EC2 accepts IMDSv1); a SpotFleetRequest launches only from launchTemplateConfigs, since its launchSpecifications[] cannot set metadata options.',
    ),
    url: CONTROLS.imdsv2.url,
    validateResource: (args, reportViolation) => {
        if (args.type === SPOT_FLEET_REQUEST) {
            listAt(args.props, ["launchSpecifications"]).forEach((_specification, index) => {
                reportViolation(violationMessage([CONTROLS.imdsv2], args, `launchSpecifications[${index}] cannot set metadataOptions, so its instances accept IMDSv1; launch from launchTemplateConfigs with a launch template whose metadataOptions.httpTokens is "required".`));
            });
            return;
        }
        if (!INSTANCE_LAUNCHERS.includes(args.type)) {
            return args.notApplicable("Policy only applies to instances, spot instance requests, spot fleet requests and launch configurations");
        }
        if (inheritsFromLaunchTemplate(args.props, "metadataOptions")) {
            return; // ec2-instance-launch-template judges the template it inherits them from.
        }
        const httpTokens = rawValueAt(args.props, ["metadataOptions", "httpTokens"]);
        if (httpTokens !== "required") {
            reportViolation(violationMessage([CONTROLS.imdsv2], args, `metadataOptions.httpTokens is ${shown(httpTokens)}; IMDSv2 needs "required".`));
        }
    },
};

/**
 * What is wrong with a list of block devices (an instance's ebsBlockDevices, a spot fleet launch
 * specification's rootBlockDevices or ebsBlockDevices): each entry whose `encrypted` is not true,
 * named by `prefix`, the list and its index (and its deviceName, which only extra volumes have).
 */
function unencryptedDevices(props: object, list: "ebsBlockDevices" | "rootBlockDevices", prefix: string): string[] {
    return listAt(props, [list]).flatMap((device, index) => {
        const encrypted = rawValueAt(device as object, ["encrypted"]);
        const name = list === "ebsBlockDevices" ? ` (${shown(rawValueAt(device as object, ["deviceName"]))})` : "";
        return isTrue(encrypted) ? [] : [`${prefix}${list}[${index}]${name}.encrypted is ${shown(encrypted)}; it must be true.`];
    });
}

/** A launch template's EBS mappings, with their index; an instance-store or suppressed device has none. */
function ebsMappingsOf(templateProps: object): Array<{ readonly index: number; readonly mapping: object; readonly ebs: object }> {
    return listAt(templateProps, ["blockDeviceMappings"]).flatMap((mapping, index) => {
        const ebs = rawValueAt(mapping as object, ["ebs"]);
        return ebs === undefined || ebs === null ? [] : [{ index, mapping: mapping as object, ebs: ebs as object }];
    });
}

export const ec2EbsEncrypted: ResourceValidationPolicy = {
    name: "ec2-ebs-encrypted",
    description: describePolicy(
        [CONTROLS.ebsEncryption],
        "every Instance, SpotInstanceRequest and LaunchConfiguration sets rootBlockDevice.encrypted and each ebsBlockDevices[].encrypted to true; each launchSpecifications[] entry of a SpotFleetRequest states rootBlockDevices and sets every rootBlockDevices[] and ebsBlockDevices[] entry's encrypted to true; every LaunchTemplate (the fleet's volumes) states blockDeviceMappings, each ebs one with encrypted \"true\"; every ebs Volume sets encrypted to true.",
    ),
    url: CONTROLS.ebsEncryption.url,
    validateResource: [
        (args, reportViolation) => {
            if (!INSTANCE_LAUNCHERS.includes(args.type)) {
                return;
            }
            // Unset means "the account default", which this pack cannot see: it must be explicit
            // (or come from a launch template, which ec2-instance-launch-template judges).
            const rootEncrypted = rawValueAt(args.props, ["rootBlockDevice", "encrypted"]);
            if (!isTrue(rootEncrypted) && !inheritsFromLaunchTemplate(args.props, "rootBlockDevice")) {
                reportViolation(violationMessage([CONTROLS.ebsEncryption], args, `rootBlockDevice.encrypted is ${shown(rootEncrypted)}; it must be true.`));
            }
            for (const problem of unencryptedDevices(args.props, "ebsBlockDevices", "")) {
                reportViolation(violationMessage([CONTROLS.ebsEncryption], args, problem));
            }
        },
        (args, reportViolation) => {
            if (args.type !== SPOT_FLEET_REQUEST) {
                return; // launchTemplateConfigs are judged on their LaunchTemplate.
            }
            listAt(args.props, ["launchSpecifications"]).forEach((specification, index) => {
                const where = `launchSpecifications[${index}]`;
                const roots = listAt(specification as object, ["rootBlockDevices"]);
                if (roots.length === 0) {
                    // As for an Instance without rootBlockDevice: the AMI's snapshot and the account default decide.
                    reportViolation(violationMessage([CONTROLS.ebsEncryption], args, `${where}.rootBlockDevices is unset, so the root volume's encryption follows the AMI and the account default; state it with encrypted true.`));
                }
                for (const list of ["rootBlockDevices", "ebsBlockDevices"] as const) {
                    for (const problem of unencryptedDevices(specification as object, list, `${where}.`)) {
                        reportViolation(violationMessage([CONTROLS.ebsEncryption], args, problem));
                    }
                }
            });
        },
        validateResourceOfType(aws.ec2.LaunchTemplate, (_template, args, reportViolation) => {
            const mappings = listAt(args.props, ["blockDeviceMappings"]);
            if (mappings.length === 0) {
                reportViolation(violationMessage([CONTROLS.ebsEncryption], args, "blockDeviceMappings is unset, so the fleet's root volume follows the AMI's snapshot and the account default; state the root device with ebs.encrypted \"true\"."));
            }
            for (const { index, mapping, ebs } of ebsMappingsOf(args.props)) {
                const encrypted = rawValueAt(ebs, ["encrypted"]);
                if (!isTrue(encrypted)) {
                    reportViolation(violationMessage([CONTROLS.ebsEncryption], args, `blockDeviceMappings[${index}] (${shown(rawValueAt(mapping, ["deviceName"]))}).ebs.encrypted is ${shown(encrypted)}; it must be "true".`));
                }
            }
        }),
        validateResourceOfType(aws.ebs.Volume, (volume, args, reportViolation) => {
            if (volume.encrypted !== true) {
                reportViolation(violationMessage([CONTROLS.ebsEncryption], args, `encrypted is ${shown(volume.encrypted)}; it must be true.`));
            }
        }),
    ],
};

/** One security group rule in one shape, whichever resource or property it came from. */
interface NetworkRule {
    /** The resource that declares it. */
    readonly owner: string;
    /** Where the rule sits, for messages: `ingress[1]`, or a standalone rule resource's type and name. */
    readonly where: string;
    readonly protocol: string;
    readonly fromPort: number | undefined;
    readonly toPort: number | undefined;
    readonly cidrs: readonly string[];
}

const ALL_PROTOCOLS = ["-1", "all"];
const TCP = ["tcp", "6"];
const UDP = ["udp", "17"];
const SSH_PORT = 22;
const RDP_PORT = 3389;

/**
 * The ports Security Hub EC2.19 treats as high risk: a security group that opens any of them to
 * 0.0.0.0/0 or ::/0 fails the control.
 */
export const HIGH_RISK_PORTS: readonly number[] = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
];

/** Resources that hold a security group's rules inline: a group, or the VPC's default group adopted into the stack. */
const SECURITY_GROUP_TYPES = ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"];

type Direction = "ingress" | "egress";

/** What the rule extraction reads of a resource: resource rules get args, stack rules a PolicyResource. */
interface RuleHolder {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: object;
}

function networkRule(owner: string, where: string, fields: { protocol?: unknown; fromPort?: unknown; toPort?: unknown; cidrs: readonly unknown[] }): NetworkRule {
    const port = (value: unknown) => (typeof value === "number" ? value : undefined);
    return {
        owner,
        where,
        protocol: String(fields.protocol ?? "").toLowerCase(),
        fromPort: port(fields.fromPort),
        toPort: port(fields.toPort),
        cidrs: fields.cidrs.filter(isKnownString),
    };
}

function listAt(props: object, path: PropertyPath): unknown[] {
    const value = rawValueAt(props, path);
    return Array.isArray(value) ? value : [];
}

/**
 * The rules of one direction a resource declares: a group's (or default group's) inline rules,
 * or the one rule of a standalone rule resource; undefined for any other resource.
 */
function rulesOf(resource: RuleHolder, direction: Direction): NetworkRule[] | undefined {
    if (SECURITY_GROUP_TYPES.includes(resource.type)) {
        return listAt(resource.props, [direction]).map((rule, index) => {
            const fields = (typeof rule === "object" && rule !== null ? rule : {}) as Record<string, unknown>;
            const cidrs = [...listAt(fields, ["cidrBlocks"]), ...listAt(fields, ["ipv6CidrBlocks"])];
            return networkRule(resource.urn, `${direction}[${index}]`, { ...fields, cidrs });
        });
    }
    const value = (key: string) => rawValueAt(resource.props, [key]);
    const where = `${resource.type} "${resource.name}"`;
    if (resource.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
        if (value("type") !== direction) return undefined;
        return [networkRule(resource.urn, where, { protocol: value("protocol"), fromPort: value("fromPort"), toPort: value("toPort"), cidrs: [...listAt(resource.props, ["cidrBlocks"]), ...listAt(resource.props, ["ipv6CidrBlocks"])] })];
    }
    const vpcRuleType = direction === "ingress" ? "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" : "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
    if (resource.type === vpcRuleType) {
        return [networkRule(resource.urn, where, { protocol: value("ipProtocol"), fromPort: value("fromPort"), toPort: value("toPort"), cidrs: [value("cidrIpv4"), value("cidrIpv6")] })];
    }
    return undefined;
}

function isAllProtocols(rule: NetworkRule): boolean {
    return ALL_PROTOCOLS.includes(rule.protocol);
}

function portRangeOf(rule: NetworkRule): PortRange {
    return { from: rule.fromPort ?? 0, to: rule.toPort ?? HIGHEST_PORT };
}

function reachesTcpPort(rule: NetworkRule, port: number): boolean {
    if (isAllProtocols(rule)) {
        return true;
    }
    const range = portRangeOf(rule);
    return TCP.includes(rule.protocol) && range.from <= port && port <= range.to;
}

function portsShown(rule: NetworkRule): string {
    if (isAllProtocols(rule)) return "all traffic";
    const range = portRangeOf(rule);
    return `${rule.protocol} ${range.from}-${range.to}`;
}

function sourcesShown(rules: readonly NetworkRule[]): string {
    return rules.map((rule) => `${rule.where} (${portsShown(rule)} from ${rule.cidrs.join(", ")})`).join(" and ");
}

function uniqueCidrs(rules: readonly NetworkRule[]): string[] {
    return [...new Set(rules.flatMap((rule) => rule.cidrs))];
}

function reachesInternet(rules: readonly NetworkRule[]): boolean {
    return internetWideFamilies(uniqueCidrs(rules)).length > 0;
}

/** What one of the network controls finds in a set of rules: its message, and the rules behind it. */
interface NetworkFinding {
    /** What is open: `all traffic`, `every TCP port`, or the ports reached. */
    readonly what: string;
    readonly problem: string;
    readonly sources: readonly NetworkRule[];
}

/** Ingress: for each port, the union of the CIDRs of every rule reaching it over TCP; ports with the same rules are reported together. */
function ingressFindings(rules: readonly NetworkRule[], ports: readonly number[]): NetworkFinding[] {
    const byRules = new Map<string, { ports: number[]; sources: NetworkRule[] }>();
    for (const port of ports) {
        const sources = rules.filter((rule) => rule.cidrs.length > 0 && reachesTcpPort(rule, port));
        if (!reachesInternet(sources)) {
            continue;
        }
        const key = sources.map((rule) => `${rule.owner}#${rule.where}`).join("|");
        const entry = byRules.get(key) ?? { ports: [], sources };
        entry.ports.push(port);
        byRules.set(key, entry);
    }
    return [...byRules.values()].map(({ ports: reached, sources }) => ({
        what: reached.join(", "),
        problem: `${sourcesShown(sources)} open TCP (port${reached.length === 1 ? "" : "s"} ${reached.join(", ")}) to ${describeReach(uniqueCidrs(sources))}.`,
        sources,
    }));
}

/** Whether, for every port of `protocol`, the rules reaching that port together reach the internet. */
function everyPortOpenToInternet(rules: readonly NetworkRule[], protocol: readonly string[]): NetworkRule[] | undefined {
    const relevant = rules.filter((rule) => rule.cidrs.length > 0 && (isAllProtocols(rule) || protocol.includes(rule.protocol)));
    const pieces = portPieces(relevant.filter((rule) => !isAllProtocols(rule)).map(portRangeOf));
    const open = pieces.every((piece) => {
        const covering = relevant.filter((rule) => {
            const range = portRangeOf(rule);
            return isAllProtocols(rule) || (range.from <= piece.from && piece.to <= range.to);
        });
        return reachesInternet(covering);
    });
    return open ? relevant : undefined;
}

/**
 * Egress: all protocols, or every TCP or every UDP port (the union of the port ranges), to the
 * internet (the union of the CIDRs). Every port is 1-65535: port 0 is reserved (network.ts), so
 * `tcp 1-65535` lets out as much as `tcp 0-65535`.
 */
function egressFindings(rules: readonly NetworkRule[]): NetworkFinding[] {
    const finding = (what: string, sources: readonly NetworkRule[]): NetworkFinding => ({
        what,
        problem: `${sourcesShown(sources)} let ${what} out to ${describeReach(uniqueCidrs(sources))}; list the ports the instance needs.`,
        sources,
    });
    const allTraffic = rules.filter((rule) => rule.cidrs.length > 0 && isAllProtocols(rule));
    if (reachesInternet(allTraffic)) {
        return [finding("all traffic", allTraffic)];
    }
    const findings: NetworkFinding[] = [];
    for (const [label, protocol] of [["TCP", TCP], ["UDP", UDP]] as const) {
        const sources = everyPortOpenToInternet(rules, protocol);
        if (sources !== undefined) {
            findings.push(finding(`every ${label} port`, sources));
        }
    }
    return findings;
}

/** One network control: the direction it reads and how it judges a set of rules. */
interface NetworkControl {
    readonly control: Control;
    readonly direction: Direction;
    /** The TCP ports an ingress control guards; undefined for egress. */
    readonly ports?: readonly number[];
    readonly judge: (rules: readonly NetworkRule[]) => NetworkFinding[];
}

const RULE_SHAPES = "SecurityGroup or DefaultSecurityGroup rules, a SecurityGroupRule, a vpc SecurityGroupIngressRule/EgressRule";
const INTERNET_MEANS =
    "0.0.0.0/0, ::/0, or CIDRs that together cover at least half of the IPv4 internet or of the IPv6 global unicast space 2000::/3 (policy/network.ts)";

/** A resource rule for one network control: a resource's own rules, judged together. */
function networkResourcePolicy(name: string, network: NetworkControl, checks: string): ResourceValidationPolicy {
    return {
        name,
        description: describePolicy([network.control], `${checks} Each resource's rules (${RULE_SHAPES}) are judged together; "the internet" is ${INTERNET_MEANS}.`),
        url: network.control.url,
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            const rules = rulesOf(args, network.direction);
            if (rules === undefined) {
                return args.notApplicable(`Policy only applies to security groups and their ${network.direction} rules`);
            }
            for (const finding of network.judge(rules)) {
                reportViolation(violationMessage([network.control], args, finding.problem));
            }
        },
    };
}

function ingressControl(control: Control, ports: readonly number[]): NetworkControl {
    return { control, direction: "ingress", ports, judge: (rules) => ingressFindings(rules, ports) };
}

const SSH = ingressControl(CONTROLS.noSshFromAnywhere, [SSH_PORT]);
const RDP = ingressControl(CONTROLS.noRdpFromAnywhere, [RDP_PORT]);
const HIGH_RISK = ingressControl(CONTROLS.noHighRiskPortsFromAnywhere, HIGH_RISK_PORTS);
const EGRESS: NetworkControl = { control: CONTROLS.restrictedEgress, direction: "egress", judge: egressFindings };

export const ec2NoSshFromAnywhere = networkResourcePolicy("ec2-no-ssh-from-anywhere", SSH, "no security group ingress lets the internet reach TCP port 22 (SSH).");
export const ec2NoRdpFromAnywhere = networkResourcePolicy("ec2-no-rdp-from-anywhere", RDP, "no security group ingress lets the internet reach TCP port 3389 (RDP).");
export const ec2NoHighRiskPortsFromAnywhere = networkResourcePolicy(
    "ec2-no-high-risk-ports-from-anywhere",
    HIGH_RISK,
    `no security group ingress lets the internet reach any TCP port of EC2.19's high-risk list (${HIGH_RISK_PORTS.join(", ")}).`,
);
export const ec2EgressRestricted = networkResourcePolicy(
    "ec2-egress-restricted",
    EGRESS,
    'no security group egress lets protocol "-1", or every TCP or every UDP port (the union of its port ranges covering 1-65535; port 0 is reserved and cannot be reached, so it need not be covered), out to the internet.',
);

/**
 * Which group a standalone rule belongs to: the group its securityGroupId came from (during a
 * preview the id is unknown but the engine still names its source), else the group with that id,
 * else the id itself.
 */
function groupKeyOf(resource: PolicyResource, groups: readonly PolicyResource[]): string {
    if (SECURITY_GROUP_TYPES.includes(resource.type)) {
        return resource.urn;
    }
    const source = (resource.propertyDependencies.securityGroupId ?? []).find((dependency) => SECURITY_GROUP_TYPES.includes(dependency.type));
    if (source !== undefined) {
        return source.urn;
    }
    const id = rawValueAt(resource.props, ["securityGroupId"]);
    if (isKnownString(id)) {
        return groups.find((group) => rawValueAt(group.props, ["id"]) === id)?.urn ?? `id:${id}`;
    }
    return resource.urn;
}

/** The rules of one security group: the group's own and every standalone rule attached to it. */
interface GroupRules {
    /** The group when the stack has it; otherwise the first rule resource found for it. */
    subject: PolicyResource;
    readonly rules: NetworkRule[];
    readonly members: Set<string>;
}

function rulesByGroup(resources: readonly PolicyResource[], direction: Direction): GroupRules[] {
    const groups = resources.filter((resource) => SECURITY_GROUP_TYPES.includes(resource.type));
    const byKey = new Map<string, GroupRules>();
    for (const resource of resources) {
        const rules = rulesOf(resource, direction);
        if (rules === undefined) {
            continue;
        }
        const key = groupKeyOf(resource, groups);
        const entry = byKey.get(key) ?? { subject: resource, rules: [], members: new Set<string>() };
        if (SECURITY_GROUP_TYPES.includes(resource.type)) {
            entry.subject = resource;
        }
        entry.rules.push(...rules);
        entry.members.add(resource.urn);
        byKey.set(key, entry);
    }
    return [...byKey.values()];
}

/**
 * The same four controls over each group as a whole: a group's inline rules together with every
 * standalone rule attached to it. It reports only what no single resource shows on its own (those
 * the resource rules above report, before the resource is created); a stack rule runs once the
 * program has registered everything, so it is the second line, for splits across resources.
 */
export const ec2SecurityGroupRulesCombined: StackValidationPolicy = {
    name: "ec2-security-group-rules-combined",
    description: describePolicy(
        [SSH.control, RDP.control, HIGH_RISK.control, EGRESS.control],
        `the four network rules above, over each security group as a whole: its inline rules and every standalone rule resource whose securityGroupId comes from it (or equals its id), for what only their union opens; "the internet" is ${INTERNET_MEANS}.`,
    ),
    url: SSH.control.url,
    validateStack: (args, reportViolation) => {
        for (const network of [SSH, RDP, HIGH_RISK, EGRESS]) {
            for (const group of rulesByGroup(args.resources, network.direction)) {
                if (group.members.size < 2) {
                    continue; // One resource alone: the resource rule judges it.
                }
                for (const finding of onlyTogether(network, group)) {
                    reportViolation(violationMessage([network.control], group.subject, `together, ${finding.problem}`), group.subject.urn);
                }
            }
        }
    },
};

/** What the group's rules open together that none of its resources opens alone. */
function onlyTogether(network: NetworkControl, group: GroupRules): NetworkFinding[] {
    const ownRules = (urn: string) => group.rules.filter((rule) => rule.owner === urn);
    if (network.ports !== undefined) {
        const ports = network.ports.filter((port) => {
            const reaching = group.rules.filter((rule) => rule.cidrs.length > 0 && reachesTcpPort(rule, port));
            return reachesInternet(reaching) && ![...group.members].some((urn) => reachesInternet(reaching.filter((rule) => rule.owner === urn)));
        });
        return ingressFindings(group.rules, ports);
    }
    const alone = new Set([...group.members].flatMap((urn) => network.judge(ownRules(urn))).map((finding) => finding.what));
    return network.judge(group.rules).filter((finding) => !alone.has(finding.what) && !alone.has("all traffic"));
}

// ---------------------------------------------------------------------------------------------
// Secrets

/** PEM and OpenSSH private keys: `-----BEGIN OPENSSH PRIVATE KEY-----`, `-----BEGIN RSA PRIVATE KEY-----`, ... */
const PRIVATE_KEY_MATERIAL = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

const CONNECTION_CREDENTIALS: readonly PropertyPath[] = ["password", "privateKey", "privateKeyPassword"].flatMap((field) => [
    ["connection", field],
    ["connection", "proxy", field],
]);

/** Inputs that hold a credential whatever they look like, by resource type. */
export const CREDENTIAL_INPUTS: Readonly<Record<string, readonly PropertyPath[]>> = {
    "command:remote:Command": CONNECTION_CREDENTIALS,
    "command:remote:CopyToRemote": CONNECTION_CREDENTIALS,
    "command:remote:CopyFile": CONNECTION_CREDENTIALS,
    "aws:apigateway/apiKey:ApiKey": [["value"]],
};

/** Paths of every string that contains private key material. */
function privateKeyPaths(value: unknown, path: (string | number)[] = []): PropertyPath[] {
    if (typeof value === "string") {
        return PRIVATE_KEY_MATERIAL.test(value) ? [path] : [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, index) => privateKeyPaths(item, [...path, index]));
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => privateKeyPaths(item, [...path, key]));
    }
    return [];
}

/**
 * Environment variable names that say they hold a credential, judged word by word rather than by
 * substring (a substring match flags `BYPASS_CACHE` and `AUTHOR_NAME` and misses `DB_PWD`). The
 * name is split into tokens at every non-alphanumeric character and at camelCase boundaries
 * (`dbPassword` is `DB`, `PASSWORD`; `APIKey` is `API`, `KEY`), and it names a credential when:
 * - a token is, or ends with, one of CREDENTIAL_TOKEN_ENDINGS, singular or plural (`PASSWORD`,
 *   `DBPASSWORD`, `GITHUBTOKEN`, `SECRETS`, `APIKEY`);
 * - a token is exactly one of CREDENTIAL_TOKENS (`PASS`, `PWD`, `AUTH`: as parts of other words,
 *   such as `BYPASS` or `AUTHOR`, they mean something else);
 * - two adjacent tokens form one of CREDENTIAL_TOKEN_PAIRS (`API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`).
 * A value under such a name is a credential whatever it looks like. Other names (`HELLO_MESSAGE`,
 * `PORT`, `BYPASS_CACHE`) are left alone.
 */
export const CREDENTIAL_TOKEN_ENDINGS: readonly string[] = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "APIKEY", "ACCESSKEY", "PRIVATEKEY"];
export const CREDENTIAL_TOKENS: readonly string[] = ["PASS", "PWD", "AUTH"];
export const CREDENTIAL_TOKEN_PAIRS: readonly (readonly [string, string])[] = [
    ["API", "KEY"],
    ["ACCESS", "KEY"],
    ["PRIVATE", "KEY"],
];

/** A name's words, upper-cased: split at non-alphanumerics and camelCase (`dbPassword`, `APIKey`, `DB_PWD`). */
export function nameTokens(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((token) => token !== "")
        .map((token) => token.toUpperCase());
}

/** Whether an environment variable's name says it holds a credential (see CREDENTIAL_TOKEN_ENDINGS). */
export function isCredentialName(name: string): boolean {
    const tokens = nameTokens(name);
    const singular = (token: string) => (token.endsWith("S") ? token.slice(0, -1) : token);
    return tokens.some(
        (token, index) =>
            CREDENTIAL_TOKEN_ENDINGS.some((ending) => token.endsWith(ending) || singular(token).endsWith(ending)) ||
            CREDENTIAL_TOKENS.includes(token) ||
            CREDENTIAL_TOKEN_PAIRS.some(([first, second]) => token === first && index + 1 < tokens.length && singular(tokens[index + 1]) === second),
    );
}

/** Where each resource type keeps environment variables, by resource type. */
export const ENVIRONMENT_INPUTS: Readonly<Record<string, PropertyPath>> = {
    "command:remote:Command": ["environment"],
    "command:local:Command": ["environment"],
    "aws:lambda/function:Function": ["environment", "variables"],
};

/** Paths of the environment variables with a credential's name. */
function credentialEnvironmentPaths(type: string, props: object): PropertyPath[] {
    const where = ENVIRONMENT_INPUTS[type];
    const variables = where === undefined ? undefined : rawValueAt(props, where);
    if (typeof variables !== "object" || variables === null) {
        return [];
    }
    return Object.entries(variables)
        .filter(([name, value]) => isCredentialName(name) && isSet(value))
        .map(([name]) => [...where!, name]);
}

/**
 * Inputs that carry user data base64-encoded, by resource type (a launch template's userData is
 * base64 too). The rule decodes them, and gunzips what cloud-init would gunzip, before it looks
 * for private key material.
 */
export const BASE64_USER_DATA_INPUTS: Readonly<Record<string, PropertyPath>> = {
    "aws:ec2/instance:Instance": ["userDataBase64"],
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": ["userDataBase64"],
    "aws:ec2/launchConfiguration:LaunchConfiguration": ["userDataBase64"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["userData"],
};

const GZIP_MAGIC = [0x1f, 0x8b];

/** The text behind base64 user data, gunzipped when it is gzip; undefined when it is not base64. */
function decodedUserData(value: unknown): string | undefined {
    if (!isKnownString(value) || !/^[A-Za-z0-9+/=\s]+$/.test(value)) {
        return undefined;
    }
    const bytes = Buffer.from(value, "base64");
    try {
        return (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1] ? gunzipSync(bytes) : bytes).toString("utf8");
    } catch {
        return bytes.toString("utf8");
    }
}

/** The user data input, if its decoded text holds private key material. */
function privateKeyInUserData(type: string, props: object): PropertyPath[] {
    const where = BASE64_USER_DATA_INPUTS[type];
    if (where === undefined) {
        return [];
    }
    const text = decodedUserData(rawValueAt(props, where));
    return text !== undefined && PRIVATE_KEY_MATERIAL.test(text) ? [where] : [];
}

function formatPath(path: PropertyPath): string {
    return path.map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`)).join("");
}

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description: describePolicy(
        [CONTROLS.noPlaintextSecrets],
        "remote command connection passwords and private keys, API key values, command and Lambda environment variables named like a credential (a word of the name, split at non-alphanumerics and camelCase, that is or ends with PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, CREDENTIAL, APIKEY, ACCESSKEY or PRIVATEKEY, or their plurals; a word that is exactly PASS, PWD or AUTH; or the words API KEY, ACCESS KEY or PRIVATE KEY in a row), base64 user data (userDataBase64, a launch template's userData) that decodes to a private key, and any string holding a PEM/OpenSSH private key arrive as Pulumi secrets (so the state stores them encrypted); a KeyPair's publicKey holds no private key.",
    ),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        // The raw props: a credential that is not known yet (a key generated in the same
        // update) must not stop the check, since its secretness is known all the same.
        const props = rawPropsOf(args.props);
        const credentials = (CREDENTIAL_INPUTS[args.type] ?? []).filter((path) => isSet(rawValueAt(props, path)));
        const seen = new Set<string>();
        const found = [...credentials, ...credentialEnvironmentPaths(args.type, props), ...privateKeyInUserData(args.type, props), ...privateKeyPaths(props)];
        for (const path of found) {
            const where = formatPath(path);
            if (!seen.has(where) && !isSecretAt(args.props, path)) {
                seen.add(where);
                reportViolation(violationMessage([CONTROLS.noPlaintextSecrets], args, `${where} is a credential in plain text; the stack state would store it unencrypted. Wrap it in pulumi.secret() or read it with config.requireSecret() from a key set with --secret.`));
            }
        }
        if (args.isType(aws.ec2.KeyPair) && PRIVATE_KEY_MATERIAL.test(String(props.publicKey ?? ""))) {
            reportViolation(violationMessage([CONTROLS.noPlaintextSecrets], args, "publicKey holds private key material; EC2 needs only the public half (ssh-ed25519 or ssh-rsa)."));
        }
    },
};

// ---------------------------------------------------------------------------------------------
// The fleet (group mode): launch templates and Auto Scaling groups

export const ec2LaunchTemplateImdsv2: ResourceValidationPolicy = {
    name: "ec2-launch-template-imdsv2",
    description: describePolicy([CONTROLS.launchTemplateImdsv2], 'every LaunchTemplate sets metadataOptions.httpTokens to "required" and httpPutResponseHopLimit to 1.'),
    url: CONTROLS.launchTemplateImdsv2.url,
    validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (template, args, reportViolation) => {
        const options = template.metadataOptions;
        if (options?.httpTokens !== "required") {
            reportViolation(violationMessage([CONTROLS.launchTemplateImdsv2], args, `metadataOptions.httpTokens is ${shown(options?.httpTokens)}; instances it launches must require IMDSv2 ("required").`));
        }
        if (options?.httpPutResponseHopLimit !== 1) {
            reportViolation(violationMessage([CONTROLS.launchTemplateImdsv2], args, `metadataOptions.httpPutResponseHopLimit is ${shown(options?.httpPutResponseHopLimit)}; it must be 1, so no container or forwarded hop reaches the metadata service.`));
        }
    }),
};

/** A launch template's boolean-like fields are strings ("true"/"false") in the provider's schema. */
function isFalse(value: unknown): boolean {
    return value === false || value === "false";
}

function isTrue(value: unknown): boolean {
    return value === true || value === "true";
}

export const ec2LaunchTemplateNoPublicIp: ResourceValidationPolicy = {
    name: "ec2-launch-template-no-public-ip",
    description: describePolicy(
        [CONTROLS.launchTemplateNoPublicIp],
        'every LaunchTemplate states its network interfaces, each with associatePublicIpAddress "false" (unstated, the subnet would decide).',
    ),
    url: CONTROLS.launchTemplateNoPublicIp.url,
    validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (template, args, reportViolation) => {
        const interfaces = template.networkInterfaces ?? [];
        if (interfaces.length === 0) {
            reportViolation(violationMessage([CONTROLS.launchTemplateNoPublicIp], args, 'networkInterfaces is unset, so the subnet decides whether instances get a public address; state one interface with associatePublicIpAddress "false".'));
        }
        interfaces.forEach((networkInterface, index) => {
            if (!isFalse(networkInterface.associatePublicIpAddress)) {
                reportViolation(violationMessage([CONTROLS.launchTemplateNoPublicIp], args, `networkInterfaces[${index}].associatePublicIpAddress is ${shown(networkInterface.associatePublicIpAddress)}; it must be "false".`));
            }
        });
    }),
};

/** How many places a group may launch in: its subnets, or (without any) its zone names. */
function placesOf(group: { vpcZoneIdentifiers?: unknown; availabilityZones?: unknown }): unknown[] | undefined {
    const subnets = group.vpcZoneIdentifiers;
    const zones = group.availabilityZones;
    if (Array.isArray(subnets) && subnets.length > 0) return subnets;
    if (Array.isArray(zones) && zones.length > 0) return zones;
    return undefined;
}

export const autoScalingMultipleZones: ResourceValidationPolicy = {
    name: "autoscaling-multiple-zones",
    description: describePolicy(
        [CONTROLS.groupMultipleZones],
        "every Auto Scaling Group launches in two or more distinct subnets (vpcZoneIdentifiers) or zones (availabilityZones). The pack cannot see a subnet's zone; the program takes one subnet per zone.",
    ),
    url: CONTROLS.groupMultipleZones.url,
    validateResource: validateResourceOfType(aws.autoscaling.Group, (group, args, reportViolation) => {
        const places = placesOf(group);
        const known = places?.filter(isKnownString);
        if (places !== undefined && known !== undefined && known.length < places.length) {
            return; // Subnets created in the same update are unknown during a preview.
        }
        const distinct = new Set(known ?? []).size;
        if (distinct < 2) {
            reportViolation(violationMessage([CONTROLS.groupMultipleZones], args, `the group launches in ${distinct} distinct subnet(s) or zone(s); a zone outage would take every instance. Give it subnets in at least two zones.`));
        }
    }),
};

/** Whether the attachment names the group: its autoscalingGroupName came from the group, or equals its name or id. */
function attachesGroup(attachment: PolicyResource, group: PolicyResource): boolean {
    if (dependsThrough(attachment, "autoscalingGroupName", group)) {
        return true;
    }
    const groupName = rawValueAt(attachment.props, ["autoscalingGroupName"]);
    return isKnownString(groupName) && [rawValueAt(group.props, ["name"]), rawValueAt(group.props, ["id"])].includes(groupName);
}

/**
 * Traffic source types that are load balancers: `elb` (a Classic Load Balancer) and `elbv2` (an
 * Application, Network or Gateway Load Balancer target group). A `vpc-lattice` target group is
 * not a load balancer, and its health checks are VPC_LATTICE ones, so AutoScaling.1 does not
 * apply to it.
 */
const LOAD_BALANCER_TRAFFIC_SOURCE_TYPES = ["elb", "elbv2"];

/**
 * Whether a traffic source (a group's trafficSources[] entry, a TrafficSourceAttachment's
 * trafficSource) is a load balancer. Its type is optional on the group; unset (or not known yet),
 * the identifier decides: anything but a VPC Lattice target group ARN counts as a load balancer.
 */
function isLoadBalancerTrafficSource(source: unknown): boolean {
    if (typeof source !== "object" || source === null) {
        return false;
    }
    const type = rawValueAt(source, ["type"]);
    if (isKnownString(type) && type !== "") {
        return LOAD_BALANCER_TRAFFIC_SOURCE_TYPES.includes(type);
    }
    const identifier = rawValueAt(source, ["identifier"]);
    return !(isKnownString(identifier) && arnParts(identifier)?.service === "vpc-lattice");
}

/**
 * The health check types a group uses. HealthCheckType is "a comma-separated value string of one
 * or more health check types" among EC2, EBS, ELB and VPC_LATTICE, EC2 always on
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html,
 * HealthCheckType), so "ELB,EBS" turns ELB health checks on as "ELB" does.
 */
function healthCheckTypes(value: unknown): string[] {
    return isKnownString(value) ? value.split(",").map((type) => type.trim().toUpperCase()) : [];
}

export const autoScalingElbHealthChecks: StackValidationPolicy = {
    name: "autoscaling-elb-health-checks",
    description: describePolicy(
        [CONTROLS.groupElbHealthChecks],
        'every Auto Scaling Group attached to a load balancer (its own targetGroupArns, loadBalancers or elb/elbv2 trafficSources, or an aws.autoscaling.Attachment or elb/elbv2 TrafficSourceAttachment naming it) has "ELB" among its healthCheckType list ("ELB", or a comma-separated list such as "ELB,EBS"). A vpc-lattice traffic source is not a load balancer.',
    ),
    url: CONTROLS.groupElbHealthChecks.url,
    validateStack: (args, reportViolation) => {
        const attachments = args.resources.filter(
            (resource) =>
                resource.type === "aws:autoscaling/attachment:Attachment" ||
                (resource.type === "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment" && isLoadBalancerTrafficSource(rawValueAt(resource.props, ["trafficSource"]))),
        );
        for (const group of args.resources.filter((resource) => resource.type === "aws:autoscaling/group:Group")) {
            const ownLists = ["targetGroupArns", "loadBalancers"].filter((list) => listAt(group.props, [list]).length > 0);
            const loadBalancerSources = listAt(group.props, ["trafficSources"]).filter(isLoadBalancerTrafficSource);
            if (loadBalancerSources.length > 0) {
                ownLists.push("trafficSources");
            }
            const attachedBy = attachments.filter((attachment) => attachesGroup(attachment, group)).map((attachment) => `${attachment.type} "${attachment.name}"`);
            const healthCheckType = rawValueAt(group.props, ["healthCheckType"]);
            if ((ownLists.length > 0 || attachedBy.length > 0) && !healthCheckTypes(healthCheckType).includes("ELB")) {
                const through = [...ownLists, ...attachedBy].join(", ");
                reportViolation(
                    violationMessage([CONTROLS.groupElbHealthChecks], group, `healthCheckType is ${shown(healthCheckType)} while ${through} put${ownLists.length + attachedBy.length === 1 ? "s" : ""} it behind a load balancer; it must include "ELB" ("ELB", or a list such as "ELB,EBS"), or an instance whose server stopped answering stays in service.`),
                    group.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// apigatewayv2 (HTTP and WebSocket APIs), Lambda and DynamoDB

/** The API a v2 stage belongs to: the Api its apiId came from, or the Api with that id. */
function apiOfStage(stage: PolicyResource, apis: readonly PolicyResource[]): PolicyResource | undefined {
    const source = apis.find((api) => dependsThrough(stage, "apiId", api));
    if (source !== undefined) {
        return source;
    }
    const apiId = rawValueAt(stage.props, ["apiId"]);
    return isKnownString(apiId) ? apis.find((api) => rawValueAt(api.props, ["id"]) === apiId) : undefined;
}

export const apiGatewayV2ExecutionLogging: StackValidationPolicy = {
    name: "apigatewayv2-execution-logging",
    description: describePolicy(
        [CONTROLS.executionLogging],
        "every WebSocket API stage (aws:apigatewayv2/stage:Stage whose Api has protocolType WEBSOCKET) sets defaultRouteSettings.loggingLevel to INFO or ERROR, and no routeSettings entry turns it OFF. HTTP API stages are not judged: HTTP APIs have access logs only, no execution logs. A stage whose Api is not in the stack is judged as WebSocket only when it sets a loggingLevel.",
    ),
    url: CONTROLS.executionLogging.url,
    validateStack: (args, reportViolation) => {
        const apis = args.resources.filter((resource) => resource.type === "aws:apigatewayv2/api:Api");
        for (const stage of args.resources.filter((resource) => resource.type === APIGATEWAYV2_STAGE)) {
            const api = apiOfStage(stage, apis);
            const level = rawValueAt(stage.props, ["defaultRouteSettings", "loggingLevel"]);
            const isWebSocket = api !== undefined ? rawValueAt(api.props, ["protocolType"]) === "WEBSOCKET" : isSet(level);
            if (!isWebSocket) {
                continue;
            }
            if (!LOGGING_LEVELS_THAT_LOG.includes(String(level))) {
                reportViolation(
                    violationMessage([CONTROLS.executionLogging], stage, `defaultRouteSettings.loggingLevel is ${shown(level)} on a WebSocket stage; execution logging needs INFO or ERROR.`),
                    stage.urn,
                );
            }
            listAt(stage.props, ["routeSettings"]).forEach((routeSetting, index) => {
                const routeLevel = rawValueAt(routeSetting as object, ["loggingLevel"]);
                if (isSet(routeLevel) && !LOGGING_LEVELS_THAT_LOG.includes(String(routeLevel))) {
                    const route = shown(rawValueAt(routeSetting as object, ["routeKey"]));
                    reportViolation(
                        violationMessage([CONTROLS.executionLogging], stage, `routeSettings[${index}] (${route}).loggingLevel is ${shown(routeLevel)}; it would stop execution logging for that route.`),
                        stage.urn,
                    );
                }
            });
        }
    },
};

/** The ARN's parts: `arn:partition:service:region:account:resource`. */
function arnParts(arn: string): { service: string; region: string; account: string; resource: string } | undefined {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") {
        return undefined;
    }
    return { service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(":") };
}

/**
 * Services whose ARNs name no region and no account: an S3 bucket is `arn:aws:s3:::<bucket>`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html), which is why
 * Lambda.1 asks an S3-invoked function's policy for `AWS:SourceAccount` as well (the rule below).
 */
const ARN_WITHOUT_REGION_OR_ACCOUNT = ["s3"];

/**
 * What is wrong with a permission's sourceArn, if anything. Lambda.1 fails a function policy
 * that lets anyone (principal `*`) invoke, and an S3-invoked one without `AWS:SourceAccount`; it
 * does not evaluate conditions holding wildcards, so a `*` principal is refused here whatever its
 * sourceArn. Beyond the control, the pack asks every permission for a sourceArn that names one
 * resource: a fixed service, region and account (both empty for an S3 bucket, whose ARN has
 * neither) and no `*` or `?` anywhere in the resource part (`rule/*` names every EventBridge rule
 * of the account). Two exceptions:
 * - execute-api: the API id is fixed and wildcards may follow it, but the ARN must name a stage, a
 *   method and a path after the id (wildcards there stay within routes of one API; `<api-id>/*`
 *   alone lets every route of the API, and any added later, invoke);
 * - CloudWatch Logs: a log group's ARN is commonly written with a trailing `:*`
 *   (`arn:aws:logs:<region>:<account>:log-group:<name>:*`; DescribeLogGroups' `arn` field has it,
 *   Step Functions requires it, https://docs.aws.amazon.com/step-functions/latest/apireference/API_CloudWatchLogsLogGroup.html,
 *   and EventBridge Pipes' LogGroupArn pattern allows it), and it stands for that one group's
 *   log streams, not other groups, so that one trailing `:*` is not a wildcard over log groups.
 */
function sourceArnProblem(sourceArn: unknown): string | undefined {
    if (!isSet(sourceArn)) {
        return "sourceArn is unset, so any resource of the principal's service, in any account, may invoke the function";
    }
    if (!isKnownString(sourceArn)) {
        return undefined; // The API's ARN, unknown in a preview of a new stack.
    }
    const parts = arnParts(sourceArn);
    if (parts === undefined) {
        return `sourceArn ${shown(sourceArn)} is not an ARN`;
    }
    const hasWildcard = (value: string) => value.includes("*") || value.includes("?");
    const wild = (value: string) => value === "" || hasWildcard(value);
    const withoutRegionOrAccount = ARN_WITHOUT_REGION_OR_ACCOUNT.includes(parts.service);
    const openPlace = (value: string) => (withoutRegionOrAccount ? hasWildcard(value) : wild(value));
    if (wild(parts.service) || openPlace(parts.region) || openPlace(parts.account)) {
        return `sourceArn ${shown(sourceArn)} leaves its service, region or account open`;
    }
    const isExecuteApi = parts.service === "execute-api";
    const isLogGroup = parts.service === "logs" && parts.resource.startsWith("log-group:") && parts.resource.endsWith(":*");
    // execute-api: only the API id must be fixed; logs: the log group without its trailing `:*`.
    const fixedPart = isExecuteApi ? parts.resource.split("/")[0] : isLogGroup ? parts.resource.slice(0, -":*".length) : parts.resource;
    if (wild(fixedPart) || (isLogGroup && fixedPart === "log-group:")) {
        return `sourceArn ${shown(sourceArn)} leaves its resource open; name one resource, with no * or ?${isExecuteApi ? " in the API id" : ""}`;
    }
    if (isExecuteApi && parts.resource.split("/").length < 4) {
        return `sourceArn ${shown(sourceArn)} lets every route of the API invoke; name the stage, method and path (<api-id>/<stage>/<METHOD>/<path>)`;
    }
    return undefined;
}

export const lambdaPermissionScoped: ResourceValidationPolicy = {
    name: "lambda-permission-scoped",
    description: describePolicy(
        [CONTROLS.lambdaPublicAccess],
        'every aws:lambda/permission:Permission names a principal that is not "*" and a sourceArn with a fixed service, region and account (an s3 ARN has neither region nor account) and no * or ? in its resource part (an execute-api one: a fixed API id, down to stage, method and path, wildcards allowed after the id; a log group ARN may end in its usual :*); an s3 principal also needs sourceAccount.',
    ),
    url: CONTROLS.lambdaPublicAccess.url,
    validateResource: validateResourceOfType(aws.lambda.Permission, (_permission, args, reportViolation) => {
        const principal = rawValueAt(args.props, ["principal"]);
        if (isKnownString(principal) && principal.includes("*")) {
            reportViolation(violationMessage([CONTROLS.lambdaPublicAccess], args, `principal is ${shown(principal)}; anyone could invoke the function. Name the service or account.`));
        }
        const problem = sourceArnProblem(rawValueAt(args.props, ["sourceArn"]));
        if (problem !== undefined) {
            reportViolation(violationMessage([CONTROLS.lambdaPublicAccess], args, `${problem}.`));
        }
        if (principal === "s3.amazonaws.com" && !isSet(rawValueAt(args.props, ["sourceAccount"]))) {
            reportViolation(violationMessage([CONTROLS.lambdaPublicAccess], args, "sourceAccount is unset for an s3.amazonaws.com principal; bucket ARNs name no account, so Lambda.1 asks for the account too."));
        }
    }),
};

export const lambdaSupportedRuntime: ResourceValidationPolicy = {
    name: "lambda-supported-runtime",
    description: describePolicy(
        [CONTROLS.lambdaSupportedRuntime],
        `every zip-packaged aws:lambda/function:Function names a supported runtime: nodejs${OLDEST_SUPPORTED_NODE_MAJOR}.x or later, or one of ${SUPPORTED_RUNTIMES.join(", ")} (policy/lambda-runtimes.ts, from AWS's Lambda runtimes page).`,
    ),
    url: CONTROLS.lambdaSupportedRuntime.url,
    validateResource: validateResourceOfType(aws.lambda.Function, (_fn, args, reportViolation) => {
        if (rawValueAt(args.props, ["packageType"]) === "Image") {
            return; // A container image brings its own runtime; Lambda.2 does not judge it.
        }
        const runtime = rawValueAt(args.props, ["runtime"]);
        if (!isKnownString(runtime) || !isSupportedRuntime(runtime)) {
            reportViolation(violationMessage([CONTROLS.lambdaSupportedRuntime], args, `runtime is ${shown(runtime)}; use nodejs${OLDEST_SUPPORTED_NODE_MAJOR}.x or later (or another runtime AWS still supports).`));
        }
    }),
};

/** The log group a function writes to: the one its loggingConfig.logGroup names or came from, else `/aws/lambda/<name>`. */
function logGroupOfFunction(fn: PolicyResource, logGroups: readonly PolicyResource[]): { expected: string; group: PolicyResource | undefined } {
    const configured = rawValueAt(fn.props, ["loggingConfig", "logGroup"]);
    const fromDependency = (fn.propertyDependencies.loggingConfig ?? []).find((dependency) => logGroups.includes(dependency));
    const functionName = rawValueAt(fn.props, ["name"]);
    const expected = isSet(configured) ? String(configured) : `/aws/lambda/${isKnownString(functionName) ? functionName : fn.name}`;
    const byName = logGroups.find((group) => {
        const name = rawValueAt(group.props, ["name"]);
        return isKnownString(name) && name === expected;
    });
    const byDependency = logGroups.find((group) => isSet(configured) && !isKnownString(configured) && group === fromDependency);
    return { expected, group: byName ?? byDependency };
}

export const lambdaLogGroup: StackValidationPolicy = {
    name: "lambda-log-group",
    description: describePolicy(
        [CONTROLS.lambdaLogGroup],
        "every aws:lambda/function:Function has its log group (loggingConfig.logGroup, else /aws/lambda/<function name>) in the same stack, so Lambda does not create one that never expires; that group sets retentionInDays above 0 and, when any other log group of the stack sets kmsKeyId (the stack encrypts its logs), a kmsKeyId too.",
    ),
    validateStack: (args, reportViolation) => {
        const logGroups = args.resources.filter((resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup");
        const functions = args.resources.filter((resource) => resource.type === "aws:lambda/function:Function");
        for (const fn of functions) {
            const { expected, group } = logGroupOfFunction(fn, logGroups);
            const report = (problem: string) => reportViolation(violationMessage([CONTROLS.lambdaLogGroup], fn, problem), fn.urn);
            if (group === undefined) {
                report(`no aws:cloudwatch/logGroup:LogGroup named ${expected} in the stack; Lambda would create it on first use with no retention and no key.`);
                continue;
            }
            const days = rawValueAt(group.props, ["retentionInDays"]);
            if (!(typeof days === "number" && days > 0)) {
                report(`its log group ${expected} has retentionInDays ${shown(days)}; events would never expire.`);
            }
            const stackEncryptsLogs = logGroups.some((other) => other !== group && isSet(rawValueAt(other.props, ["kmsKeyId"])));
            if (stackEncryptsLogs && !isSet(rawValueAt(group.props, ["kmsKeyId"]))) {
                report(`its log group ${expected} has no kmsKeyId while the stack's other log groups are encrypted; use the same key.`);
            }
        }
    },
};

const DYNAMODB_TABLE = "aws:dynamodb/table:Table";
const DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";

export const dynamoDbPointInTimeRecovery: ResourceValidationPolicy = {
    name: "dynamodb-point-in-time-recovery",
    description: describePolicy(
        [CONTROLS.dynamoDbPointInTimeRecovery],
        "every aws:dynamodb/table:Table sets pointInTimeRecovery.enabled to true (unset, it is off), each of its replicas[] too, and every TableReplica sets pointInTimeRecovery to true.",
    ),
    url: CONTROLS.dynamoDbPointInTimeRecovery.url,
    validateResource: (args, reportViolation) => {
        const report = (problem: string) => reportViolation(violationMessage([CONTROLS.dynamoDbPointInTimeRecovery], args, problem));
        if (args.type === DYNAMODB_TABLE) {
            const enabled = rawValueAt(args.props, ["pointInTimeRecovery", "enabled"]);
            if (enabled !== true) {
                report(`pointInTimeRecovery.enabled is ${shown(enabled)}; without it a bad write or delete cannot be rolled back.`);
            }
            listAt(args.props, ["replicas"]).forEach((replica, index) => {
                const replicaEnabled = rawValueAt(replica as object, ["pointInTimeRecovery"]);
                if (replicaEnabled !== true) {
                    report(`replicas[${index}] (${shown(rawValueAt(replica as object, ["regionName"]))}).pointInTimeRecovery is ${shown(replicaEnabled)}; it must be true.`);
                }
            });
        } else if (args.type === DYNAMODB_TABLE_REPLICA) {
            const enabled = rawValueAt(args.props, ["pointInTimeRecovery"]);
            if (enabled !== true) {
                report(`pointInTimeRecovery is ${shown(enabled)}; it must be true.`);
            }
        } else {
            args.notApplicable("Policy only applies to DynamoDB tables and their replicas");
        }
    },
};

export const dynamoDbEncryption: ResourceValidationPolicy = {
    name: "dynamodb-encryption",
    description: describePolicy(
        [CONTROLS.dynamoDbEncryption],
        "every aws:dynamodb/table:Table sets serverSideEncryption.enabled to true (a KMS key; unset or false means the AWS-owned key, which the account can neither audit nor revoke).",
    ),
    validateResource: validateResourceOfType(aws.dynamodb.Table, (_table, args, reportViolation) => {
        const enabled = rawValueAt(args.props, ["serverSideEncryption", "enabled"]);
        if (enabled !== true) {
            reportViolation(violationMessage([CONTROLS.dynamoDbEncryption], args, `serverSideEncryption.enabled is ${shown(enabled)}; set it to true (with kmsKeyArn for a customer-managed key).`));
        }
    }),
};

/** Every rule of the pack, in the order the CLI lists them. */
export const POLICIES: ReadonlyArray<ResourceValidationPolicy | StackValidationPolicy> = [
    apiGatewayExecutionLogging,
    apiGatewayStageMethodSettings,
    apiGatewayXrayTracing,
    apiGatewayStageClientCertificate,
    apiGatewayWebAcl,
    apiGatewayCacheEncrypted,
    apiGatewayAccessLogging,
    apiGatewayThrottling,
    apiGatewayDataTraceOff,
    cloudWatchLogRetention,
    apiGatewayExecutionLogGroup,
    cloudWatchLogGroupKms,
    ec2Imdsv2Required,
    ec2EbsEncrypted,
    ec2InstanceLaunchTemplate,
    ec2VpcFlowLogs,
    ec2NoSshFromAnywhere,
    ec2NoRdpFromAnywhere,
    ec2NoHighRiskPortsFromAnywhere,
    ec2EgressRestricted,
    ec2SecurityGroupRulesCombined,
    ec2LaunchTemplateImdsv2,
    ec2LaunchTemplateNoPublicIp,
    autoScalingMultipleZones,
    autoScalingElbHealthChecks,
    noPlaintextSecrets,
    apiGatewayV2ExecutionLogging,
    lambdaPermissionScoped,
    lambdaSupportedRuntime,
    lambdaLogGroup,
    dynamoDbPointInTimeRecovery,
    dynamoDbEncryption,
];
