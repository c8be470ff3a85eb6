/**
 * The plan as text: each stack's resources as a tree under the stack resource (like
 * `pulumi preview`), with the key properties of each and the stack outputs.
 */
import { isSecretEnvelope, RecordedResource, ResourceGraph, STACK_TYPE } from "../resource-graph";
import { AnyPlan, isEnvironmentPlan, KeyProperty, PlanNode, PlannedOutput, StackPlan } from "./model";
import { countsInWords } from "./resource-words";
import { inputAt, pickSafely, ruleTexts, SECRET } from "./values";
import { CLIENT_CERTIFICATE_LIFETIME_DAYS, EXPIRY_WARNING_DAYS, dayOf, expiryOfNewCertificate } from "../certificate-expiry";

export { inputAt } from "./values";

/** What the tree reads of one program run. */
export interface TreeSource {
    readonly stack: string;
    readonly graph: ResourceGraph;
    readonly outputs: Record<string, unknown>;
    readonly secretOutputs: readonly string[];
}

// ---------------------------------------------------------------------------
// Key properties and value display

/** Where a shown value comes from: a dotted input path, or a function of the inputs. */
interface PropertySpec {
    readonly label: string;
    readonly pick: string | ((inputs: Record<string, unknown>) => unknown);
}

const at = (label: string, pick: PropertySpec["pick"] = label): PropertySpec => ({ label, pick });

/** `none` for an empty rule list (no traffic that way), not an empty string. */
function rulesSummary(rules: unknown, direction: "from" | "to"): string | undefined {
    const texts = ruleTexts(rules, direction);
    return texts && (texts.length === 0 ? "none" : texts.join("; "));
}

function firstLine(text: unknown): unknown {
    if (typeof text !== "string" || !text.includes("\n")) {
        return text;
    }
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    return `${lines[0]} … (${lines.length} lines)`;
}

function assumedBy(policy: unknown): unknown {
    if (typeof policy !== "string") {
        return policy;
    }
    try {
        const statements = (JSON.parse(policy) as { Statement?: Array<{ Principal?: unknown }> }).Statement ?? [];
        return statements.map((statement) => statement.Principal);
    } catch {
        return policy;
    }
}

/**
 * What to show per resource type: the settings a reviewer checks (sizes, names, limits,
 * retention, where traffic goes), not every input. Types not listed show no properties.
 */
export const KEY_PROPERTIES: Readonly<Record<string, readonly PropertySpec[]>> = {
    // Origin: network and server
    "awsx:ec2:Vpc": [
        at("cidrBlock"),
        at("availabilityZones", (inputs) => inputs.availabilityZoneNames ?? inputs.numberOfAvailabilityZones),
        at("subnets", (inputs) =>
            Array.isArray(inputs.subnetSpecs)
                ? (inputs.subnetSpecs as Array<{ type?: string; cidrMask?: number }>).map((spec) => `${spec.type} /${spec.cidrMask}`)
                : undefined,
        ),
        at("natGateways", "natGateways.strategy"),
    ],
    "aws:ec2/securityGroup:SecurityGroup": [
        at("ingress", (inputs) => rulesSummary(inputs.ingress, "from")),
        at("egress", (inputs) => rulesSummary(inputs.egress, "to")),
    ],
    "tls:index/privateKey:PrivateKey": [at("algorithm")],
    // The origin's TLS: the root API Gateway needs, and the name its certificate carries.
    "tls:index/selfSignedCert:SelfSignedCert": [at("isCaCertificate"), at("allowedUses"), at("validityPeriodHours")],
    "tls:index/certRequest:CertRequest": [at("dnsNames")],
    "tls:index/locallySignedCert:LocallySignedCert": [at("allowedUses"), at("validityPeriodHours")],
    "aws:ec2/keyPair:KeyPair": [
        at("publicKey", (inputs) => (typeof inputs.publicKey === "string" ? `${inputs.publicKey.split(" ")[0]} …` : inputs.publicKey)),
    ],
    "aws:ec2/instance:Instance": [
        at("instanceType"),
        at("ami"),
        at("metadataOptions.httpTokens"),
        at("rootBlockDevice", (inputs) => {
            const disk = inputs.rootBlockDevice as { volumeType?: string; volumeSize?: number; encrypted?: boolean } | undefined;
            return disk && `${disk.volumeType} ${disk.volumeSize} GiB${disk.encrypted ? ", encrypted" : ""}`;
        }),
        at("creditSpecification.cpuCredits"),
    ],
    "aws:ec2/eip:Eip": [at("domain")],
    "command:remote:Command": [at("connection"), at("create", (inputs) => firstLine(inputs.create))],
    "aws:lb/loadBalancer:LoadBalancer": [at("loadBalancerType"), at("internal")],
    "aws:lb/targetGroup:TargetGroup": [at("protocol"), at("port"), at("targetType"), at("healthCheck.path")],
    "aws:lb/listener:Listener": [at("protocol"), at("port")],
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": [at("port")],
    // Gateway: the API
    "pulumi:pulumi:StackReference": [at("name")],
    "aws:iam/role:Role": [at("assumedBy", (inputs) => assumedBy(inputs.assumeRolePolicy))],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [at("policyArn")],
    "aws:apigateway/account:Account": [at("cloudwatchRoleArn")],
    "aws:apigateway/restApi:RestApi": [at("name"), at("endpoint", "endpointConfiguration.types"), at("disableExecuteApiEndpoint")],
    "aws:apigateway/resource:Resource": [at("pathPart")],
    "aws:apigateway/method:Method": [at("httpMethod"), at("authorization"), at("apiKeyRequired"), at("requestParameters"), at("requestModels")],
    "aws:apigateway/integration:Integration": [
        at("type"),
        at("integrationHttpMethod"),
        at("uri"),
        at("connectionType"),
        at("timeoutMilliseconds"),
    ],
    "aws:apigateway/vpcLink:VpcLink": [at("name")],
    "aws:apigateway/authorizer:Authorizer": [at("type"), at("identitySource")],
    "aws:apigateway/model:Model": [at("name"), at("contentType"), at("description")],
    "aws:apigateway/requestValidator:RequestValidator": [at("validateRequestParameters"), at("validateRequestBody")],
    "aws:apigateway/deployment:Deployment": [at("triggers.routes")],
    "aws:apigateway/stage:Stage": [
        at("stageName"),
        at("accessLogs", "accessLogSettings.destinationArn"),
        at("xrayTracingEnabled"),
        at("cacheClusterEnabled"),
        at("cacheClusterSize"),
    ],
    "aws:apigateway/methodSettings:MethodSettings": [
        at("methodPath"),
        at("throttlingRateLimit", "settings.throttlingRateLimit"),
        at("throttlingBurstLimit", "settings.throttlingBurstLimit"),
        at("loggingLevel", "settings.loggingLevel"),
        at("metricsEnabled", "settings.metricsEnabled"),
        at("dataTraceEnabled", "settings.dataTraceEnabled"),
        at("cachingEnabled", "settings.cachingEnabled"),
        at("cacheTtlInSeconds", "settings.cacheTtlInSeconds"),
    ],
    "aws:apigateway/apiKey:ApiKey": [at("name"), at("enabled")],
    "aws:apigateway/usagePlan:UsagePlan": [at("throttleSettings"), at("quotaSettings")],
    "aws:apigateway/usagePlanKey:UsagePlanKey": [at("keyType")],
    "aws:apigateway/domainName:DomainName": [at("domainName"), at("securityPolicy")],
    "aws:apigateway/basePathMapping:BasePathMapping": [at("basePath")],
    "aws:acm/certificate:Certificate": [at("domainName"), at("validationMethod")],
    "aws:route53/record:Record": [at("name"), at("type")],
    "aws:wafv2/webAcl:WebAcl": [at("scope"), at("rules", (inputs) => (Array.isArray(inputs.rules) ? inputs.rules.length : undefined))],
    "aws:cognito/userPool:UserPool": [at("deletionProtection"), at("mfaConfiguration")],
    "aws:cognito/userPoolClient:UserPoolClient": [at("explicitAuthFlows")],
    "aws:cloudwatch/logGroup:LogGroup": [at("name"), at("namePrefix"), at("retentionInDays"), at("skipDestroy")],
    // Monitoring
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        at("metricName"),
        at("statistic"),
        at("extendedStatistic"),
        at("comparisonOperator"),
        at("threshold"),
        at("evaluationPeriods"),
    ],
    "aws:cloudwatch/dashboard:Dashboard": [at("dashboardName")],
    "aws:sns/topic:Topic": [at("kmsMasterKeyId")],
    // The endpoint is someone's email address: the protocol says enough.
    "aws:sns/topicSubscription:TopicSubscription": [at("protocol")],
    "aws:kms/key:Key": [at("enableKeyRotation"), at("deletionWindowInDays")],
};

const MAX_VALUE_LENGTH = 110;

/** One line for a value: strings bare, lists in brackets; any secret inside shows as `[secret]`. */
export function displayValue(value: unknown): string {
    const text = (item: unknown): string => {
        if (item === SECRET || isSecretEnvelope(item)) {
            return "[secret]";
        }
        if (typeof item === "string") {
            return item === "" ? '""' : item.replace(/\s*\n\s*/g, " ⏎ ");
        }
        if (Array.isArray(item)) {
            return `[${item.map(text).join(", ")}]`;
        }
        if (typeof item === "object" && item !== null) {
            return `{${Object.entries(item).map(([key, inner]) => `${key}: ${text(inner)}`).join(", ")}}`;
        }
        return String(item);
    };
    const shown = text(value);
    return shown.length > MAX_VALUE_LENGTH ? `${shown.slice(0, MAX_VALUE_LENGTH - 1)}…` : shown;
}

export function keyPropertiesOf(resource: RecordedResource): KeyProperty[] {
    const properties: KeyProperty[] = [];
    for (const spec of KEY_PROPERTIES[resource.type] ?? []) {
        const value = typeof spec.pick === "string" ? inputAt(resource.inputs, spec.pick) : pickSafely(resource.inputs, spec.pick);
        if (value !== undefined) {
            properties.push({ label: spec.label, value: displayValue(value) });
        }
    }
    return properties;
}

export function flagsOf(resource: RecordedResource): string[] {
    const flags: string[] = [];
    if (resource.retainOnDelete) {
        flags.push("retainOnDelete");
    }
    if (resource.ignoreChanges.length > 0) {
        flags.push(`ignoreChanges: ${resource.ignoreChanges.join(", ")}`);
    }
    if (resource.customTimeouts) {
        const timeouts = Object.entries(resource.customTimeouts)
            .filter(([, value]) => value)
            .map(([operation, value]) => `${operation} ${value}`);
        flags.push(`customTimeouts: ${timeouts.join(", ")}`);
    }
    return flags;
}

// ---------------------------------------------------------------------------
// Tree


/**
 * Nests the recorded resources by parent URN under the stack resource. A resource whose
 * parent was never recorded (the children of a remote component, say) hangs off the stack.
 */
export function planTree(project: string, run: TreeSource): PlanNode {
    const graph = run.graph;
    const stackResource = graph.stackResource();
    const nodeOf = (resource: RecordedResource): PlanNode => ({
        type: resource.type,
        name: resource.name,
        operation: resource.read ? "read" : "create",
        properties: keyPropertiesOf(resource),
        flags: flagsOf(resource),
        children: graph.childrenOf(resource.urn).map(nodeOf),
    });
    const hangsOffStack = (resource: RecordedResource) =>
        resource !== stackResource && (graph.byUrn(resource.parentUrn) === undefined || resource.parentUrn === stackResource?.urn);
    return {
        type: STACK_TYPE,
        name: stackResource?.name ?? `${project}-${run.stack}`,
        operation: "create",
        properties: [],
        flags: [],
        children: graph.resources.filter(hangsOffStack).map(nodeOf),
    };
}

const OPERATION_SYMBOL: Record<PlanNode["operation"], string> = { create: "+", read: ">" };

/**
 * The tree as `pulumi preview` draws it (symbol, type, name, plan), with each resource's key
 * properties on the lines below it and its resource-option flags after the plan.
 */
export function renderTree(root: PlanNode): string[] {
    interface Row {
        node: PlanNode;
        branch: string;
        /** Prefix for lines under this node (its properties and its children). */
        below: string;
    }
    const rows: Row[] = [];
    const walk = (node: PlanNode, branch: string, below: string) => {
        rows.push({ node, branch, below });
        node.children.forEach((child, index) => {
            const last = index === node.children.length - 1;
            walk(child, below + (last ? "└─ " : "├─ "), below + (last ? "   " : "│  "));
        });
    };
    walk(root, "", "");
    const typeWidth = Math.max(...rows.map((row) => row.branch.length + row.node.type.length));
    const nameWidth = Math.max(...rows.map((row) => row.node.name.length));
    const lines = [`    ${"Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  Plan`];
    for (const { node, branch, below } of rows) {
        const flags = node.flags.length > 0 ? `  [${node.flags.join("] [")}]` : "";
        lines.push(
            ` ${OPERATION_SYMBOL[node.operation]}  ${(branch + node.type).padEnd(typeWidth)}  ${node.name.padEnd(nameWidth)}  ${node.operation}${flags}`,
        );
        const propertyIndent = `    ${below}${node.children.length > 0 ? "│ " : "  "}`;
        for (const property of node.properties) {
            lines.push(`${propertyIndent}${property.label}: ${property.value}`.trimEnd());
        }
    }
    return lines;
}

// ---------------------------------------------------------------------------
// Outputs

export function plannedOutputs(run: TreeSource): PlannedOutput[] {
    return Object.entries(run.outputs).map(([name, value]) => {
        const secret = run.secretOutputs.includes(name);
        return { name, secret, value: secret ? "[secret]" : outputValue(value) };
    });
}

/** Like the Outputs section of `pulumi preview`: strings quoted, numbers and lists as JSON. */
function outputValue(value: unknown): string {
    return isSecretEnvelope(value) ? "[secret]" : JSON.stringify(value) ?? "undefined";
}

export function renderOutputs(outputs: readonly PlannedOutput[]): string[] {
    if (outputs.length === 0) {
        return ["Outputs: none"];
    }
    return ["Outputs:", ...outputs.map((output) => `    ${output.name}: ${output.value}`)];
}

// ---------------------------------------------------------------------------
// The whole printed plan

export const PLACEHOLDER_NOTICE =
    "IDs, IP addresses, DNS names, ARNs and hashes below are placeholders from Pulumi's mock runtime, not real AWS values.";

const WORDS_LINE_WIDTH = 100;

/**
 * What a stack creates in the cloud, counted and named in words, wrapped:
 * `In words: 1 × VPC ..., 2 × IAM role`. The project's own components group resources and
 * create nothing themselves; a component from a library (the awsx VPC) stands for what it creates.
 */
export function inWords(project: string, stack: Pick<StackPlan, "run">): string[] {
    const types = stack.run.resources
        .filter((resource) => !resource.read && resource.type !== STACK_TYPE && !resource.type.startsWith(`${project}:`))
        .map((resource) => resource.type);
    const lines: string[] = [];
    let line = "In words:";
    countsInWords(types).forEach((item, index, items) => {
        const piece = `${item}${index < items.length - 1 ? "," : ""}`;
        if (line.length + 1 + piece.length > WORDS_LINE_WIDTH && line.trim() !== "In words:") {
            lines.push(line);
            line = "   ";
        }
        line += ` ${piece}`;
    });
    return types.length === 0 ? [] : [...lines, line];
}

/**
 * The expiry line of a stack that creates API Gateway client certificates. Offline there is no
 * real date: the mock's clientCertificateExpiration is a placeholder, so the line says when a
 * certificate generated on `today` would expire (AWS: 365 days after it is generated).
 */
export function clientCertificateExpiryLine(stack: StackPlan, env: string, rotatable: boolean, today: Date): string | undefined {
    const certificates = stack.run.resources.filter((resource) => resource.type === "aws:apigateway/clientCertificate:ClientCertificate").length;
    if (certificates === 0) {
        return undefined;
    }
    const rotate = rotatable ? `; rotate before then with npm run rotate-client-certificate -- ${env}` : "";
    return (
        `Client certificate expiry: ${certificates} API Gateway client certificate(s) to create, each valid ${CLIENT_CERTIFICATE_LIFETIME_DAYS} days from when AWS generates it: ` +
        `created today (${dayOf(today)}), it expires on ${dayOf(expiryOfNewCertificate(today))}${rotate}. ` +
        `The clientCertificateExpiration output above is a placeholder; npm run deploy and npm run preview show the deployed date and warn ${EXPIRY_WARNING_DAYS} days ahead.`
    );
}

export function renderPlan(plan: AnyPlan, today: Date = new Date()): string {
    const environment = isEnvironmentPlan(plan);
    const lines = [
        environment
            ? `hello-gateway plan for ${plan.env}: the real program for stacks ${plan.origin.stack} and ${plan.gateway.stack}, run offline on Pulumi's mock runtime with the stack files as they are.`
            : `hello-gateway plan for ${plan.env}: the real program for the gateway-only stack ${plan.gateway.stack}, run offline on Pulumi's mock runtime with the stack files as they are.`,
        PLACEHOLDER_NOTICE,
        ...plan.notes.map((note) => `Note: ${note}`),
    ];
    for (const stack of environment ? [plan.origin, plan.gateway] : [plan.gateway]) {
        const reads = stack.counts.read > 0 ? `, ${stack.counts.read} to read` : "";
        lines.push("", `Stack ${stack.stack} (${stack.layer}): ${stack.counts.create} to create${reads}`, ...inWords(plan.project, stack), "");
        lines.push(...renderTree(stack.tree), "", ...renderOutputs(stack.outputs));
        const expiry = clientCertificateExpiryLine(stack, plan.env, environment && stack.layer === "origin", today);
        if (expiry !== undefined) {
            lines.push("", expiry);
        }
    }
    const integrationUris = [
        ...new Set(
            plan.gateway.run.graph
                .ofType("aws:apigateway/integration:Integration")
                .map((resource) => displayValue(inputAt(resource.inputs, "uri"))),
        ),
    ];
    lines.push(
        "",
        environment
            ? `Wiring: ${plan.gateway.stack} reads ${plan.originReference} through a StackReference; ` +
                  `origin originUrl ${displayValue(plan.origin.run.outputs.originUrl)}, integration URI ${integrationUris.join(", ") || "none"}.`
            : `Wiring: ${plan.gateway.stack} reads no origin stack; originUrl ${displayValue(plan.originUrl)}, integration URI ${integrationUris.join(", ") || "none"}.`,
    );
    return `${lines.join("\n")}\n`;
}
