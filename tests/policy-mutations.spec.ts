import { expect } from "chai";
import { gzipSync } from "node:zlib";
import { AnalyzeResponse, AnalyzeStackRequest, AnalyzerPropertyDependencies, AnalyzerResource, AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzedResource, Finding, evaluatePolicies } from "../policy/evaluate";
import { POLICIES } from "../policy/rules";
import { SECRET_SIG, SECRET_SIG_VALUE } from "../tools/mock-runtime";

/**
 * The mutation table: for every rule of the pack, the shapes in which a program can break its
 * control (other resource types that express it, rules split across entries or resources, IPv6,
 * defaults left unset), each of which the rule must report, and compliant shapes it must pass.
 * The fixtures are built here, independent of the committed stacks, so a user's edits to the stack
 * files cannot change them; tests/policy.spec.ts covers the committed stacks themselves.
 */

const STACK = "prod";

interface FixtureOptions {
    /** Per input property, the fixtures its value came from (the engine's property dependencies). */
    readonly from?: Readonly<Record<string, readonly AnalyzedResource[]>>;
}

function urnOf(type: string, name: string): string {
    return `urn:pulumi:${STACK}::hello-gateway::${type}::${name}`;
}

/** A resource as the engine would hand it to the pack: these inputs, and the same as its state. */
function fixture(type: string, name: string, inputs: Record<string, unknown>, options: FixtureOptions = {}): AnalyzedResource {
    const propertyDependencies = Object.fromEntries(Object.entries(options.from ?? {}).map(([property, sources]) => [property, sources.map((source) => source.urn)]));
    return {
        type,
        name,
        urn: urnOf(type, name),
        read: false,
        inputs,
        state: inputs,
        parentUrn: "",
        dependencyUrns: Object.values(propertyDependencies).flat(),
        propertyDependencies,
        ignoreChanges: [],
        customTimeouts: undefined,
    };
}

const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_SIG_VALUE, value });
/** What an output not known yet (a preview of a new resource) looks like to the pack. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

// ---------------------------------------------------------------------------------------------
// Types and compliant building blocks

const T = {
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    stage: "aws:apigateway/stage:Stage",
    v2Api: "aws:apigatewayv2/api:Api",
    v2Stage: "aws:apigatewayv2/stage:Stage",
    association: "aws:wafv2/webAclAssociation:WebAclAssociation",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    instance: "aws:ec2/instance:Instance",
    spot: "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
    spotFleet: "aws:ec2/spotFleetRequest:SpotFleetRequest",
    launchConfiguration: "aws:ec2/launchConfiguration:LaunchConfiguration",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    volume: "aws:ebs/volume:Volume",
    vpc: "aws:ec2/vpc:Vpc",
    defaultVpc: "aws:ec2/defaultVpc:DefaultVpc",
    flowLog: "aws:ec2/flowLog:FlowLog",
    group: "aws:ec2/securityGroup:SecurityGroup",
    defaultGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    groupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    asg: "aws:autoscaling/group:Group",
    asgAttachment: "aws:autoscaling/attachment:Attachment",
    asgTrafficSource: "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
    remoteCommand: "command:remote:Command",
    localCommand: "command:local:Command",
    apiKey: "aws:apigateway/apiKey:ApiKey",
    keyPair: "aws:ec2/keyPair:KeyPair",
    lambdaFunction: "aws:lambda/function:Function",
    lambdaPermission: "aws:lambda/permission:Permission",
    table: "aws:dynamodb/table:Table",
    tableReplica: "aws:dynamodb/tableReplica:TableReplica",
} as const;

const ACCOUNT = "123456789012";
const LOG_GROUP_ARN = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:access`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b7d4d5e-1111-2222-3333-444455556666`;
const STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
const ACCESS_LOGS = { destinationArn: LOG_GROUP_ARN, format: '{"requestId":"$context.requestId"}' };

const goodSettings = { loggingLevel: "INFO", throttlingRateLimit: 100, throttlingBurstLimit: 50, dataTraceEnabled: false, metricsEnabled: true };
const methodSettings = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.methodSettings, name, { restApi: "abc123", stageName: "prod", methodPath: "*/*", settings: goodSettings, ...inputs });
const restStage = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.stage, name, { restApi: "abc123", stageName: "prod", deployment: "dep1", xrayTracingEnabled: true, clientCertificateId: "cc1", accessLogSettings: ACCESS_LOGS, arn: STAGE_ARN, ...inputs });
const routeDefaults = { loggingLevel: "INFO", throttlingRateLimit: 100, throttlingBurstLimit: 50, dataTraceEnabled: false, detailedMetricsEnabled: true };
const v2Api = (name: string, protocolType: "HTTP" | "WEBSOCKET") => fixture(T.v2Api, name, { id: `${name}-id`, protocolType, name });
const v2Stage = (name: string, api: AnalyzedResource | undefined, inputs: Record<string, unknown> = {}) =>
    fixture(T.v2Stage, name, { apiId: api ? api.inputs.id : "elsewhere", name: "prod", accessLogSettings: ACCESS_LOGS, defaultRouteSettings: routeDefaults, ...inputs }, { from: api ? { apiId: [api] } : {} });
const httpDefaults = { throttlingRateLimit: 100, throttlingBurstLimit: 50, detailedMetricsEnabled: true };
const logGroup = (name: string, inputs: Record<string, unknown> = {}) => fixture(T.logGroup, name, { name, retentionInDays: 365, kmsKeyId: KEY_ARN, ...inputs });
const metadata = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };
const instance = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.instance, name, { ami: "ami-1", instanceType: "t3.micro", metadataOptions: metadata, rootBlockDevice: { encrypted: true, volumeSize: 8 }, ...inputs });
const launchTemplate = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.launchTemplate, name, {
        imageId: "ami-1",
        metadataOptions: metadata,
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 8 } }],
        networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }],
        ...inputs,
    });
/** A launch specification of a spot fleet: root and extra volumes encrypted; it has no metadataOptions field at all. */
const fleetSpec = (inputs: Record<string, unknown> = {}) => ({ ami: "ami-1", instanceType: "t3.micro", rootBlockDevices: [{ encrypted: true, volumeSize: 8 }], ...inputs });
const spotFleet = (name: string, inputs: Record<string, unknown>) =>
    fixture(T.spotFleet, name, { iamFleetRole: "arn:aws:iam::123456789012:role/fleet", targetCapacity: 2, ...inputs });
const FLEET_TEMPLATE_CONFIGS = [{ launchTemplateSpecification: { id: "lt-1", version: "$Latest" }, overrides: [{ subnetId: "subnet-a" }] }];
const vpc = (name: string) => fixture(T.vpc, name, { id: `${name}-id`, cidrBlock: "10.0.0.0/16" });
const flowLog = (name: string, target: AnalyzedResource, trafficType: string) =>
    fixture(T.flowLog, name, { vpcId: target.inputs.id, trafficType, logDestination: LOG_GROUP_ARN }, { from: { vpcId: [target] } });

type Rule = Record<string, unknown>;
const tcp = (port: number | [number, number], cidrs: string[], ipv6: string[] = []): Rule => {
    const [fromPort, toPort] = typeof port === "number" ? [port, port] : port;
    return { protocol: "tcp", fromPort, toPort, cidrBlocks: cidrs, ipv6CidrBlocks: ipv6 };
};
const allTraffic = (cidrs: string[], ipv6: string[] = []): Rule => ({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: cidrs, ipv6CidrBlocks: ipv6 });
const HTTPS_OUT = tcp(443, ["0.0.0.0/0"]);
const group = (name: string, ingress: Rule[], egress: Rule[] = [HTTPS_OUT]) => fixture(T.group, name, { id: `sg-${name}`, vpcId: "vpc-1", ingress, egress });
const defaultGroup = (name: string, ingress: Rule[], egress: Rule[] = [HTTPS_OUT]) => fixture(T.defaultGroup, name, { id: `sg-default-${name}`, vpcId: "vpc-1", ingress, egress });
/** A standalone SecurityGroupRule attached to `to` (through its id, as the engine records it). */
const groupRule = (name: string, to: AnalyzedResource, type: "ingress" | "egress", rule: Rule) =>
    fixture(T.groupRule, name, { type, securityGroupId: to.inputs.id, ...rule }, { from: { securityGroupId: [to] } });
const vpcRule = (type: string, name: string, to: AnalyzedResource, inputs: Rule) =>
    fixture(type, name, { securityGroupId: to.inputs.id, ...inputs }, { from: { securityGroupId: [to] } });

const asg = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.asg, name, { name, minSize: 2, maxSize: 3, vpcZoneIdentifiers: ["subnet-a", "subnet-b"], healthCheckType: "ELB", launchTemplate: { id: "lt-1" }, ...inputs });
const connection = { host: "203.0.113.10", user: "ec2-user", privateKey: PRIVATE_KEY };
const lambdaFunction = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.lambdaFunction, name, { name, runtime: "nodejs22.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/fn", architectures: ["arm64"], ...inputs });
const EXECUTE_API = `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123`;
const permission = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.lambdaPermission, name, { action: "lambda:InvokeFunction", function: "greet", principal: "apigateway.amazonaws.com", sourceArn: `${EXECUTE_API}/*/GET/greet`, ...inputs });
const table = (name: string, inputs: Record<string, unknown> = {}) =>
    fixture(T.table, name, { name, hashKey: "id", billingMode: "PAY_PER_REQUEST", attributes: [{ name: "id", type: "S" }], pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN }, ...inputs });

const base64 = (text: string) => Buffer.from(text).toString("base64");

// ---------------------------------------------------------------------------------------------
// The table

interface Shape {
    readonly shape: string;
    readonly resources: () => AnalyzedResource[];
}

interface RuleMutations {
    readonly policy: string;
    readonly control: string;
    readonly violating: readonly Shape[];
    readonly compliant: readonly Shape[];
}

const shape = (description: string, resources: () => AnalyzedResource[]): Shape => ({ shape: description, resources });

/** A stage with stage-wide settings and a WAF association: the compliant REST stage in full. */
function compliantRestStage(): AnalyzedResource[] {
    const stage = restStage("stage");
    return [stage, methodSettings("settings", {}), fixture(T.association, "waf", { resourceArn: STAGE_ARN, webAclArn: "arn:aws:wafv2:acl" }, { from: { resourceArn: [stage] } })];
}

const MUTATIONS: readonly RuleMutations[] = [
    {
        policy: "apigateway-execution-logging",
        control: "APIGateway.1",
        violating: [
            shape("*/* loggingLevel OFF", () => [methodSettings("s", { settings: { ...goodSettings, loggingLevel: "OFF" } })]),
            shape("*/* loggingLevel left unset", () => [methodSettings("s", { settings: { throttlingRateLimit: 100, throttlingBurstLimit: 50 } })]),
            shape("a per-method override turning logging OFF", () => [methodSettings("s", { methodPath: "hello/GET", settings: { loggingLevel: "OFF" } })]),
        ],
        compliant: [
            shape("*/* at INFO", () => [methodSettings("s")]),
            shape("*/* at ERROR, an override without a level", () => [methodSettings("s", { settings: { ...goodSettings, loggingLevel: "ERROR" } }), methodSettings("m", { methodPath: "hello/GET", settings: { cachingEnabled: false } })]),
        ],
    },
    {
        policy: "apigateway-stage-method-settings",
        control: "APIGateway.1",
        violating: [
            shape("a stage with no MethodSettings at all", () => [restStage("stage")]),
            shape("only one method's settings, none for */*", () => [restStage("stage"), methodSettings("s", { methodPath: "hello/GET" })]),
            shape("*/* settings for another stage name", () => [restStage("stage"), methodSettings("s", { stageName: "other" })]),
            shape("*/* settings of the same stage name on another REST API", () => [restStage("stage"), methodSettings("s", { restApi: "zzz999" })]),
        ],
        compliant: [shape("*/* settings for the stage", () => [restStage("stage"), methodSettings("s")])],
    },
    {
        policy: "apigateway-xray-tracing",
        control: "APIGateway.3",
        violating: [
            shape("xrayTracingEnabled false", () => [restStage("stage", { xrayTracingEnabled: false })]),
            shape("xrayTracingEnabled left unset", () => [restStage("stage", { xrayTracingEnabled: undefined })]),
            shape("a second stage without tracing", () => [restStage("stage"), restStage("canary", { stageName: "canary", xrayTracingEnabled: undefined })]),
        ],
        compliant: [shape("xrayTracingEnabled true", () => [restStage("stage")])],
    },
    {
        policy: "apigateway-stage-client-certificate",
        control: "APIGateway.2",
        violating: [
            shape("clientCertificateId unset", () => [restStage("stage", { clientCertificateId: undefined })]),
            shape("clientCertificateId empty", () => [restStage("stage", { clientCertificateId: "" })]),
            shape("clientCertificateId null", () => [restStage("stage", { clientCertificateId: null })]),
        ],
        compliant: [
            shape("a certificate id", () => [restStage("stage")]),
            shape("a certificate id not known yet (preview)", () => [restStage("stage", { clientCertificateId: UNKNOWN })]),
        ],
    },
    {
        policy: "apigateway-waf-association",
        control: "APIGateway.4",
        violating: [
            shape("no association", () => [restStage("stage")]),
            shape("an association naming another stage's ARN", () => [restStage("stage"), fixture(T.association, "waf", { resourceArn: STAGE_ARN.replace("/prod", "/other"), webAclArn: "acl" })]),
            shape("an association built from the stage but naming the stage's execution ARN", () => {
                const stage = restStage("stage", { executionArn: `${EXECUTE_API}/prod` });
                return [stage, fixture(T.association, "waf", { resourceArn: `${EXECUTE_API}/prod`, webAclArn: "acl" }, { from: { resourceArn: [stage] } })];
            }),
            shape("an association built from the stage's ARN with a suffix", () => {
                const stage = restStage("stage");
                return [stage, fixture(T.association, "waf", { resourceArn: `${STAGE_ARN}/x`, webAclArn: "acl" }, { from: { resourceArn: [stage] } })];
            }),
            shape("an association naming the REST API rather than the stage", () => [restStage("stage"), fixture(T.association, "waf", { resourceArn: "arn:aws:apigateway:us-east-1::/restapis/abc123", webAclArn: "acl" })]),
        ],
        compliant: [
            shape("resourceArn is the stage's ARN", () => compliantRestStage()),
            shape("resourceArn not known yet, taken from the stage (preview)", () => {
                const stage = restStage("stage", { arn: UNKNOWN });
                return [stage, fixture(T.association, "waf", { resourceArn: UNKNOWN, webAclArn: "acl" }, { from: { resourceArn: [stage] } })];
            }),
        ],
    },
    {
        policy: "apigateway-cache-encrypted",
        control: "APIGateway.5",
        violating: [
            shape("caching on, cacheDataEncrypted unset", () => [methodSettings("s", { settings: { ...goodSettings, cachingEnabled: true } })]),
            shape("caching on, cacheDataEncrypted false", () => [methodSettings("s", { settings: { ...goodSettings, cachingEnabled: true, cacheDataEncrypted: false } })]),
            shape("a per-method override caching without encryption", () => [methodSettings("s", { methodPath: "hello/GET", settings: { cachingEnabled: true } })]),
        ],
        compliant: [
            shape("caching on and encrypted", () => [methodSettings("s", { settings: { ...goodSettings, cachingEnabled: true, cacheDataEncrypted: true } })]),
            shape("no caching", () => [methodSettings("s")]),
        ],
    },
    {
        policy: "apigateway-access-logging",
        control: "Baseline.AccessLogs",
        violating: [
            shape("REST stage without accessLogSettings", () => [restStage("stage", { accessLogSettings: undefined })]),
            shape("REST stage with a destination but no format", () => [restStage("stage", { accessLogSettings: { destinationArn: LOG_GROUP_ARN } })]),
            shape("HTTP API stage without accessLogSettings", () => [v2Stage("v2", v2Api("api", "HTTP"), { accessLogSettings: undefined, defaultRouteSettings: httpDefaults })]),
            shape("WebSocket stage with a format but no destination", () => [v2Stage("v2", v2Api("api", "WEBSOCKET"), { accessLogSettings: { format: "$context.requestId" } })]),
        ],
        compliant: [
            shape("REST stage with destination and format", () => [restStage("stage")]),
            shape("HTTP API stage with destination and format", () => [v2Stage("v2", v2Api("api", "HTTP"), { defaultRouteSettings: httpDefaults })]),
        ],
    },
    {
        policy: "apigateway-throttling",
        control: "Baseline.Throttling",
        violating: [
            shape("*/* burst -1 (unthrottled)", () => [methodSettings("s", { settings: { ...goodSettings, throttlingBurstLimit: -1 } })]),
            shape("*/* rate left unset", () => [methodSettings("s", { settings: { loggingLevel: "INFO", throttlingBurstLimit: 50 } })]),
            shape("a per-method override with rate 0", () => [methodSettings("s", { methodPath: "hello/GET", settings: { throttlingRateLimit: 0 } })]),
            shape("v2 stage setting only the burst (the rate stays 0: pulumi-aws#2363)", () => [v2Stage("v2", v2Api("api", "HTTP"), { defaultRouteSettings: { throttlingBurstLimit: 50 } })]),
            shape("v2 stage with no defaultRouteSettings", () => [v2Stage("v2", v2Api("api", "HTTP"), { defaultRouteSettings: undefined })]),
            shape("v2 route override naming only the rate", () => [v2Stage("v2", v2Api("api", "HTTP"), { defaultRouteSettings: httpDefaults, routeSettings: [{ routeKey: "GET /greet", throttlingRateLimit: 10 }] })]),
            shape("v2 route override naming neither limit (both sent as 0)", () => [v2Stage("v2", v2Api("api", "HTTP"), { defaultRouteSettings: httpDefaults, routeSettings: [{ routeKey: "GET /greet", detailedMetricsEnabled: true }] })]),
            shape("a per-method override leaving both limits to the provider's default -1 (unthrottled)", () => [methodSettings("s"), methodSettings("m", { methodPath: "hello/GET", settings: { loggingLevel: "INFO", metricsEnabled: true } })]),
        ],
        compliant: [
            shape("*/* rate and burst above 0", () => [methodSettings("s")]),
            shape("a per-method override stating both limits", () => [methodSettings("s"), methodSettings("m", { methodPath: "hello/GET", settings: { ...goodSettings, throttlingRateLimit: 5, throttlingBurstLimit: 10 } })]),
            shape("v2 stage and route override with both limits", () => [v2Stage("v2", v2Api("api", "HTTP"), { defaultRouteSettings: httpDefaults, routeSettings: [{ routeKey: "GET /greet", throttlingRateLimit: 10, throttlingBurstLimit: 5 }] })]),
        ],
    },
    {
        policy: "apigateway-data-trace-off",
        control: "Baseline.DataTrace",
        violating: [
            shape("*/* dataTraceEnabled", () => [methodSettings("s", { settings: { ...goodSettings, dataTraceEnabled: true } })]),
            shape("a per-method override with dataTraceEnabled", () => [methodSettings("s", { methodPath: "hello/GET", settings: { dataTraceEnabled: true } })]),
            shape("WebSocket stage defaultRouteSettings.dataTraceEnabled", () => [v2Stage("v2", v2Api("api", "WEBSOCKET"), { defaultRouteSettings: { ...routeDefaults, dataTraceEnabled: true } })]),
            shape("WebSocket route override with dataTraceEnabled", () => [v2Stage("v2", v2Api("api", "WEBSOCKET"), { routeSettings: [{ routeKey: "$connect", dataTraceEnabled: true }] })]),
        ],
        compliant: [shape("data trace off everywhere", () => [methodSettings("s"), v2Stage("v2", v2Api("api", "WEBSOCKET"))])],
    },
    {
        policy: "cloudwatch-log-retention",
        control: "Baseline.LogRetention",
        violating: [
            shape("retentionInDays unset", () => [logGroup("g", { retentionInDays: undefined })]),
            shape("retentionInDays 0 (never expire)", () => [logGroup("g", { retentionInDays: 0 })]),
            shape("retentionInDays null", () => [logGroup("g", { retentionInDays: null })]),
        ],
        compliant: [shape("365 days", () => [logGroup("g")])],
    },
    {
        policy: "apigateway-execution-log-group",
        control: "Baseline.LogRetention",
        violating: [
            shape("a stage logging at INFO with no execution log group in the stack", () => [restStage("stage"), methodSettings("s"), logGroup("access")]),
            shape("a stage logging at ERROR whose log group is another stage's", () => [restStage("stage"), methodSettings("s", { settings: { ...goodSettings, loggingLevel: "ERROR" } }), logGroup("API-Gateway-Execution-Logs_abc123/dev")]),
            shape("*/* logging OFF but a per-method override logging at INFO", () => [
                restStage("stage"),
                methodSettings("s", { settings: { ...goodSettings, loggingLevel: "OFF" } }),
                methodSettings("m", { methodPath: "hello/GET", settings: { ...goodSettings, loggingLevel: "INFO" } }),
            ]),
            shape("a new API (preview): the log group's name not from this stage's API", () => {
                const api = fixture("aws:apigateway/restApi:RestApi", "api", { id: UNKNOWN });
                const other = fixture("aws:apigateway/restApi:RestApi", "other", { id: UNKNOWN });
                const stage = fixture(T.stage, "stage", { restApi: UNKNOWN, stageName: "prod", deployment: "dep1" }, { from: { restApi: [api] } });
                return [api, other, stage, methodSettings("s", { restApi: UNKNOWN }), fixture(T.logGroup, "exec", { name: UNKNOWN, retentionInDays: 365 }, { from: { name: [other] } })];
            }),
        ],
        compliant: [
            shape("the stage's execution log group, by name", () => [restStage("stage"), methodSettings("s"), logGroup("API-Gateway-Execution-Logs_abc123/prod")]),
            shape("a new API (preview): the log group named from the stage's API", () => {
                const api = fixture("aws:apigateway/restApi:RestApi", "api", { id: UNKNOWN });
                const stage = fixture(T.stage, "stage", { restApi: UNKNOWN, stageName: "prod", deployment: "dep1" }, { from: { restApi: [api] } });
                return [api, stage, methodSettings("s", { restApi: UNKNOWN }), fixture(T.logGroup, "exec", { name: UNKNOWN, retentionInDays: 365 }, { from: { name: [api] } })];
            }),
            shape("logging OFF everywhere: no execution logs, no group needed", () => [restStage("stage"), methodSettings("s", { settings: { ...goodSettings, loggingLevel: "OFF" } })]),
        ],
    },
    {
        policy: "cloudwatch-log-group-kms",
        control: "Baseline.LogEncryption",
        violating: [
            shape("kmsKeyId unset", () => [logGroup("g", { kmsKeyId: undefined })]),
            shape("kmsKeyId empty", () => [logGroup("g", { kmsKeyId: "" })]),
            shape("kmsKeyId null", () => [logGroup("g", { kmsKeyId: null })]),
        ],
        compliant: [shape("a key", () => [logGroup("g")]), shape("a key not known yet (preview)", () => [logGroup("g", { kmsKeyId: UNKNOWN })])],
    },
    {
        policy: "ec2-imdsv2-required",
        control: "EC2.8",
        violating: [
            shape("Instance httpTokens optional", () => [instance("i", { metadataOptions: { ...metadata, httpTokens: "optional" } })]),
            shape("Instance metadataOptions left unset", () => [instance("i", { metadataOptions: undefined })]),
            shape("SpotInstanceRequest metadataOptions left unset", () => [fixture(T.spot, "spot", { ami: "ami-1", instanceType: "t3.micro", rootBlockDevice: { encrypted: true } })]),
            shape("LaunchConfiguration httpTokens optional", () => [fixture(T.launchConfiguration, "lc", { imageId: "ami-1", instanceType: "t3.micro", metadataOptions: { httpTokens: "optional" }, rootBlockDevice: { encrypted: true } })]),
            shape("SpotFleetRequest launching from a launch specification (it has no metadataOptions)", () => [spotFleet("fleet", { launchSpecifications: [fleetSpec()] })]),
            shape("SpotFleetRequest with two launch specifications, volumes encrypted", () => [spotFleet("fleet", { launchSpecifications: [fleetSpec(), fleetSpec({ instanceType: "t3.small" })] })]),
        ],
        compliant: [
            shape("Instance httpTokens required", () => [instance("i")]),
            shape("an Instance that leaves metadataOptions to its launch template (ec2-instance-launch-template judges it)", () => [instance("i", { metadataOptions: undefined, launchTemplate: { id: "lt-1" } })]),
            shape("SpotInstanceRequest httpTokens required", () => [fixture(T.spot, "spot", { ami: "ami-1", metadataOptions: metadata, rootBlockDevice: { encrypted: true } })]),
            shape("SpotFleetRequest launching only from launchTemplateConfigs (the template has its own rule)", () => [spotFleet("fleet", { launchTemplateConfigs: FLEET_TEMPLATE_CONFIGS })]),
        ],
    },
    {
        policy: "ec2-ebs-encrypted",
        control: "EC2.3",
        violating: [
            shape("Instance root volume encrypted false", () => [instance("i", { rootBlockDevice: { encrypted: false } })]),
            shape("Instance root volume encryption left to the account default", () => [instance("i", { rootBlockDevice: undefined })]),
            shape("Instance extra EBS volume unencrypted", () => [instance("i", { ebsBlockDevices: [{ deviceName: "/dev/sdf", volumeSize: 8 }] })]),
            shape('LaunchTemplate (the fleet) ebs.encrypted "false"', () => [launchTemplate("lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] })]),
            shape("LaunchTemplate with no blockDeviceMappings (AMI snapshot decides)", () => [launchTemplate("lt", { blockDeviceMappings: undefined })]),
            shape("LaunchConfiguration root volume unset", () => [fixture(T.launchConfiguration, "lc", { imageId: "ami-1", metadataOptions: metadata })]),
            shape("SpotInstanceRequest root volume encrypted false", () => [fixture(T.spot, "spot", { ami: "ami-1", metadataOptions: metadata, rootBlockDevice: { encrypted: false } })]),
            shape("ebs Volume unencrypted", () => [fixture(T.volume, "v", { availabilityZone: "us-east-1a", size: 8 })]),
            shape("SpotFleetRequest launch specification with rootBlockDevices[].encrypted false", () => [spotFleet("fleet", { launchSpecifications: [fleetSpec({ rootBlockDevices: [{ encrypted: false }] })] })]),
            shape("SpotFleetRequest launch specification with no rootBlockDevices (AMI and account default decide)", () => [spotFleet("fleet", { launchSpecifications: [fleetSpec(), fleetSpec({ rootBlockDevices: undefined })] })]),
            shape("SpotFleetRequest launch specification with an unencrypted ebsBlockDevices entry", () => [spotFleet("fleet", { launchSpecifications: [fleetSpec({ ebsBlockDevices: [{ deviceName: "/dev/sdf", volumeSize: 8 }] })] })]),
        ],
        compliant: [
            shape("Instance root encrypted", () => [instance("i")]),
            shape("an Instance that leaves its root volume to its launch template (ec2-instance-launch-template judges it)", () => [instance("i", { rootBlockDevice: undefined, launchTemplate: { id: "lt-1" } })]),
            shape("SpotFleetRequest launch specifications with root and extra volumes encrypted", () => [spotFleet("fleet", { launchSpecifications: [fleetSpec({ ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] })] })]),
            shape("SpotFleetRequest launching only from launchTemplateConfigs", () => [spotFleet("fleet", { launchTemplateConfigs: FLEET_TEMPLATE_CONFIGS })]),
            shape('LaunchTemplate ebs.encrypted "true", plus an instance-store mapping', () => [launchTemplate("lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }, { deviceName: "/dev/sdb", virtualName: "ephemeral0" }] })]),
        ],
    },
    {
        policy: "ec2-instance-launch-template",
        control: "EC2.8",
        violating: [
            shape("an Instance from a launch template outside the stack, no metadataOptions of its own", () => [instance("i", { metadataOptions: undefined, launchTemplate: { id: "lt-0123456789abcdef0", version: "$Latest" } })]),
            shape('an Instance from the stack\'s template with httpTokens "optional"', () => {
                const template = launchTemplate("lt", { id: "lt-1", metadataOptions: { ...metadata, httpTokens: "optional" } });
                return [template, instance("i", { metadataOptions: undefined, launchTemplate: { id: "lt-1" } }, )];
            }),
            shape("a SpotInstanceRequest from the stack's template with no metadataOptions (built from it)", () => {
                const template = launchTemplate("lt", { id: UNKNOWN, metadataOptions: undefined });
                return [template, fixture(T.spot, "spot", { instanceType: "t3.micro", rootBlockDevice: { encrypted: true }, launchTemplate: { id: UNKNOWN } }, { from: { launchTemplate: [template] } })];
            }),
        ],
        compliant: [
            shape('an Instance inheriting httpTokens "required" and an encrypted root from the stack\'s template', () => {
                const template = launchTemplate("lt", { id: "lt-1" });
                return [template, instance("i", { metadataOptions: undefined, rootBlockDevice: undefined, launchTemplate: { id: "lt-1", version: "$Latest" } })];
            }),
            shape("an Instance from an outside template that sets both itself", () => [instance("i", { launchTemplate: { name: "shared-template" } })]),
        ],
    },
    {
        policy: "ec2-instance-launch-template",
        control: "EC2.3",
        violating: [
            shape("an Instance from a launch template outside the stack, no rootBlockDevice of its own", () => [instance("i", { rootBlockDevice: undefined, launchTemplate: { name: "shared-template" } })]),
            shape('an Instance from the stack\'s template whose ebs mapping is encrypted "false"', () => {
                const template = launchTemplate("lt", { name: "fleet", blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] });
                return [template, instance("i", { rootBlockDevice: undefined, launchTemplate: { name: "fleet" } })];
            }),
            shape("an Instance from the stack's template with no blockDeviceMappings (the AMI decides)", () => {
                const template = launchTemplate("lt", { id: "lt-1", blockDeviceMappings: undefined });
                return [template, instance("i", { rootBlockDevice: undefined, launchTemplate: { id: "lt-1" } })];
            }),
        ],
        compliant: [
            shape("an Instance inheriting an encrypted root from the stack's template", () => {
                const template = launchTemplate("lt", { id: "lt-1" });
                return [template, instance("i", { rootBlockDevice: undefined, launchTemplate: { id: "lt-1" } })];
            }),
        ],
    },
    {
        policy: "ec2-vpc-flow-logs",
        control: "EC2.6",
        violating: [
            shape("a VPC with no flow log", () => [vpc("vpc")]),
            shape("a flow log of another VPC", () => [vpc("vpc"), fixture(T.flowLog, "fl", { vpcId: "vpc-other", trafficType: "ALL" })]),
            shape("a flow log with trafficType ACCEPT (rejects unlogged)", () => {
                const target = vpc("vpc");
                return [target, flowLog("fl", target, "ACCEPT")];
            }),
            shape("the default VPC adopted into the stack with no flow log", () => [fixture(T.defaultVpc, "default", { id: "vpc-default", cidrBlock: "172.31.0.0/16" })]),
            shape("a flow log with trafficType left unset", () => {
                const target = vpc("vpc");
                return [target, fixture(T.flowLog, "fl", { vpcId: target.inputs.id }, { from: { vpcId: [target] } })];
            }),
        ],
        compliant: [
            shape("trafficType ALL", () => {
                const target = vpc("vpc");
                return [target, flowLog("fl", target, "ALL")];
            }),
            shape("the default VPC with an ALL flow log taking vpcId from it", () => {
                const target = fixture(T.defaultVpc, "default", { id: "vpc-default", cidrBlock: "172.31.0.0/16" });
                return [target, flowLog("fl", target, "ALL")];
            }),
            shape("trafficType REJECT, matched by id", () => {
                const target = vpc("vpc");
                return [target, fixture(T.flowLog, "fl", { vpcId: target.inputs.id, trafficType: "REJECT" })];
            }),
        ],
    },
    {
        policy: "ec2-no-ssh-from-anywhere",
        control: "EC2.13",
        violating: [
            shape("SecurityGroup tcp 22 from 0.0.0.0/0", () => [group("sg", [tcp(22, ["0.0.0.0/0"])])]),
            shape("SecurityGroup tcp 22 from ::/0", () => [group("sg", [tcp(22, [], ["::/0"])])]),
            shape("the IPv4 internet split across two ingress rules (0.0.0.0/1 + 128.0.0.0/1)", () => [group("sg", [tcp(22, ["0.0.0.0/1"]), tcp(22, ["128.0.0.0/1"])])]),
            shape("the IPv6 internet split (::/1 + 8000::/1) in one rule", () => [group("sg", [tcp(22, [], ["::/1", "8000::/1"])])]),
            shape("the IPv6 global unicast space 2000::/3", () => [group("sg", [tcp(22, [], ["2000::/3"])])]),
            shape("each half of the internet in its own SecurityGroupRule (each alone is half)", () => {
                const sg = group("sg", []);
                return [sg, groupRule("a", sg, "ingress", tcp(22, ["0.0.0.0/1"])), groupRule("b", sg, "ingress", tcp(22, ["128.0.0.0/1"]))];
            }),
            shape("DefaultSecurityGroup ingress 22 from 0.0.0.0/0", () => [defaultGroup("default", [tcp(22, ["0.0.0.0/0"])])]),
            shape("vpc SecurityGroupIngressRule for ports 20-25", () => [vpcRule(T.ingressRule, "r", group("sg", []), { ipProtocol: "tcp", fromPort: 20, toPort: 25, cidrIpv4: "0.0.0.0/0" })]),
            shape('SecurityGroupRule of protocol "-1" from ::/0', () => [fixture(T.groupRule, "r", { type: "ingress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] })]),
        ],
        compliant: [
            shape("SSH from a documentation /24, HTTPS from anywhere", () => [group("sg", [tcp(22, ["203.0.113.0/24"]), tcp(443, ["0.0.0.0/0"])])]),
            shape("SSH from 10.0.0.0/8 plus 172.16.0.0/12 (private ranges)", () => [group("sg", [tcp(22, ["10.0.0.0/8"]), tcp(22, ["172.16.0.0/12"])])]),
        ],
    },
    {
        policy: "ec2-no-rdp-from-anywhere",
        control: "EC2.14",
        violating: [
            shape("SecurityGroup tcp 3389 from 0.0.0.0/0", () => [group("sg", [tcp(3389, ["0.0.0.0/0"])])]),
            shape("DefaultSecurityGroup tcp 3389 from ::/0", () => [defaultGroup("default", [tcp(3389, [], ["::/0"])])]),
            shape("all ports split into two halves of the internet on a vpc ingress rule pair", () => {
                const sg = group("sg", []);
                return [sg, vpcRule(T.ingressRule, "a", sg, { ipProtocol: "-1", cidrIpv4: "0.0.0.0/1" }), vpcRule(T.ingressRule, "b", sg, { ipProtocol: "-1", cidrIpv4: "128.0.0.0/1" })];
            }),
        ],
        compliant: [shape("RDP from one address", () => [group("sg", [tcp(3389, ["198.51.100.7/32"])])])],
    },
    {
        policy: "ec2-no-high-risk-ports-from-anywhere",
        control: "EC2.19",
        violating: [
            shape("DefaultSecurityGroup 5432 from 0.0.0.0/0", () => [defaultGroup("default", [tcp(5432, ["0.0.0.0/0"])])]),
            shape("3306 with the internet split in two", () => [group("sg", [tcp(3306, ["0.0.0.0/1"]), tcp(3306, ["128.0.0.0/1"])])]),
            shape("a range 5400-5600 from ::/0", () => [group("sg", [tcp([5400, 5600], [], ["::/0"])])]),
            shape("all traffic from 0.0.0.0/0 through a SecurityGroupRule", () => [fixture(T.groupRule, "r", { type: "ingress", securityGroupId: "sg-1", protocol: "all", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })]),
        ],
        compliant: [shape("443 from anywhere, 5432 from the VPC", () => [group("sg", [tcp(443, ["0.0.0.0/0"]), tcp(5432, ["10.0.0.0/16"])])])],
    },
    {
        policy: "ec2-egress-restricted",
        control: "Baseline.Egress",
        violating: [
            shape('SecurityGroup egress protocol "-1" to 0.0.0.0/0', () => [group("sg", [], [allTraffic(["0.0.0.0/0"])])]),
            shape("DefaultSecurityGroup's AWS default (all egress)", () => [defaultGroup("default", [], [allTraffic(["0.0.0.0/0"], ["::/0"])])]),
            shape("all TCP ports split across two rules (0-32767, 32768-65535)", () => [group("sg", [], [tcp([0, 32767], ["0.0.0.0/0"]), tcp([32768, 65535], ["0.0.0.0/0"])])]),
            shape("all TCP ports split across two standalone rules and two halves of the internet", () => {
                const sg = group("sg", [], []);
                return [sg, groupRule("a", sg, "egress", tcp([0, 65535], ["0.0.0.0/1"])), groupRule("b", sg, "egress", tcp([0, 65535], ["128.0.0.0/1"]))];
            }),
            shape('vpc SecurityGroupEgressRule "-1" to ::/0', () => [vpcRule(T.egressRule, "r", group("sg", [], []), { ipProtocol: "-1", cidrIpv6: "::/0" })]),
            shape("every UDP port left open by port defaults (fromPort/toPort unset)", () => [group("sg", [], [{ protocol: "udp", cidrBlocks: ["0.0.0.0/0"] }])]),
            shape("tcp 1-65535 to 0.0.0.0/0 (port 0 is reserved: this is every port)", () => [group("sg", [], [tcp([1, 65535], ["0.0.0.0/0"])])]),
            shape("udp 1-65535 split over two rules", () => [group("sg", [], [{ protocol: "udp", fromPort: 1, toPort: 30000, cidrBlocks: ["0.0.0.0/0"] }, { protocol: "udp", fromPort: 30001, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] }])]),
        ],
        compliant: [
            shape("443 and 80 to anywhere", () => [group("sg", [], [tcp(443, ["0.0.0.0/0"]), tcp(80, ["0.0.0.0/0"])])]),
            shape("443 only to anywhere", () => [group("sg", [], [HTTPS_OUT])]),
            shape("all traffic to the VPC only", () => [group("sg", [], [allTraffic(["10.0.0.0/16"])])]),
            shape("all TCP ports but one to anywhere", () => [group("sg", [], [tcp([0, 21], ["0.0.0.0/0"]), tcp([23, 65535], ["0.0.0.0/0"])])]),
        ],
    },
    {
        policy: "ec2-security-group-rules-combined",
        control: "EC2.13",
        violating: [
            shape("SSH from three quarters of the internet, a quarter per SecurityGroupRule of one group", () => {
                const sg = group("sg", []);
                return [sg, ...["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2"].map((cidr, index) => groupRule(`q${index}`, sg, "ingress", tcp(22, [cidr])))];
            }),
            shape("SSH: a quarter inline, two more through vpc ingress rules", () => {
                const sg = group("sg", [tcp(22, ["0.0.0.0/2"])]);
                return [sg, vpcRule(T.ingressRule, "a", sg, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "64.0.0.0/2" }), vpcRule(T.ingressRule, "b", sg, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "128.0.0.0/2" })];
            }),
            shape("SSH from IPv6: three /5s of 2000::/3, one per vpc ingress rule", () => {
                const sg = group("sg", []);
                return [sg, ...["2000::/5", "2800::/5", "3000::/5"].map((cidr, index) => vpcRule(T.ingressRule, `v${index}`, sg, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: cidr }))];
            }),
        ],
        compliant: [
            shape("SSH from two documentation ranges, inline and standalone", () => {
                const sg = group("sg", [tcp(22, ["203.0.113.0/24"])]);
                return [sg, groupRule("a", sg, "ingress", tcp(22, ["198.51.100.0/24"]))];
            }),
            shape("a standalone rule that alone opens SSH: the resource rule's finding, not reported twice", () => {
                const sg = group("sg", [tcp(22, ["203.0.113.0/24"])]);
                return [sg, groupRule("a", sg, "ingress", tcp(22, ["0.0.0.0/0"]))];
            }),
        ],
    },
    {
        policy: "ec2-security-group-rules-combined",
        control: "EC2.14",
        violating: [
            shape("RDP: three quarters of the internet over three SecurityGroupRules", () => {
                const sg = group("sg", []);
                return [sg, ...["0.0.0.0/2", "64.0.0.0/2", "192.0.0.0/2"].map((cidr, index) => groupRule(`q${index}`, sg, "ingress", tcp(3389, [cidr])))];
            }),
            shape("RDP: all traffic from a quarter inline plus two quarters through vpc rules", () => {
                const sg = group("sg", [allTraffic(["0.0.0.0/2"])]);
                return [sg, vpcRule(T.ingressRule, "a", sg, { ipProtocol: "-1", cidrIpv4: "64.0.0.0/2" }), vpcRule(T.ingressRule, "b", sg, { ipProtocol: "tcp", fromPort: 3000, toPort: 4000, cidrIpv4: "128.0.0.0/2" })];
            }),
            shape("RDP from IPv6 /5s of 2000::/3, standalone rules matched by the group's id", () => {
                const sg = group("sg", []);
                return [sg, ...["2000::/5", "2800::/5", "3800::/5"].map((cidr, index) => fixture(T.groupRule, `r${index}`, { type: "ingress", securityGroupId: sg.inputs.id, ...tcp(3389, [], [cidr]) }))];
            }),
        ],
        compliant: [shape("RDP from one address, inline and standalone", () => {
            const sg = group("sg", [tcp(3389, ["198.51.100.7/32"])]);
            return [sg, groupRule("a", sg, "ingress", tcp(3389, ["198.51.100.8/32"]))];
        })],
    },
    {
        policy: "ec2-security-group-rules-combined",
        control: "EC2.19",
        violating: [
            shape("5432 from three quarters over three rules", () => {
                const sg = group("sg", []);
                return [sg, ...["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2"].map((cidr, index) => groupRule(`q${index}`, sg, "ingress", tcp(5432, [cidr])))];
            }),
            shape("3306 on the default group, the rest through a standalone rule", () => {
                const sg = defaultGroup("default", [tcp(3306, ["0.0.0.0/2"])]);
                return [sg, groupRule("a", sg, "ingress", tcp(3306, ["64.0.0.0/2"]))];
            }),
            shape("a range 8000-9999 from IPv6 /5s over three vpc rules", () => {
                const sg = group("sg", []);
                return [sg, ...["2000::/5", "2800::/5", "3000::/5"].map((cidr, index) => vpcRule(T.ingressRule, `v${index}`, sg, { ipProtocol: "tcp", fromPort: 8000, toPort: 9999, cidrIpv6: cidr }))];
            }),
        ],
        compliant: [shape("5432 from the VPC and 443 from anywhere over two resources", () => {
            const sg = group("sg", [tcp(5432, ["10.0.0.0/16"])]);
            return [sg, groupRule("a", sg, "ingress", tcp(443, ["0.0.0.0/0"]))];
        })],
    },
    {
        policy: "ec2-security-group-rules-combined",
        control: "Baseline.Egress",
        violating: [
            shape("every TCP port, half in each of two SecurityGroupRules", () => {
                const sg = group("sg", [], []);
                return [sg, groupRule("low", sg, "egress", tcp([0, 32767], ["0.0.0.0/0"])), groupRule("high", sg, "egress", tcp([32768, 65535], ["0.0.0.0/0"]))];
            }),
            shape("all traffic to three quarters of the internet over three vpc egress rules", () => {
                const sg = group("sg", [], []);
                return [sg, ...["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2"].map((cidr, index) => vpcRule(T.egressRule, `q${index}`, sg, { ipProtocol: "-1", cidrIpv4: cidr }))];
            }),
            shape("tcp 1-65535: 1-32767 and 32768-65535 in two SecurityGroupRules", () => {
                const sg = group("sg", [], []);
                return [sg, groupRule("low", sg, "egress", tcp([1, 32767], ["0.0.0.0/0"])), groupRule("high", sg, "egress", tcp([32768, 65535], ["0.0.0.0/0"]))];
            }),
            shape("every UDP port: low half inline, high half standalone, to ::/0", () => {
                const sg = group("sg", [], [{ protocol: "udp", fromPort: 0, toPort: 40000, ipv6CidrBlocks: ["::/0"] }]);
                return [sg, groupRule("high", sg, "egress", { protocol: "udp", fromPort: 40001, toPort: 65535, ipv6CidrBlocks: ["::/0"] })];
            }),
        ],
        compliant: [
            shape("443 inline and 80 standalone to anywhere", () => {
                const sg = group("sg", [], [HTTPS_OUT]);
                return [sg, groupRule("http", sg, "egress", tcp(80, ["0.0.0.0/0"]))];
            }),
            shape("a standalone rule that alone lets all traffic out: not reported twice", () => {
                const sg = group("sg", [], [HTTPS_OUT]);
                return [sg, groupRule("all", sg, "egress", allTraffic(["0.0.0.0/0"]))];
            }),
        ],
    },
    {
        policy: "ec2-launch-template-imdsv2",
        control: "Baseline.LaunchTemplateImdsv2",
        violating: [
            shape("httpTokens optional", () => [launchTemplate("lt", { metadataOptions: { ...metadata, httpTokens: "optional" } })]),
            shape("metadataOptions left unset", () => [launchTemplate("lt", { metadataOptions: undefined })]),
            shape("hop limit 2", () => [launchTemplate("lt", { metadataOptions: { ...metadata, httpPutResponseHopLimit: 2 } })]),
        ],
        compliant: [shape("required, hop limit 1", () => [launchTemplate("lt")])],
    },
    {
        policy: "ec2-launch-template-no-public-ip",
        control: "EC2.25",
        violating: [
            shape("networkInterfaces left unset (the subnet decides)", () => [launchTemplate("lt", { networkInterfaces: undefined })]),
            shape('associatePublicIpAddress "true"', () => [launchTemplate("lt", { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true" }] })]),
            shape("an interface without associatePublicIpAddress", () => [launchTemplate("lt", { networkInterfaces: [{ deviceIndex: 0 }] })]),
        ],
        compliant: [shape('associatePublicIpAddress "false"', () => [launchTemplate("lt")])],
    },
    {
        policy: "autoscaling-multiple-zones",
        control: "AutoScaling.2",
        violating: [
            shape("one subnet", () => [asg("g", { vpcZoneIdentifiers: ["subnet-a"] })]),
            shape("the same subnet twice", () => [asg("g", { vpcZoneIdentifiers: ["subnet-a", "subnet-a"] })]),
            shape("one availability zone, no subnets", () => [asg("g", { vpcZoneIdentifiers: undefined, availabilityZones: ["us-east-1a"] })]),
            shape("neither subnets nor zones", () => [asg("g", { vpcZoneIdentifiers: undefined })]),
        ],
        compliant: [shape("two subnets", () => [asg("g")]), shape("subnets not known yet (preview)", () => [asg("g", { vpcZoneIdentifiers: [UNKNOWN, UNKNOWN] })])],
    },
    {
        policy: "autoscaling-elb-health-checks",
        control: "AutoScaling.1",
        violating: [
            shape("targetGroupArns on the group, healthCheckType EC2", () => [asg("g", { targetGroupArns: ["arn:aws:elasticloadbalancing:tg"], healthCheckType: "EC2" })]),
            shape("attached through aws.autoscaling.Attachment (from the group), healthCheckType left unset", () => {
                const g = asg("g", { healthCheckType: undefined });
                return [g, fixture(T.asgAttachment, "att", { autoscalingGroupName: "g", lbTargetGroupArn: "arn:aws:elasticloadbalancing:tg" }, { from: { autoscalingGroupName: [g] } })];
            }),
            shape("attached through an Attachment naming the group, classic ELB", () => [asg("g", { healthCheckType: "EC2" }), fixture(T.asgAttachment, "att", { autoscalingGroupName: "g", elb: "my-elb" })]),
            shape("attached through a TrafficSourceAttachment", () => [
                asg("g", { healthCheckType: "EC2" }),
                fixture(T.asgTrafficSource, "ts", { autoscalingGroupName: "g", trafficSource: { identifier: "arn:aws:elasticloadbalancing:tg", type: "elbv2" } }),
            ]),
            shape("EC2 health checks behind an elbv2 traffic source of the group's own", () => [asg("g", { healthCheckType: "EC2", trafficSources: [{ identifier: "arn:aws:elasticloadbalancing:tg", type: "elbv2" }] })]),
            shape('a health check list without ELB ("EBS,VPC_LATTICE") behind a target group', () => [asg("g", { targetGroupArns: ["arn:aws:elasticloadbalancing:tg"], healthCheckType: "EBS,VPC_LATTICE" })]),
            shape("VPC_LATTICE health checks behind a vpc-lattice and an elbv2 traffic source", () => [
                asg("g", { healthCheckType: "VPC_LATTICE", trafficSources: [{ identifier: "arn:aws:vpc-lattice:tg", type: "vpc-lattice" }, { identifier: "arn:aws:elasticloadbalancing:tg", type: "elbv2" }] }),
            ]),
        ],
        compliant: [
            shape("Attachment with ELB health checks", () => [asg("g"), fixture(T.asgAttachment, "att", { autoscalingGroupName: "g", lbTargetGroupArn: "tg" })]),
            shape('"ELB,EBS" (a list of health check types that includes ELB) with a target group', () => [asg("g", { targetGroupArns: ["arn:aws:elasticloadbalancing:tg"], healthCheckType: "ELB,EBS" })]),
            shape("a group whose only traffic source is vpc-lattice, healthCheckType VPC_LATTICE", () => [asg("g", { healthCheckType: "VPC_LATTICE", trafficSources: [{ identifier: "arn:aws:vpc-lattice:tg", type: "vpc-lattice" }] })]),
            shape("a vpc-lattice TrafficSourceAttachment, healthCheckType VPC_LATTICE", () => [
                asg("g", { healthCheckType: "VPC_LATTICE" }),
                fixture(T.asgTrafficSource, "ts", { autoscalingGroupName: "g", trafficSource: { identifier: "arn:aws:vpc-lattice:tg", type: "vpc-lattice" } }),
            ]),
            shape("an EC2-checked group with no load balancer, next to an attachment of another group", () => [asg("g", { healthCheckType: "EC2" }), fixture(T.asgAttachment, "att", { autoscalingGroupName: "other", lbTargetGroupArn: "tg" })]),
        ],
    },
    {
        policy: "no-plaintext-secrets",
        control: "Baseline.Secrets",
        violating: [
            shape("a remote command's connection private key in plain text", () => [fixture(T.remoteCommand, "cmd", { connection, create: "true" })]),
            shape("an API key value in plain text", () => [fixture(T.apiKey, "key", { name: "k", value: "abcdefghijklmnopqrstuvwxyz0123456789" })]),
            shape("userDataBase64 that decodes to a private key", () => [instance("i", { userDataBase64: base64(`#!/bin/sh\ncat > /root/key <<EOF\n${PRIVATE_KEY}EOF\n`) })]),
            shape("a launch template's base64 gzip user data holding a private key", () => [launchTemplate("lt", { userData: gzipSync(Buffer.from(`#!/bin/sh\necho '${PRIVATE_KEY}'\n`)).toString("base64") })]),
            shape("a remote command's environment DB_PASSWORD in plain text", () => [fixture(T.remoteCommand, "cmd", { connection: secret(connection), create: "true", environment: { DB_PASSWORD: "hunter2" } })]),
            shape("a local command's environment API_TOKEN in plain text", () => [fixture(T.localCommand, "cmd", { create: "true", environment: { API_TOKEN: "t0k3n" } })]),
            shape("a Lambda function's environment AWS_SECRET_ACCESS_KEY in plain text", () => [lambdaFunction("fn", { environment: { variables: { AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } } })]),
            shape("private key material in a KeyPair's publicKey, even as a secret", () => [fixture(T.keyPair, "kp", { publicKey: secret(PRIVATE_KEY) })]),
            shape("a local command's environment DB_PWD in plain text", () => [fixture(T.localCommand, "cmd", { create: "true", environment: { DB_PWD: "hunter2" } })]),
            shape("a Lambda function's environment dbPassword (camelCase) in plain text", () => [lambdaFunction("fn", { environment: { variables: { dbPassword: "hunter2" } } })]),
        ],
        compliant: [
            shape("names that only contain a credential word: BYPASS_CACHE and AUTHOR_NAME in plain text", () => [fixture(T.localCommand, "cmd", { create: "true", environment: { BYPASS_CACHE: "1", AUTHOR_NAME: "Ada" } })]),
            shape("connection and credential environment as secrets, a message as plain text", () => [fixture(T.remoteCommand, "cmd", { connection: secret(connection), create: "true", environment: { DB_PASSWORD: secret("hunter2"), HELLO_MESSAGE: "hello" } })]),
            shape("userDataBase64 without key material", () => [instance("i", { userDataBase64: base64("#!/bin/sh\necho hello\n") })]),
        ],
    },
    {
        policy: "apigatewayv2-execution-logging",
        control: "APIGateway.1",
        violating: [
            shape("WebSocket stage with loggingLevel left unset", () => {
                const api = v2Api("ws", "WEBSOCKET");
                return [api, v2Stage("v2", api, { defaultRouteSettings: httpDefaults })];
            }),
            shape("WebSocket stage with loggingLevel OFF", () => {
                const api = v2Api("ws", "WEBSOCKET");
                return [api, v2Stage("v2", api, { defaultRouteSettings: { ...routeDefaults, loggingLevel: "OFF" } })];
            }),
            shape("WebSocket route override turning logging OFF", () => {
                const api = v2Api("ws", "WEBSOCKET");
                return [api, v2Stage("v2", api, { routeSettings: [{ routeKey: "$default", loggingLevel: "OFF", throttlingRateLimit: 10, throttlingBurstLimit: 5 }] })];
            }),
            shape("a stage of an API in another stack with loggingLevel OFF", () => [v2Stage("v2", undefined, { defaultRouteSettings: { ...routeDefaults, loggingLevel: "OFF" } })]),
        ],
        compliant: [
            shape("WebSocket stage at INFO", () => {
                const api = v2Api("ws", "WEBSOCKET");
                return [api, v2Stage("v2", api)];
            }),
            shape("HTTP API stage without execution logs (HTTP APIs have none)", () => {
                const api = v2Api("http", "HTTP");
                return [api, v2Stage("v2", api, { defaultRouteSettings: httpDefaults })];
            }),
        ],
    },
    {
        policy: "lambda-permission-scoped",
        control: "Lambda.1",
        violating: [
            shape("no sourceArn", () => [permission("p", { sourceArn: undefined })]),
            shape('principal "*"', () => [permission("p", { principal: "*" })]),
            shape("sourceArn with the account left open", () => [permission("p", { sourceArn: "arn:aws:execute-api:us-east-1:*:abc123/*/GET/greet" })]),
            shape("sourceArn naming the whole API (<api-id>/*)", () => [permission("p", { sourceArn: `${EXECUTE_API}/*` })]),
            shape("an s3 principal without sourceAccount", () => [permission("p", { principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::bucket" })]),
            shape("an EventBridge sourceArn naming every rule (rule/*)", () => [permission("p", { principal: "events.amazonaws.com", sourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/*` })]),
            shape("an s3 sourceArn with a wildcard bucket name, sourceAccount set", () => [permission("p", { principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::uploads-*", sourceAccount: ACCOUNT })]),
        ],
        compliant: [
            shape("API Gateway scoped to one route", () => [permission("p")]),
            shape("an s3 bucket ARN (no region or account in it) with sourceAccount", () => [permission("p", { principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::my-bucket", sourceAccount: ACCOUNT })]),
            shape("a CloudWatch Logs log group ARN with its usual trailing :*", () => [permission("p", { principal: "logs.amazonaws.com", sourceArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:name:*` })]),
            shape("an EventBridge sourceArn naming one rule", () => [permission("p", { principal: "events.amazonaws.com", sourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly` })]),
            shape("sourceArn not known yet (preview)", () => [permission("p", { sourceArn: UNKNOWN })]),
        ],
    },
    {
        policy: "lambda-supported-runtime",
        control: "Lambda.2",
        violating: [
            shape("nodejs20.x", () => [lambdaFunction("fn", { runtime: "nodejs20.x" })]),
            shape("nodejs18.x", () => [lambdaFunction("fn", { runtime: "nodejs18.x" })]),
            shape("python3.9", () => [lambdaFunction("fn", { runtime: "python3.9" })]),
            shape("runtime left unset on a zip function", () => [lambdaFunction("fn", { runtime: undefined })]),
        ],
        compliant: [
            shape("nodejs22.x", () => [lambdaFunction("fn")]),
            shape("nodejs24.x", () => [lambdaFunction("fn", { runtime: "nodejs24.x" })]),
            shape("a container image (no runtime)", () => [lambdaFunction("fn", { runtime: undefined, packageType: "Image", imageUri: "123.dkr.ecr/x:1" })]),
        ],
    },
    {
        policy: "lambda-log-group",
        control: "Baseline.LambdaLogGroup",
        violating: [
            shape("no log group for the function (Lambda creates one that never expires)", () => [lambdaFunction("fn")]),
            shape("/aws/lambda/<name> without retention", () => [lambdaFunction("fn"), logGroup("/aws/lambda/fn", { retentionInDays: undefined })]),
            shape("loggingConfig.logGroup naming a group the stack does not create", () => [lambdaFunction("fn", { loggingConfig: { logFormat: "JSON", logGroup: "/custom/fn" } }), logGroup("/aws/lambda/fn")]),
            shape("a stack that encrypts its logs, the function's group without a key", () => [lambdaFunction("fn"), logGroup("/aws/lambda/fn", { kmsKeyId: undefined }), logGroup("access")]),
        ],
        compliant: [
            shape("/aws/lambda/<name> with retention and a key", () => [lambdaFunction("fn"), logGroup("/aws/lambda/fn"), logGroup("access")]),
            shape("loggingConfig.logGroup from a group not known yet (preview), unencrypted stack", () => {
                const group = logGroup("fn-logs", { name: UNKNOWN, kmsKeyId: undefined });
                return [group, fixture(T.lambdaFunction, "fn", { ...lambdaFunction("fn").inputs, loggingConfig: { logFormat: "JSON", logGroup: UNKNOWN } }, { from: { loggingConfig: [group] } })];
            }),
        ],
    },
    {
        policy: "dynamodb-point-in-time-recovery",
        control: "DynamoDB.2",
        violating: [
            shape("pointInTimeRecovery left unset", () => [table("t", { pointInTimeRecovery: undefined })]),
            shape("pointInTimeRecovery.enabled false", () => [table("t", { pointInTimeRecovery: { enabled: false } })]),
            shape("a replica in replicas[] without it", () => [table("t", { replicas: [{ regionName: "eu-west-1", pointInTimeRecovery: false }] })]),
            shape("a TableReplica without it", () => [fixture(T.tableReplica, "r", { globalTableArn: "arn:aws:dynamodb:t" })]),
        ],
        compliant: [shape("enabled, with a replica enabled", () => [table("t", { replicas: [{ regionName: "eu-west-1", pointInTimeRecovery: true }] })])],
    },
    {
        policy: "dynamodb-encryption",
        control: "Baseline.DynamoDbEncryption",
        violating: [
            shape("serverSideEncryption left unset (AWS-owned key)", () => [table("t", { serverSideEncryption: undefined })]),
            shape("serverSideEncryption.enabled false", () => [table("t", { serverSideEncryption: { enabled: false } })]),
            shape("a kmsKeyArn without enabled", () => [table("t", { serverSideEncryption: { kmsKeyArn: KEY_ARN } })]),
        ],
        compliant: [shape("a customer-managed key", () => [table("t")]), shape("the AWS-managed KMS key", () => [table("t", { serverSideEncryption: { enabled: true } })])],
    },
];

// ---------------------------------------------------------------------------------------------

function own(findings: readonly Finding[], policy: string): Finding[] {
    return findings.filter((finding) => finding.policyName === policy);
}

/** The findings whose leading `[...]` names `control`. */
function ofControl(findings: readonly Finding[], control: string): Finding[] {
    return findings.filter((finding) => finding.message.startsWith("[") && finding.message.slice(1, finding.message.indexOf("]")).split(", ").includes(control));
}

const counts = { violating: 0, caught: 0, compliant: 0, passed: 0 };

describe("policy pack: the mutation table (tests/policy-mutations.spec.ts)", () => {
    after(() => {
        console.log(
            `      mutation table: ${new Set(MUTATIONS.map((entry) => entry.policy)).size} rules (${MUTATIONS.length} rule-control entries); violating shapes caught ${counts.caught}/${counts.violating}; compliant shapes passing ${counts.passed}/${counts.compliant}`,
        );
    });

    it("has, for every rule of the pack, at least three violating shapes and a compliant one, and no entry for a rule the pack lacks", () => {
        const names = POLICIES.map((policy) => policy.name);
        expect([...new Set(MUTATIONS.map((entry) => entry.policy))]).to.have.members(names);
        for (const policy of names) {
            // A rule for several controls has an entry per control, each held to the same minimum.
            for (const entry of MUTATIONS.filter((candidate) => candidate.policy === policy)) {
                expect(entry.violating.length, `${policy} [${entry.control}]: violating shapes`).to.be.at.least(3);
                expect(entry.compliant.length, `${policy} [${entry.control}]: compliant shapes`).to.be.at.least(1);
            }
        }
    });

    for (const entry of MUTATIONS) {
        const policy = POLICIES.find((candidate) => candidate.name === entry.policy);
        describe(`${entry.policy} [${entry.control}]`, () => {
            // A rule for several controls: this entry's findings are those naming its control.
            for (const violating of entry.violating) {
                it(`reports: ${violating.shape}`, async () => {
                    counts.violating++;
                    const findings = ofControl(own(await evaluatePolicies(violating.resources(), { stack: STACK, policies: policy ? [policy] : [] }), entry.policy), entry.control);
                    expect(findings, "no finding").to.have.length.greaterThan(0);
                    for (const finding of findings) {
                        const controls = finding.message.startsWith("[") ? finding.message.slice(1, finding.message.indexOf("]")).split(", ") : [];
                        expect(controls, finding.message).to.include(entry.control);
                        expect(finding.enforcementLevel).to.equal("mandatory");
                    }
                    counts.caught++;
                });
            }
            for (const compliant of entry.compliant) {
                it(`passes: ${compliant.shape}`, async () => {
                    counts.compliant++;
                    const findings = own(await evaluatePolicies(compliant.resources(), { stack: STACK, policies: policy ? [policy] : [] }), entry.policy);
                    expect(findings.map((finding) => finding.message)).to.deep.equal([]);
                    counts.passed++;
                });
            }
        });
    }

    it("advises, not blocks, on dev: the same violating shape is advisory there", async () => {
        const [entry] = MUTATIONS;
        const policy = POLICIES.find((candidate) => candidate.name === entry.policy)!;
        const findings = await evaluatePolicies(entry.violating[0].resources(), { stack: "dev", policies: [policy] });
        expect(findings.map((finding) => finding.enforcementLevel)).to.deep.equal(["advisory"]);
    });
});

/** @pulumi/policy's own handler for the engine's AnalyzeStack call (internal, not in its typings). */
type AnalyzeStackHandler = (call: { request: AnalyzeStackRequest }, callback: (error: unknown, response?: AnalyzeResponse) => void) => void;

describe("policy pack: stack rules through @pulumi/policy's AnalyzeStack handler, as an external suite runs them", () => {
    function analyzeStack(resources: readonly AnalyzedResource[]): Promise<string[]> {
        // The SDK prefixes each message with the rule's description and a newline; keep the message.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const server = require("@pulumi/policy/server") as { makeAnalyzeStackRpcFun: (name: string, version: string, level: string, policies: unknown) => AnalyzeStackHandler };
        const handler = server.makeAnalyzeStackRpcFun("hello-gateway", "0.1.0", "mandatory", [...POLICIES]);
        const request = new AnalyzeStackRequest();
        request.setResourcesList(
            resources.map((resource) => {
                const wire = new AnalyzerResource();
                wire.setType(resource.type);
                wire.setName(resource.name);
                wire.setUrn(resource.urn);
                wire.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(resource.state)) as Parameters<typeof Struct.fromJavaScript>[0]));
                wire.setOptions(new AnalyzerResourceOptions());
                for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
                    const dependencies = new AnalyzerPropertyDependencies();
                    dependencies.setUrnsList([...urns]);
                    wire.getPropertydependenciesMap().set(property, dependencies);
                }
                return wire;
            }),
        );
        return new Promise((resolve, reject) =>
            handler({ request }, (error, response) => (error || !response ? reject(error ?? new Error("no response")) : resolve(response.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage().split("\n").pop()}`)))),
        );
    }

    it("reports SSH opened to most of the internet by three standalone rules together, and passes the same group without them", async () => {
        const sg = group("sg", []);
        const split = await analyzeStack([sg, ...["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2"].map((cidr, index) => groupRule(`q${index}`, sg, "ingress", tcp(22, [cidr])))]);
        expect(split.filter((line) => line.startsWith("ec2-security-group-rules-combined: [EC2.13]"))).to.have.length(1);
        expect(await analyzeStack([sg])).to.deep.equal([]);
    });

    it("reports a web ACL association built from the stage that names its execution ARN", async () => {
        const stage = restStage("stage", { executionArn: `${EXECUTE_API}/prod` });
        const association = fixture(T.association, "waf", { resourceArn: `${EXECUTE_API}/prod`, webAclArn: "acl" }, { from: { resourceArn: [stage] } });
        const diagnostics = await analyzeStack([stage, methodSettings("s"), association]);
        expect(diagnostics.filter((line) => line.startsWith("apigateway-waf-association: [APIGateway.4]"))).to.have.length(1);
    });
});
