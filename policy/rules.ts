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
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
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

export const apiGatewayThrottling: ResourceValidationPolicy = {
    name: "apigateway-throttling",
    description: describePolicy(
        [CONTROLS.throttling],
        "MethodSettings for */* set throttlingRateLimit and throttlingBurstLimit above 0; a per-method override must not lift them.",
    ),
    validateResource: validateResourceOfType(aws.apigateway.MethodSettings, (methodSettings, args, reportViolation) => {
        const stageWide = methodSettings.methodPath === STAGE_WIDE_METHOD_PATH;
        const limits = {
            throttlingRateLimit: methodSettings.settings?.throttlingRateLimit,
            throttlingBurstLimit: methodSettings.settings?.throttlingBurstLimit,
        };
        for (const [setting, value] of Object.entries(limits)) {
            // -1, the provider's default, means "not throttled".
            const unthrottled = value === undefined ? stageWide : !(value > 0);
            if (unthrottled) {
                reportViolation(violationMessage([CONTROLS.throttling], args, `settings.${setting} for ${methodSettings.methodPath} is ${shown(value)}; it must be above 0.`));
            }
        }
    }),
};

export const apiGatewayDataTraceOff: ResourceValidationPolicy = {
    name: "apigateway-data-trace-off",
    description: describePolicy([CONTROLS.noDataTrace], "no MethodSettings sets dataTraceEnabled to true."),
    validateResource: validateResourceOfType(aws.apigateway.MethodSettings, (methodSettings, args, reportViolation) => {
        if (methodSettings.settings?.dataTraceEnabled === true) {
            reportViolation(violationMessage([CONTROLS.noDataTrace], args, `settings.dataTraceEnabled is true for ${methodSettings.methodPath}; full request and response bodies in logs can carry credentials and personal data.`));
        }
    }),
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
    description: describePolicy([CONTROLS.accessLogs], "every Stage sets accessLogSettings.destinationArn."),
    validateResource: validateResourceOfType(aws.apigateway.Stage, (_stage, args, reportViolation) => {
        // The destination is normally a log group's ARN, unknown until that group exists: only
        // whether it is set matters here.
        if (!isSet(rawValueAt(args.props, ["accessLogSettings", "destinationArn"]))) {
            reportViolation(violationMessage([CONTROLS.accessLogs], args, "accessLogSettings.destinationArn is unset; the stage writes no access logs."));
        }
    }),
};

/**
 * Whether these are the stage's `*\/*` settings: the stage name taken from the stage (or equal
 * to it), on the same REST API. A preview of a new stack cannot know the REST API's id yet; then
 * the stage name has to do.
 */
function isStageWideSettingsOf(methodSettings: PolicyResource, stage: PolicyResource): boolean {
    if (rawValueAt(methodSettings.props, ["methodPath"]) !== STAGE_WIDE_METHOD_PATH) {
        return false;
    }
    const value = (resource: PolicyResource, property: string) => rawValueAt(resource.props, [property]);
    const sameStageName =
        dependsThrough(methodSettings, "stageName", stage) ||
        (isKnownString(value(methodSettings, "stageName")) && value(methodSettings, "stageName") === value(stage, "stageName"));
    const settingsApi = value(methodSettings, "restApi");
    const stageApi = value(stage, "restApi");
    const sameRestApi = !isKnownString(settingsApi) || !isKnownString(stageApi) || settingsApi === stageApi;
    return sameStageName && sameRestApi;
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

/** Whether a web ACL association protects the stage: its resourceArn is the stage's ARN. */
function protectsStage(association: PolicyResource, stage: PolicyResource): boolean {
    // During a preview of a new stack both ARNs are unknown, but the engine still says which
    // resource the association's resourceArn came from.
    if (dependsThrough(association, "resourceArn", stage)) {
        return true;
    }
    const resourceArn = rawValueAt(association.props, ["resourceArn"]);
    return isKnownString(resourceArn) && resourceArn === rawValueAt(stage.props, ["arn"]);
}

export const apiGatewayWebAcl: StackValidationPolicy = {
    name: "apigateway-waf-association",
    description: describePolicy([CONTROLS.webAcl], "every Stage is the resourceArn of an aws:wafv2/webAclAssociation:WebAclAssociation in the same stack."),
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

// ---------------------------------------------------------------------------------------------
// EC2

/** The VPC a VPC resource stands for: its id (aws:ec2/vpc:Vpc), or the vpcId output of awsx's component. */
function vpcIdOf(vpc: PolicyResource): unknown {
    return vpc.type === "awsx:ec2:Vpc" ? rawValueAt(vpc.props, ["vpcId"]) : rawValueAt(vpc.props, ["id"]);
}

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
    description: describePolicy([CONTROLS.vpcFlowLogs], "every VPC (aws:ec2/vpc:Vpc, or awsx's Vpc component) is the vpcId of an aws:ec2/flowLog:FlowLog in the same stack."),
    url: CONTROLS.vpcFlowLogs.url,
    validateStack: (args, reportViolation) => {
        const flowLogs = resourcesOfType(args, aws.ec2.FlowLog);
        const vpcs = args.resources.filter((resource) => resource.type === "aws:ec2/vpc:Vpc" || resource.type === "awsx:ec2:Vpc");
        for (const vpc of vpcs) {
            // awsx's component hands out its child VPC's id: a flow log built from it names the
            // component, not the child, as the source of its vpcId.
            const standsFor = vpc.parent?.type === "awsx:ec2:Vpc" ? [vpc, vpc.parent] : [vpc];
            if (!flowLogs.some((flowLog) => standsFor.some((candidate) => logsVpc(flowLog, candidate)))) {
                reportViolation(
                    violationMessage([CONTROLS.vpcFlowLogs], vpc, "no aws:ec2/flowLog:FlowLog records this VPC's traffic; set flowLogsEnabled: true."),
                    vpc.urn,
                );
            }
        }
    },
};

export const ec2Imdsv2Required: ResourceValidationPolicy = {
    name: "ec2-imdsv2-required",
    description: describePolicy([CONTROLS.imdsv2], 'every Instance sets metadataOptions.httpTokens to "required".'),
    url: CONTROLS.imdsv2.url,
    validateResource: validateResourceOfType(aws.ec2.Instance, (instance, args, reportViolation) => {
        const httpTokens = instance.metadataOptions?.httpTokens;
        if (httpTokens !== "required") {
            reportViolation(violationMessage([CONTROLS.imdsv2], args, `metadataOptions.httpTokens is ${shown(httpTokens)}; IMDSv2 needs "required".`));
        }
    }),
};

export const ec2EbsEncrypted: ResourceValidationPolicy = {
    name: "ec2-ebs-encrypted",
    description: describePolicy(
        [CONTROLS.ebsEncryption],
        "every Instance sets rootBlockDevice.encrypted and each ebsBlockDevices[].encrypted to true; every ebs Volume sets encrypted to true.",
    ),
    url: CONTROLS.ebsEncryption.url,
    validateResource: [
        validateResourceOfType(aws.ec2.Instance, (instance, args, reportViolation) => {
            // Unset means "the account default", which this pack cannot see: it must be explicit.
            if (instance.rootBlockDevice?.encrypted !== true) {
                reportViolation(violationMessage([CONTROLS.ebsEncryption], args, `rootBlockDevice.encrypted is ${shown(instance.rootBlockDevice?.encrypted)}; it must be true.`));
            }
            (instance.ebsBlockDevices ?? []).forEach((device, index) => {
                if (device.encrypted !== true) {
                    reportViolation(violationMessage([CONTROLS.ebsEncryption], args, `ebsBlockDevices[${index}] (${device.deviceName}).encrypted is ${shown(device.encrypted)}; it must be true.`));
                }
            });
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
    /** Where the rule sits, for messages: `ingress[1]`, or `rule` for a standalone rule resource. */
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
const HIGHEST_PORT = 65535;

/** A CIDR with prefix length 0 (`0.0.0.0/0`, `::/0`) is the whole address family. */
function isAnywhere(cidr: string): boolean {
    return cidr.trim().endsWith("/0");
}

function reachesTcpPort(rule: NetworkRule, port: number): boolean {
    if (ALL_PROTOCOLS.includes(rule.protocol)) {
        return true;
    }
    return TCP.includes(rule.protocol) && (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? HIGHEST_PORT);
}

function coversAllPorts(rule: NetworkRule): boolean {
    if (ALL_PROTOCOLS.includes(rule.protocol)) {
        return true;
    }
    return [...TCP, ...UDP].includes(rule.protocol) && (rule.fromPort ?? 0) <= 0 && (rule.toPort ?? HIGHEST_PORT) >= HIGHEST_PORT;
}

function networkRule(where: string, fields: { protocol?: string | number; fromPort?: number; toPort?: number; cidrs: readonly (string | undefined)[] }): NetworkRule {
    return {
        where,
        protocol: String(fields.protocol ?? "").toLowerCase(),
        fromPort: fields.fromPort,
        toPort: fields.toPort,
        cidrs: fields.cidrs.filter((cidr): cidr is string => typeof cidr === "string"),
    };
}

type Direction = "ingress" | "egress";

/** The rules of one direction that a SecurityGroup, SecurityGroupRule or vpc rule resource declares. */
const networkRulesOf: Record<Direction, Array<(args: ResourceValidationArgs) => NetworkRule[] | undefined>> = {
    ingress: [
        (args) =>
            args.asType(aws.ec2.SecurityGroup)?.ingress?.map((rule, index) =>
                networkRule(`ingress[${index}]`, { ...rule, cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])] }),
            ),
        (args) => {
            const rule = args.asType(aws.ec2.SecurityGroupRule);
            return rule?.type === "ingress" ? [networkRule("rule", { ...rule, cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])] })] : undefined;
        },
        (args) => {
            const rule = args.asType(aws.vpc.SecurityGroupIngressRule);
            return rule && [networkRule("rule", { protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs: [rule.cidrIpv4, rule.cidrIpv6] })];
        },
    ],
    egress: [
        (args) =>
            args.asType(aws.ec2.SecurityGroup)?.egress?.map((rule, index) =>
                networkRule(`egress[${index}]`, { ...rule, cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])] }),
            ),
        (args) => {
            const rule = args.asType(aws.ec2.SecurityGroupRule);
            return rule?.type === "egress" ? [networkRule("rule", { ...rule, cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])] })] : undefined;
        },
        (args) => {
            const rule = args.asType(aws.vpc.SecurityGroupEgressRule);
            return rule && [networkRule("rule", { protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs: [rule.cidrIpv4, rule.cidrIpv6] })];
        },
    ],
};

/** Security groups and both kinds of standalone rule resources; anything else is not applicable. */
function networkRulesIn(direction: Direction, args: ResourceValidationArgs): NetworkRule[] {
    for (const extract of networkRulesOf[direction]) {
        const rules = extract(args);
        if (rules !== undefined) {
            return rules;
        }
    }
    return args.notApplicable(`Policy only applies to security groups and their ${direction} rules`);
}

function portsShown(rule: NetworkRule): string {
    return ALL_PROTOCOLS.includes(rule.protocol) ? "all traffic" : `${rule.protocol} ${rule.fromPort ?? 0}-${rule.toPort ?? HIGHEST_PORT}`;
}

/** A rule for one control: no ingress open to anywhere that reaches any of `ports` over TCP. */
function noIngressFromAnywhere(name: string, control: Control, ports: readonly number[], what: string): ResourceValidationPolicy {
    return {
        name,
        description: describePolicy(
            [control],
            `no security group ingress (SecurityGroup ingress, SecurityGroupRule of type ingress, vpc SecurityGroupIngressRule) open to 0.0.0.0/0 or ::/0 reaches TCP ${what}.`,
        ),
        url: control.url,
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            for (const rule of networkRulesIn("ingress", args)) {
                const anywhere = rule.cidrs.filter(isAnywhere);
                const reached = ports.filter((port) => reachesTcpPort(rule, port));
                if (anywhere.length > 0 && reached.length > 0) {
                    reportViolation(violationMessage([control], args, `${rule.where} opens ${portsShown(rule)} (port${reached.length === 1 ? "" : "s"} ${reached.join(", ")}) to ${anywhere.join(", ")}.`));
                }
            }
        },
    };
}

export const ec2NoSshFromAnywhere = noIngressFromAnywhere("ec2-no-ssh-from-anywhere", CONTROLS.noSshFromAnywhere, [SSH_PORT], "port 22 (SSH)");
export const ec2NoRdpFromAnywhere = noIngressFromAnywhere("ec2-no-rdp-from-anywhere", CONTROLS.noRdpFromAnywhere, [RDP_PORT], "port 3389 (RDP)");
export const ec2NoHighRiskPortsFromAnywhere = noIngressFromAnywhere(
    "ec2-no-high-risk-ports-from-anywhere",
    CONTROLS.noHighRiskPortsFromAnywhere,
    HIGH_RISK_PORTS,
    `any port of EC2.19's high-risk list (${HIGH_RISK_PORTS.join(", ")})`,
);

export const ec2EgressRestricted: ResourceValidationPolicy = {
    name: "ec2-egress-restricted",
    description: describePolicy(
        [CONTROLS.restrictedEgress],
        'no security group egress (SecurityGroup egress, SecurityGroupRule of type egress, vpc SecurityGroupEgressRule) allows protocol "-1" or all ports to 0.0.0.0/0 or ::/0.',
    ),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const rule of networkRulesIn("egress", args)) {
            const anywhere = rule.cidrs.filter(isAnywhere);
            if (anywhere.length > 0 && coversAllPorts(rule)) {
                reportViolation(violationMessage([CONTROLS.restrictedEgress], args, `${rule.where} lets ${ALL_PROTOCOLS.includes(rule.protocol) ? "all traffic" : `all ${rule.protocol} ports`} out to ${anywhere.join(", ")}; list the ports the instance needs.`));
            }
        }
    },
};

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

function formatPath(path: PropertyPath): string {
    return path.map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`)).join("");
}

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description: describePolicy(
        [CONTROLS.noPlaintextSecrets],
        "remote command connection passwords and private keys, API key values and any string holding a PEM/OpenSSH private key arrive as Pulumi secrets (so the state stores them encrypted); a KeyPair's publicKey holds no private key.",
    ),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        // The raw props: a credential that is not known yet (a key generated in the same
        // update) must not stop the check, since its secretness is known all the same.
        const props = rawPropsOf(args.props);
        const credentials = (CREDENTIAL_INPUTS[args.type] ?? []).filter((path) => isSet(rawValueAt(props, path)));
        const seen = new Set<string>();
        for (const path of [...credentials, ...privateKeyPaths(props)]) {
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
    cloudWatchLogGroupKms,
    ec2Imdsv2Required,
    ec2EbsEncrypted,
    ec2VpcFlowLogs,
    ec2NoSshFromAnywhere,
    ec2NoRdpFromAnywhere,
    ec2NoHighRiskPortsFromAnywhere,
    ec2EgressRestricted,
    noPlaintextSecrets,
];
