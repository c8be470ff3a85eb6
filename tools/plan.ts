/**
 * `npm run plan -- <dev|prod> [--out <dir>]`
 *
 * Shows what an environment would create, offline: no Pulumi CLI, no credentials, no cloud.
 * It runs the real program for both stacks of the environment on Pulumi's mock runtime with
 * the committed configuration (the loader the tests use), origin first, and hands the origin's
 * outputs to the gateway as its StackReference, so the plan shows the real wiring. It prints
 * each stack's resources as a tree with their key properties and the stack outputs, and writes
 * the architecture as a Mermaid file and an SVG picture (Graphviz compiled to WebAssembly) to
 * plan/<env>/.
 *
 * The pure parts (planning data, tree, diagram, Mermaid) are exported for the tests; `main`
 * is the thin command line around them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Graph as GraphvizGraph, Subgraph as GraphvizSubgraph } from "@viz-js/viz";
import { Environment, ENVIRONMENTS, parseCommandLine, parseEnvironment, stacksOf, UserFacingError } from "./cli-env";
import type { Layer } from "../infra/config";
import type { ProgramRun, RecordedResource } from "./mock-runtime";
import { loadProject, loadStackConfig, REPO_ROOT } from "./stack-files";

// ---------------------------------------------------------------------------
// Lazy modules

type MockRuntime = typeof import("./mock-runtime");
type VizModule = typeof import("@viz-js/viz");

/**
 * The mock runtime loads @pulumi/pulumi (about a second); a mistyped environment should not
 * wait for that, so it is required on first use instead of imported up front.
 */
function mockRuntime(): MockRuntime {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./mock-runtime") as MockRuntime;
}

// ---------------------------------------------------------------------------
// Plan data

/** One property worth showing, already formatted; a secret shows as `[secret]`. */
export interface KeyProperty {
    readonly label: string;
    readonly value: string;
}

/** A resource in the plan tree: children are the resources it parents. */
export interface PlanNode {
    readonly type: string;
    readonly name: string;
    readonly operation: "create" | "read";
    readonly properties: readonly KeyProperty[];
    /** Resource options that change what `destroy` or `up` does: retainOnDelete, ignoreChanges, ... */
    readonly flags: readonly string[];
    readonly children: readonly PlanNode[];
}

export interface PlannedOutput {
    readonly name: string;
    /** Formatted for display; `[secret]` for a secret output. */
    readonly value: string;
    readonly secret: boolean;
}

export interface StackPlan {
    readonly stack: string;
    readonly layer: Layer;
    /** The configuration the stack ran with (fully qualified keys, engine strings). */
    readonly config: Readonly<Record<string, string>>;
    /** Everything the mock run recorded, for callers that need more than the tree. */
    readonly run: ProgramRun;
    /** Rooted at the stack resource (`pulumi:pulumi:Stack`), like `pulumi preview`. */
    readonly tree: PlanNode;
    /** In the order the program exports them. */
    readonly outputs: readonly PlannedOutput[];
    readonly counts: { readonly create: number; readonly read: number };
}

export interface EnvironmentPlan {
    readonly env: Environment;
    readonly project: string;
    readonly origin: StackPlan;
    readonly gateway: StackPlan;
    /** The fully qualified stack name the gateway's StackReference reads. */
    readonly originReference: string;
    readonly diagram: Diagram;
    readonly mermaid: string;
    /** Things the reader should know about this offline run (encrypted values, redirected references). */
    readonly notes: readonly string[];
}

export interface PlanOptions {
    /** Directory holding Pulumi.yaml and the stack files. Default: the repository. */
    readonly root?: string;
    /**
     * Config to set (or, with `undefined`, remove) on top of the committed files, by stack name
     * then key; short keys are in the project's namespace. For tests and what-if runs.
     */
    readonly configOverrides?: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>;
}

/**
 * The committed stack files are broken (a required key missing, a value of the wrong type):
 * the CLI refuses such a stack before the program runs, with a message of its own.
 */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** The configuration problems of both stacks of an environment, reported together. */
export class EnvironmentConfigurationError extends Error {
    constructor(readonly problems: readonly Error[]) {
        super(problems.map((problem) => problem.message.trimEnd()).join("\n\n"));
        this.name = "EnvironmentConfigurationError";
    }
}

/** A configuration problem the user fixes in the stack files: printed verbatim, exit 1. */
export function isConfigurationError(error: unknown): error is Error {
    // The program is loaded afresh for every run, so its ConfigError class differs per run: match by name.
    return (
        error instanceof Error &&
        (error.name === "ConfigError" || error instanceof StackFileError || error instanceof EnvironmentConfigurationError)
    );
}

function attempt<T>(action: () => T, onError: (error: unknown) => undefined): T | undefined {
    try {
        return action();
    } catch (error) {
        return onError(error);
    }
}

interface StackInput {
    readonly config: Record<string, string>;
    readonly encryptedKeys: readonly string[];
}

function stackInput(project: string, stack: string, options: PlanOptions): StackInput {
    let loaded: { config: Record<string, string>; encryptedKeys: string[] };
    try {
        loaded = loadStackConfig(stack, options.root ?? REPO_ROOT);
    } catch (error) {
        throw new StackFileError(error instanceof Error ? error.message : String(error));
    }
    const config = { ...loaded.config };
    for (const [key, value] of Object.entries(options.configOverrides?.[stack] ?? {})) {
        const qualified = key.includes(":") ? key : `${project}:${key}`;
        if (value === undefined) {
            delete config[qualified];
        } else {
            config[qualified] = value;
        }
    }
    return { config, encryptedKeys: loaded.encryptedKeys };
}

function encryptedNote(stack: string, keys: readonly string[]): string[] {
    if (keys.length === 0) {
        return [];
    }
    return [
        `Pulumi.${stack}.yaml holds encrypted values (${keys.join(", ")}); they cannot be decrypted offline, so the plan runs without them.`,
    ];
}

/**
 * Runs both stacks of an environment on the mock runtime, origin first, and returns what they
 * would create. Rejects with the program's ConfigError (or a StackFileError) on bad config.
 */
export async function planEnvironment(env: Environment, options: PlanOptions = {}): Promise<EnvironmentPlan> {
    const runtime = mockRuntime();
    const project = loadProject(options.root ?? REPO_ROOT).name;
    const stacks = stacksOf(env);
    const notes: string[] = [];

    // Both stacks are checked before either problem is reported, so one run shows every
    // mistake of the environment: a broken origin does not hide the gateway's.
    const problems: Error[] = [];
    const configurationProblem = (error: unknown): undefined => {
        if (!isConfigurationError(error)) throw error;
        problems.push(error);
        return undefined;
    };

    const originInput = attempt(() => stackInput(project, stacks.origin, options), configurationProblem);
    notes.push(...encryptedNote(stacks.origin, originInput?.encryptedKeys ?? []));
    const originRun = originInput
        ? await runtime
              .runProgram({ project, stack: stacks.origin, config: originInput.config, organization: runtime.MOCK_ORGANIZATION })
              .catch(configurationProblem)
        : undefined;

    // The gateway reads <org>/<project>/<env>-origin unless originStack names another stack;
    // either way it gets this environment's origin, so the plan shows one connected picture.
    const gatewayInput = attempt(() => stackInput(project, stacks.gateway, options), configurationProblem);
    notes.push(...encryptedNote(stacks.gateway, gatewayInput?.encryptedKeys ?? []));
    const originReference = `${runtime.MOCK_ORGANIZATION}/${project}/${stacks.origin}`;
    const configuredOrigin = gatewayInput?.config[`${project}:originStack`]?.trim();
    const referenced = configuredOrigin ? configuredOrigin : originReference;
    if (referenced !== originReference) {
        notes.push(`The gateway's originStack is ${referenced}; the plan feeds it the outputs of ${stacks.origin}.`);
    }
    let gatewayRun: ProgramRun | undefined;
    if (gatewayInput) {
        const run = runtime.runProgram({
            project,
            stack: stacks.gateway,
            config: gatewayInput.config,
            organization: runtime.MOCK_ORGANIZATION,
            // Without an origin run there are no outputs to read: the run still checks the
            // gateway's own config, which the program does before it reads the reference.
            stackOutputs: originRun ? { [referenced]: originRun.outputs } : {},
        });
        gatewayRun = originRun ? await run.catch(configurationProblem) : await run.catch((error: unknown) => (isConfigurationError(error) ? configurationProblem(error) : undefined));
    }
    if (problems.length > 0 || !originRun || !gatewayRun || !originInput || !gatewayInput) {
        throw problems.length === 1 ? problems[0] : new EnvironmentConfigurationError(problems);
    }

    const origin = stackPlan(project, "origin", originRun, originInput.config);
    const gateway = stackPlan(project, "gateway", gatewayRun, gatewayInput.config);
    const diagram = architectureDiagramOf(env, originRun, gatewayRun);
    return { env, project, origin, gateway, originReference: referenced, diagram, mermaid: mermaidOf(diagram), notes };
}

export function stackPlan(project: string, layer: Layer, run: ProgramRun, config: Readonly<Record<string, string>> = {}): StackPlan {
    const read = run.resources.filter((resource) => resource.read).length;
    return {
        stack: run.stack,
        layer,
        config,
        run,
        tree: planTree(project, run),
        outputs: plannedOutputs(run),
        // The stack resource itself is created too, as `pulumi preview` counts it.
        counts: { create: run.resources.length - read + 1, read },
    };
}

// ---------------------------------------------------------------------------
// Key properties and value display

/** Where a shown value comes from: a dotted input path, or a function of the inputs. */
interface PropertySpec {
    readonly label: string;
    readonly pick: string | ((inputs: Record<string, unknown>) => unknown);
}

const at = (label: string, pick: PropertySpec["pick"] = label): PropertySpec => ({ label, pick });

interface SecurityRule {
    protocol?: string;
    fromPort?: number;
    toPort?: number;
    cidrBlocks?: string[];
    ipv6CidrBlocks?: string[];
}

/** One text per security group rule: `tcp 22 from 203.0.113.0/24`. */
function ruleTexts(rules: unknown, direction: "from" | "to"): string[] | undefined {
    if (!Array.isArray(rules)) {
        return undefined;
    }
    return (rules as SecurityRule[]).map((rule) => {
        const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
        const ranges = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].join(" ");
        return `${rule.protocol ?? "?"} ${ports} ${direction} ${ranges || "nowhere"}`;
    });
}

function rulesSummary(rules: unknown, direction: "from" | "to"): string | undefined {
    return ruleTexts(rules, direction)?.join("; ");
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
        at("availabilityZones", "numberOfAvailabilityZones"),
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
    "aws:apigateway/method:Method": [at("httpMethod"), at("authorization"), at("apiKeyRequired"), at("requestParameters")],
    "aws:apigateway/integration:Integration": [
        at("type"),
        at("integrationHttpMethod"),
        at("uri"),
        at("connectionType"),
        at("timeoutMilliseconds"),
    ],
    "aws:apigateway/vpcLink:VpcLink": [at("name")],
    "aws:apigateway/authorizer:Authorizer": [at("type"), at("identitySource")],
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

/** Marks a value that sat inside a secret: shown as `[secret]`, never read further. */
const SECRET = Symbol("secret");

/** The input at a dotted path; SECRET as soon as the path enters a secret. */
export function inputAt(inputs: Record<string, unknown>, dottedPath: string): unknown {
    const { isSecretEnvelope } = mockRuntime();
    let current: unknown = inputs;
    for (const segment of dottedPath.split(".")) {
        if (isSecretEnvelope(current)) {
            return SECRET;
        }
        if (typeof current !== "object" || current === null) {
            return undefined;
        }
        current = (current as Record<string, unknown>)[segment];
    }
    return isSecretEnvelope(current) ? SECRET : current;
}

const MAX_VALUE_LENGTH = 110;

/** One line for a value: strings bare, lists in brackets; any secret inside shows as `[secret]`. */
export function displayValue(value: unknown): string {
    const { isSecretEnvelope } = mockRuntime();
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

/** A picker sees plain inputs only: anything secret inside them has become SECRET first. */
function pickSafely(inputs: Record<string, unknown>, pick: (inputs: Record<string, unknown>) => unknown): unknown {
    const { isSecretEnvelope } = mockRuntime();
    const masked = (value: unknown): unknown => {
        if (isSecretEnvelope(value)) {
            return SECRET;
        }
        if (Array.isArray(value)) {
            return value.map(masked);
        }
        if (typeof value === "object" && value !== null) {
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, masked(inner)]));
        }
        return value;
    };
    return pick(masked(inputs) as Record<string, unknown>);
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

const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * Nests the recorded resources by parent URN under the stack resource. A resource whose
 * parent was never recorded (the children of a remote component, say) hangs off the stack.
 */
export function planTree(project: string, run: ProgramRun): PlanNode {
    const stackResource = run.resources.find((resource) => resource.type === STACK_TYPE);
    const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
    const childrenOf = new Map<string, RecordedResource[]>();
    const ROOT = "";
    for (const resource of run.resources) {
        if (resource === stackResource) {
            continue;
        }
        const parent = byUrn.has(resource.parentUrn) && resource.parentUrn !== stackResource?.urn ? resource.parentUrn : ROOT;
        childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), resource]);
    }
    const nodeOf = (resource: RecordedResource): PlanNode => ({
        type: resource.type,
        name: resource.name,
        operation: resource.read ? "read" : "create",
        properties: keyPropertiesOf(resource),
        flags: flagsOf(resource),
        children: (childrenOf.get(resource.urn) ?? []).map(nodeOf),
    });
    return {
        type: STACK_TYPE,
        name: stackResource?.name ?? `${project}-${run.stack}`,
        operation: "create",
        properties: [],
        flags: [],
        children: (childrenOf.get(ROOT) ?? []).map(nodeOf),
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

function plannedOutputs(run: ProgramRun): PlannedOutput[] {
    return Object.entries(run.outputs).map(([name, value]) => {
        const secret = run.secretOutputs.includes(name);
        return { name, secret, value: secret ? "[secret]" : outputValue(value) };
    });
}

/** Like the Outputs section of `pulumi preview`: strings quoted, numbers and lists as JSON. */
function outputValue(value: unknown): string {
    return mockRuntime().isSecretEnvelope(value) ? "[secret]" : JSON.stringify(value) ?? "undefined";
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

export function renderPlan(plan: EnvironmentPlan): string {
    const lines = [
        `hello-gateway plan for ${plan.env}: the real program for stacks ${plan.origin.stack} and ${plan.gateway.stack}, run offline on Pulumi's mock runtime with the committed config.`,
        PLACEHOLDER_NOTICE,
        ...plan.notes.map((note) => `Note: ${note}`),
    ];
    for (const stack of [plan.origin, plan.gateway]) {
        const reads = stack.counts.read > 0 ? `, ${stack.counts.read} to read` : "";
        lines.push("", `Stack ${stack.stack} (${stack.layer}): ${stack.counts.create} to create${reads}`, "");
        lines.push(...renderTree(stack.tree), "", ...renderOutputs(stack.outputs));
    }
    const originUrl = plan.origin.run.outputs.originUrl;
    const integrationUris = [
        ...new Set(
            plan.gateway.run.resources
                .filter((resource) => resource.type === T.integration)
                .map((resource) => displayValue(inputAt(resource.inputs, "uri"))),
        ),
    ];
    lines.push(
        "",
        `Wiring: ${plan.gateway.stack} reads ${plan.originReference} through a StackReference; ` +
            `origin originUrl ${displayValue(originUrl)}, integration URI ${integrationUris.join(", ") || "none"}.`,
    );
    return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------
// Architecture diagram: one model, rendered as Mermaid text and as a Graphviz picture

export type NodeShape = "box" | "rounded" | "stadium" | "cylinder" | "hexagon";

export interface DiagramNode {
    readonly id: string;
    readonly lines: readonly string[];
    readonly shape: NodeShape;
}

export interface DiagramGroup {
    readonly id: string;
    readonly title: string;
    readonly style: "stack" | "network" | "service";
    readonly nodes: readonly DiagramNode[];
    readonly groups: readonly DiagramGroup[];
}

export interface DiagramEdge {
    /** A node id or a group id. */
    readonly from: string;
    readonly to: string;
    readonly label?: string;
    readonly dashed?: boolean;
}

export interface Diagram {
    readonly title: string;
    readonly nodes: readonly DiagramNode[];
    readonly groups: readonly DiagramGroup[];
    readonly edges: readonly DiagramEdge[];
}

const T = {
    vpc: "awsx:ec2:Vpc",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    instance: "aws:ec2/instance:Instance",
    eip: "aws:ec2/eip:Eip",
    eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    targetGroupAttachment: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    command: "command:remote:Command",
    stackReference: "pulumi:pulumi:StackReference",
    account: "aws:apigateway/account:Account",
    restApi: "aws:apigateway/restApi:RestApi",
    apiResource: "aws:apigateway/resource:Resource",
    method: "aws:apigateway/method:Method",
    integration: "aws:apigateway/integration:Integration",
    stage: "aws:apigateway/stage:Stage",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    vpcLink: "aws:apigateway/vpcLink:VpcLink",
    authorizer: "aws:apigateway/authorizer:Authorizer",
    usagePlan: "aws:apigateway/usagePlan:UsagePlan",
    domainName: "aws:apigateway/domainName:DomainName",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    userPool: "aws:cognito/userPool:UserPool",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    topic: "aws:sns/topic:Topic",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
} as const;

/**
 * Types the diagram draws, or that only serve one it draws (a key pair, a deployment, a policy
 * attachment). Custom resources of any other type are listed in an "also in this stack" node,
 * so a resource added to the program never silently drops out of the picture.
 */
const DRAWN_TYPES = new Set<string>([
    ...Object.values(T),
    "aws:ec2/keyPair:KeyPair",
    "tls:index/privateKey:PrivateKey",
    "aws:iam/role:Role",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:apigateway/deployment:Deployment",
    "aws:apigateway/requestValidator:RequestValidator",
    "aws:apigateway/apiKey:ApiKey",
    "aws:apigateway/usagePlanKey:UsagePlanKey",
    "aws:apigateway/basePathMapping:BasePathMapping",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/record:Record",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:cognito/userPoolClient:UserPoolClient",
    "aws:kms/key:Key",
    "aws:kms/keyPolicy:KeyPolicy",
]);

function firstOf(run: ProgramRun, type: string): RecordedResource | undefined {
    return run.resources.find((resource) => resource.type === type);
}

function allOf(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((resource) => resource.type === type);
}

/** A plain (non-secret) scalar input as text, for labels and comparisons; a secret never reaches a diagram. */
function plain(resource: RecordedResource | undefined, dottedPath: string): string | undefined {
    const value = resource ? inputAt(resource.inputs, dottedPath) : undefined;
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

function stateText(resource: RecordedResource | undefined, key: string): string | undefined {
    const value = resource?.state[key];
    return typeof value === "string" ? value : undefined;
}

/** The recorded resources a resource depends on (inputs and dependsOn), of one type. */
function dependenciesOfType(run: ProgramRun, resource: RecordedResource, type: string): RecordedResource[] {
    return resource.dependencyUrns
        .map((urn) => run.resources.find((candidate) => candidate.urn === urn))
        .filter((candidate): candidate is RecordedResource => candidate?.type === type);
}

/** `/hello` for an API Gateway resource, following its parent resources; `/` for the root. */
function routePathOf(run: ProgramRun, integration: RecordedResource): string {
    const segments: string[] = [];
    let current: RecordedResource | undefined = dependenciesOfType(run, integration, T.apiResource)[0];
    while (current && segments.length < 20) {
        segments.unshift(String(current.inputs.pathPart));
        current = dependenciesOfType(run, current, T.apiResource)[0];
    }
    return `/${segments.join("/")}`;
}

function hostOf(url: unknown): string | undefined {
    try {
        return typeof url === "string" ? new URL(url).hostname : undefined;
    } catch {
        return undefined;
    }
}

function urlPath(url: unknown): string | undefined {
    try {
        return typeof url === "string" ? new URL(url).pathname : undefined;
    } catch {
        return undefined;
    }
}

const lines = (...candidates: Array<string | undefined | false>): string[] =>
    candidates.filter((line): line is string => typeof line === "string" && line !== "");

function otherResourcesNode(id: string, run: ProgramRun): DiagramNode[] {
    const counts = new Map<string, number>();
    for (const resource of run.resources.filter((r) => r.custom && !r.read && !DRAWN_TYPES.has(r.type))) {
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    }
    if (counts.size === 0) {
        return [];
    }
    return [{ id, shape: "box", lines: ["Also in this stack:", ...[...counts].map(([type, count]) => `${count} × ${type}`)] }];
}

/** Alarms, their dashboard and where they notify: one node per stack. */
function monitoringNode(id: string, run: ProgramRun): DiagramNode | undefined {
    const alarms = allOf(run, T.metricAlarm);
    const dashboard = firstOf(run, T.dashboard);
    if (alarms.length === 0 && !dashboard) {
        return undefined;
    }
    const subscriptions = allOf(run, T.topicSubscription).map((subscription) => plain(subscription, "protocol") ?? "subscription");
    const metrics = [...new Set(alarms.map((alarm) => plain(alarm, "metricName")).filter((name): name is string => !!name))];
    return {
        id,
        shape: "box",
        lines: lines(
            `CloudWatch: ${alarms.length} alarm${alarms.length === 1 ? "" : "s"}${dashboard ? ", dashboard" : ""}`,
            metrics.length > 0 && `on ${metrics.join(", ")}`,
            firstOf(run, T.topic) && `notify: SNS topic${subscriptions.length > 0 ? ` → ${subscriptions.join(", ")}` : ""}`,
        ),
    };
}

interface OriginPart {
    readonly group: DiagramGroup;
    readonly edges: DiagramEdge[];
    /** The node a request to this host enters the origin at, if the host is the origin's. */
    readonly entryFor: (host: string | undefined) => string | undefined;
}

/** The origin stack: EC2 running httpd behind an Elastic IP or an internal NLB, inside the VPC. */
function originPart(origin: ProgramRun): OriginPart {
    const vpc = firstOf(origin, T.vpc);
    const instance = firstOf(origin, T.instance);
    const eip = firstOf(origin, T.eip);
    const loadBalancer = firstOf(origin, T.loadBalancer);
    const securityGroup = firstOf(origin, T.securityGroup);
    const networkNodes: DiagramNode[] = [];
    const edges: DiagramEdge[] = [];

    if (loadBalancer) {
        const listener = firstOf(origin, T.listener);
        const kind = plain(loadBalancer, "loadBalancerType") === "network" ? "Network Load Balancer" : "Load Balancer";
        networkNodes.push({
            id: "load_balancer",
            shape: "rounded",
            lines: lines(
                `${kind}${plain(loadBalancer, "internal") === "true" ? " (internal)" : ""}`,
                stateText(loadBalancer, "dnsName"),
                listener && `listener ${plain(listener, "protocol") ?? ""} ${plain(listener, "port") ?? ""}`.trim(),
            ),
        });
    }
    if (eip) {
        networkNodes.push({ id: "eip", shape: "rounded", lines: lines("Elastic IP", stateText(eip, "publicIp"), stateText(eip, "publicDns")) });
    }
    if (instance) {
        const ingress = securityGroup ? ruleTexts(pickSafely(securityGroup.inputs, (inputs) => inputs.ingress), "from") ?? [] : [];
        networkNodes.push({
            id: "ec2",
            shape: "box",
            lines: lines(
                `EC2 ${plain(instance, "instanceType") ?? "instance"}`,
                allOf(origin, T.command).length > 0 && "httpd, provisioned over SSH",
                ...ingress.map((rule) => `in: ${rule}`),
            ),
        });
        if (eip) {
            edges.push({ from: "eip", to: "ec2", label: firstOf(origin, T.eipAssociation) ? "associated" : undefined });
        }
        if (loadBalancer) {
            const targetGroup = firstOf(origin, T.targetGroup);
            const attached = firstOf(origin, T.targetGroupAttachment);
            edges.push({
                from: "load_balancer",
                to: "ec2",
                label: attached ? `target ${plain(targetGroup, "protocol") ?? ""} ${plain(attached, "port") ?? ""}`.trim() : undefined,
            });
        }
    }

    const monitoring = monitoringNode("origin_monitoring", origin);
    if (monitoring && instance) {
        edges.push({ from: "ec2", to: monitoring.id, dashed: true, label: "alarms" });
    }
    const vpcTitle = vpc
        ? lines(
              `VPC ${plain(vpc, "cidrBlock") ?? ""}`.trim(),
              plain(vpc, "numberOfAvailabilityZones") && `${plain(vpc, "numberOfAvailabilityZones")} AZs`,
              plain(vpc, "natGateways.strategy") === "None" && "public subnets, no NAT",
          ).join(", ")
        : "Network";
    const group: DiagramGroup = {
        id: "origin_stack",
        title: `Stack ${origin.stack} (origin)`,
        style: "stack",
        nodes: [...(monitoring ? [monitoring] : []), ...otherResourcesNode("origin_other", origin)],
        groups: [{ id: "vpc", title: vpcTitle, style: "network", nodes: networkNodes, groups: [] }],
    };
    const entryFor = (host: string | undefined): string | undefined => {
        if (host === undefined) {
            return undefined;
        }
        if (loadBalancer && stateText(loadBalancer, "dnsName") === host) {
            return "load_balancer";
        }
        if (eip && (stateText(eip, "publicDns") === host || stateText(eip, "publicIp") === host)) {
            return "eip";
        }
        return undefined;
    };
    return { group, edges, entryFor };
}

/** What a method demands of a caller: an API key, a Cognito token, required parameters. */
function methodRequirements(method: RecordedResource | undefined): string[] {
    if (!method) {
        return [];
    }
    const requirements: string[] = [];
    if (plain(method, "apiKeyRequired") === "true") {
        requirements.push("API key");
    }
    const authorization = plain(method, "authorization");
    if (authorization && authorization !== "NONE") {
        requirements.push(authorization === "COGNITO_USER_POOLS" ? "Cognito token" : authorization === "AWS_IAM" ? "IAM signature" : authorization);
    }
    const parameters = method.inputs.requestParameters;
    if (typeof parameters === "object" && parameters !== null && !Array.isArray(parameters)) {
        for (const [parameter, required] of Object.entries(parameters)) {
            if (required === true) {
                requirements.push(parameter.replace(/^method\.request\.(querystring|header)\./, (_, where: string) => (where === "header" ? "header " : "?")));
            }
        }
    }
    return requirements;
}

/**
 * The architecture as the two runs recorded it: who calls whom, inside which stack and
 * network, with the settings that matter. Built from the recorded resources, so the picture
 * follows the configuration (stage name, throttling, retention, instance type, origin mode).
 */
export function architectureDiagramOf(env: string, origin: ProgramRun, gateway: ProgramRun): Diagram {
    const nodes: DiagramNode[] = [{ id: "client", shape: "stadium", lines: ["Client"] }];
    const originSide = originPart(origin);
    const edges: DiagramEdge[] = [...originSide.edges];
    const apiNodes: DiagramNode[] = [];
    const gatewayNodes: DiagramNode[] = [];

    // The stage, with everything that shapes traffic through it.
    const restApi = firstOf(gateway, T.restApi);
    const stage = firstOf(gateway, T.stage);
    const settings = allOf(gateway, T.methodSettings);
    const stageWide = settings.find((s) => s.inputs.methodPath === "*/*") ?? settings[0];
    const rate = plain(stageWide, "settings.throttlingRateLimit");
    const burst = plain(stageWide, "settings.throttlingBurstLimit");
    const loggingLevel = plain(stageWide, "settings.loggingLevel");
    const cacheTtl = plain(stageWide, "settings.cacheTtlInSeconds");
    apiNodes.push({
        id: "stage",
        shape: "rounded",
        lines: lines(
            `Stage ${plain(stage, "stageName") ?? "?"}`,
            rate || burst ? `throttle ${rate ?? "?"} req/s, burst ${burst ?? "?"}` : "not throttled",
            loggingLevel && `execution logging ${loggingLevel}`,
            plain(stage, "cacheClusterEnabled") === "true" &&
                `cache ${plain(stage, "cacheClusterSize") ?? "?"} GB${cacheTtl ? `, TTL ${cacheTtl} s` : ""}`,
            plain(stage, "xrayTracingEnabled") === "true" && "X-Ray tracing",
        ),
    });

    // The client's way in: custom domain, then WAF, then the stage (whichever exist).
    const domain = firstOf(gateway, T.domainName);
    const webAcl = firstOf(gateway, T.webAcl);
    const entry: string[] = ["client"];
    if (domain) {
        gatewayNodes.push({
            id: "custom_domain",
            shape: "rounded",
            lines: lines(
                `Custom domain ${plain(domain, "domainName") ?? ""}`.trim(),
                firstOf(gateway, "aws:acm/certificate:Certificate") ? "ACM certificate" : plain(domain, "regionalCertificateArn") && "certificate",
                firstOf(gateway, "aws:route53/record:Record") && "Route 53 alias",
            ),
        });
        entry.push("custom_domain");
    }
    if (webAcl) {
        const rules = Array.isArray(webAcl.inputs.rules) ? webAcl.inputs.rules.length : 0;
        gatewayNodes.push({ id: "waf", shape: "hexagon", lines: lines("WAF web ACL", rules > 0 && `${rules} rule${rules === 1 ? "" : "s"}`) });
        entry.push("waf");
    }
    entry.push("stage");
    const invokePath = urlPath(gateway.outputs.invokeUrl);
    entry.slice(1).forEach((to, index) => {
        edges.push({ from: entry[index], to, label: index === 0 ? `HTTPS${invokePath && !domain ? ` ${invokePath}` : ""}` : undefined });
    });

    // Who may call: usage plan and API key, or a Cognito authorizer.
    const usagePlan = firstOf(gateway, T.usagePlan);
    if (usagePlan) {
        const quota = plain(usagePlan, "quotaSettings.limit");
        gatewayNodes.push({
            id: "usage_plan",
            shape: "box",
            lines: lines(
                "Usage plan + API key",
                `${plain(usagePlan, "throttleSettings.rateLimit") ?? "?"} req/s, burst ${plain(usagePlan, "throttleSettings.burstLimit") ?? "?"}`,
                quota && `quota ${quota} per ${(plain(usagePlan, "quotaSettings.period") ?? "period").toLowerCase()}`,
            ),
        });
        edges.push({ from: "usage_plan", to: "stage", dashed: true, label: "meters" });
    }
    const authorizer = firstOf(gateway, T.authorizer);
    const userPool = firstOf(gateway, T.userPool);
    if (authorizer || userPool) {
        gatewayNodes.push({
            id: "authorizer",
            shape: "box",
            lines: lines(
                `Authorizer ${plain(authorizer, "type") ?? ""}`.trim(),
                userPool ? `Cognito user pool${userPool.retainOnDelete ? " (kept on destroy)" : ""}` : "existing user pool",
            ),
        });
        edges.push({ from: "authorizer", to: "stage", dashed: true, label: "verifies tokens" });
    }

    // Routes: integrations that do the same thing are one node ("GET /, GET /hello").
    const vpcLink = firstOf(gateway, T.vpcLink);
    if (vpcLink) {
        apiNodes.push({ id: "vpc_link", shape: "hexagon", lines: lines("VPC link", plain(vpcLink, "name")) });
    }
    const routeGroups = new Map<string, { routes: string[]; detail: string[]; uri: string | undefined; viaVpcLink: boolean }>();
    for (const integration of allOf(gateway, T.integration)) {
        const method = dependenciesOfType(gateway, integration, T.method)[0];
        const requirements = methodRequirements(method);
        const timeout = plain(integration, "timeoutMilliseconds");
        const viaVpcLink = plain(integration, "connectionType") === "VPC_LINK";
        const detail = lines(
            requirements.length > 0 && `requires ${requirements.join(", ")}`,
            `${plain(integration, "type") ?? "integration"} ${plain(integration, "integrationHttpMethod") ?? ""}`.trim() + (viaVpcLink ? " via VPC link" : ""),
            timeout && `timeout ${timeout} ms`,
        );
        const uri = plain(integration, "uri");
        const key = JSON.stringify([detail, uri]);
        const group = routeGroups.get(key) ?? { routes: [], detail, uri, viaVpcLink };
        group.routes.push(`${plain(integration, "httpMethod") ?? ""} ${routePathOf(gateway, integration)}`.trim());
        routeGroups.set(key, group);
    }
    const originUrl = origin.outputs.originUrl;
    const routeIds: string[] = [];
    [...routeGroups.values()].forEach((group, index) => {
        const id = `route_${index + 1}`;
        routeIds.push(id);
        apiNodes.push({ id, shape: "box", lines: [group.routes.join(", "), ...group.detail] });
        edges.push({ from: "stage", to: id });
        // Only a URI that is the origin's own address is drawn into the origin stack.
        const target = group.uri !== undefined && group.uri === originUrl ? originSide.entryFor(hostOf(group.uri)) : undefined;
        if (group.viaVpcLink && vpcLink) {
            edges.push({ from: id, to: "vpc_link" });
            if (target) {
                edges.push({ from: "vpc_link", to: target, label: group.uri });
            }
        } else if (target) {
            edges.push({ from: id, to: target, label: group.uri });
        }
    });

    // Logs: the stage writes access logs and execution logs to groups the stack owns.
    const accessArn = plain(stage, "accessLogSettings.destinationArn");
    allOf(gateway, T.logGroup).forEach((group, index) => {
        const id = `logs_${index + 1}`;
        const isAccess = accessArn !== undefined && stateText(group, "arn") === accessArn;
        const isExecution = (plain(group, "name") ?? "").startsWith("API-Gateway-Execution-Logs_");
        const retention = plain(group, "retentionInDays");
        gatewayNodes.push({
            id,
            shape: "cylinder",
            lines: [
                isAccess ? "CloudWatch access logs" : isExecution ? "CloudWatch execution logs" : `Log group ${group.name}`,
                retention && retention !== "0" ? `retention ${retention} days` : "retention: never expires",
            ],
        });
        if (isAccess || isExecution) {
            edges.push({ from: "stage", to: id, dashed: true, label: isAccess ? "access log" : `execution log${loggingLevel ? ` (${loggingLevel})` : ""}` });
        }
    });
    const account = firstOf(gateway, T.account);
    if (account) {
        gatewayNodes.push({
            id: "account_logging",
            shape: "box",
            lines: ["API Gateway account setting", `CloudWatch role${account.retainOnDelete ? " (kept on destroy)" : ""}`],
        });
        edges.push({ from: "account_logging", to: "stage", dashed: true, label: "lets it log" });
    }
    const monitoring = monitoringNode("gateway_monitoring", gateway);
    if (monitoring) {
        gatewayNodes.push(monitoring);
        edges.push({ from: "stage", to: monitoring.id, dashed: true, label: "alarms" });
    }

    // The wiring between the stacks: the origin's outputs, read through the StackReference.
    const reference = firstOf(gateway, T.stackReference);
    if (reference) {
        gatewayNodes.push({ id: "stack_reference", shape: "hexagon", lines: ["StackReference", plain(reference, "name") ?? reference.name] });
        edges.push({ from: "origin_stack", to: "stack_reference", dashed: true, label: "outputs" });
        for (const id of routeIds) {
            edges.push({ from: "stack_reference", to: id, dashed: true, label: "originUrl" });
        }
        if (vpcLink) {
            edges.push({ from: "stack_reference", to: "vpc_link", dashed: true, label: "originNlbArn" });
        }
    }

    const endpoint = plain(restApi, "endpointConfiguration.types");
    const gatewayGroup: DiagramGroup = {
        id: "gateway_stack",
        title: `Stack ${gateway.stack} (gateway)`,
        style: "stack",
        nodes: [...gatewayNodes, ...otherResourcesNode("gateway_other", gateway)],
        groups: [
            {
                id: "rest_api",
                title: restApi ? `REST API ${plain(restApi, "name") ?? restApi.name}${endpoint ? ` (${endpoint})` : ""}` : "API Gateway",
                style: "service",
                nodes: apiNodes,
                groups: [],
            },
        ],
    };
    return { title: `hello-gateway ${env}`, nodes, groups: [gatewayGroup, originSide.group], edges };
}

// Mermaid -------------------------------------------------------------------

/** Mermaid's entity codes keep quotes and angle brackets from ending or opening markup. */
function mermaidText(text: string): string {
    return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

const MERMAID_SHAPES: Record<NodeShape, [string, string]> = {
    box: ["[", "]"],
    rounded: ["(", ")"],
    stadium: ["([", "])"],
    cylinder: ["[(", ")]"],
    hexagon: ["{{", "}}"],
};

const GROUP_COLORS: Record<DiagramGroup["style"], { fill: string; stroke: string; dashed: boolean }> = {
    stack: { fill: "#f4f1fb", stroke: "#7c6bb0", dashed: false },
    service: { fill: "#ffffff", stroke: "#9a8fc4", dashed: false },
    network: { fill: "#eef7ee", stroke: "#5c9a5c", dashed: true },
};

/** A `flowchart LR` of the diagram: stacks, the VPC and the REST API as subgraphs. */
export function mermaidOf(diagram: Diagram): string {
    const lines = ["flowchart LR", `    %% ${diagram.title}: generated by npm run plan from a mock-runtime run; IDs and addresses are placeholders`];
    const styled: string[] = [];
    const nodeLine = (node: DiagramNode, indent: string) => {
        const [open, close] = MERMAID_SHAPES[node.shape];
        lines.push(`${indent}${node.id}${open}"${node.lines.map(mermaidText).join("<br/>")}"${close}`);
    };
    const groupLines = (group: DiagramGroup, indent: string) => {
        lines.push(`${indent}subgraph ${group.id}["${mermaidText(group.title)}"]`);
        group.nodes.forEach((node) => nodeLine(node, `${indent}    `));
        group.groups.forEach((inner) => groupLines(inner, `${indent}    `));
        lines.push(`${indent}end`);
        const colors = GROUP_COLORS[group.style];
        styled.push(`    style ${group.id} fill:${colors.fill},stroke:${colors.stroke}${colors.dashed ? ",stroke-dasharray:5 5" : ""}`);
    };
    diagram.nodes.forEach((node) => nodeLine(node, "    "));
    diagram.groups.forEach((group) => groupLines(group, "    "));
    for (const edge of diagram.edges) {
        const arrow = edge.dashed ? "-.->" : "-->";
        const label = edge.label ? `|"${mermaidText(edge.label)}"|` : "";
        lines.push(`    ${edge.from} ${arrow}${label} ${edge.to}`);
    }
    lines.push(...styled);
    return `${lines.join("\n")}\n`;
}

// Graphviz ------------------------------------------------------------------

/** Graphviz reads `\n`, `\l`, `\N`, ... in labels as escapes: keep a literal backslash literal. */
function graphvizText(lines: readonly string[]): string {
    return lines.map((line) => line.replace(/\\/g, "\\\\")).join("\\n");
}

const GRAPHVIZ_SHAPES: Record<NodeShape, Record<string, string>> = {
    box: { shape: "box", style: "filled" },
    rounded: { shape: "box", style: "rounded,filled" },
    stadium: { shape: "oval", style: "filled" },
    cylinder: { shape: "cylinder", style: "filled" },
    hexagon: { shape: "hexagon", style: "filled" },
};

/** The same diagram as a Graphviz graph object: clusters for groups, `compound` for group edges. */
export function graphvizOf(diagram: Diagram): GraphvizGraph {
    const groupsById = new Map<string, DiagramGroup>();
    const index = (group: DiagramGroup) => {
        groupsById.set(group.id, group);
        group.groups.forEach(index);
    };
    diagram.groups.forEach(index);
    // An edge to a cluster is drawn to a node inside it and clipped at the cluster's border.
    const anchorOf = (group: DiagramGroup): string | undefined =>
        group.nodes[0]?.id ?? group.groups.map(anchorOf).find((id) => id !== undefined);
    const endpoint = (id: string): { node: string; cluster?: string } => {
        const group = groupsById.get(id);
        return group ? { node: anchorOf(group) ?? id, cluster: `cluster_${group.id}` } : { node: id };
    };
    const node = (item: DiagramNode) => ({ name: item.id, attributes: { label: graphvizText(item.lines), ...GRAPHVIZ_SHAPES[item.shape] } });
    const subgraph = (group: DiagramGroup): GraphvizSubgraph => {
        const colors = GROUP_COLORS[group.style];
        return {
            name: `cluster_${group.id}`,
            graphAttributes: {
                label: graphvizText([group.title]),
                // Nested clusters do not inherit the root graph's font.
                fontname: "Helvetica",
                fontsize: 11,
                style: colors.dashed ? "rounded,dashed,filled" : "rounded,filled",
                fillcolor: colors.fill,
                color: colors.stroke,
            },
            nodes: group.nodes.map(node),
            subgraphs: group.groups.map(subgraph),
        };
    };
    return {
        name: "architecture",
        directed: true,
        graphAttributes: {
            rankdir: "LR",
            compound: true,
            fontname: "Helvetica",
            fontsize: 12,
            labelloc: "t",
            label: graphvizText([diagram.title]),
            nodesep: 0.35,
            ranksep: 0.55,
        },
        // Generous margins: viewers without Helvetica draw wider text than Graphviz measured.
        nodeAttributes: { fontname: "Helvetica", fontsize: 10, fillcolor: "#ffffff", color: "#555555", margin: "0.3,0.1" },
        edgeAttributes: { fontname: "Helvetica", fontsize: 9, color: "#444444" },
        nodes: diagram.nodes.map(node),
        subgraphs: diagram.groups.map(subgraph),
        edges: diagram.edges.map((edge) => {
            const tail = endpoint(edge.from);
            const head = endpoint(edge.to);
            const attributes: Record<string, string> = {};
            if (edge.label) attributes.label = graphvizText([edge.label]);
            if (edge.dashed) attributes.style = "dashed";
            if (tail.cluster) attributes.ltail = tail.cluster;
            if (head.cluster) attributes.lhead = head.cluster;
            return { tail: tail.node, head: head.node, attributes };
        }),
    };
}

/** Renders the diagram to SVG with Graphviz compiled to WebAssembly: no browser, no binary. */
export async function svgOf(diagram: Diagram): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const viz = (require("@viz-js/viz") as VizModule);
    const renderer = await viz.instance();
    return renderer.renderString(graphvizOf(diagram), { format: "svg" });
}

// ---------------------------------------------------------------------------
// Command line

export const USAGE = `usage: npm run plan -- <${ENVIRONMENTS.join("|")}> [--out <dir>]`;

const HELP = `Plans both stacks of the environment offline (no Pulumi CLI, no cloud): the resources each
would create, their key properties and outputs, from the committed stack files. Writes
plan.txt, architecture.mmd and architecture.svg to plan/<env>/ (or --out); a failed plan
removes that directory's earlier plan files. Exit 0 planned, 1 bad configuration, 2 bad
command line.`;

/** Exit codes: 0 planned, 1 bad configuration or failure, 2 bad command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface PlanRequest {
    /** `--help`: print the usage, plan nothing. */
    readonly help?: boolean;
    readonly env: Environment;
    /** Where the files go; default plan/<env> in the repository. */
    readonly outDir: string;
}

export function parsePlanArgs(argv: readonly string[], cwd: string): PlanRequest {
    const parsed = parseCommandLine(argv, { flags: ["--help"], options: ["--out"] });
    if (parsed.flags.has("--help")) {
        return { help: true, env: ENVIRONMENTS[0], outDir: "" };
    }
    const [env, ...extra] = parsed.positionals;
    if (extra.length > 0) {
        throw new UserFacingError(`unexpected argument "${extra[0]}"`);
    }
    if (env === undefined) {
        throw new UserFacingError("missing environment");
    }
    const environment = parseEnvironment(env, USAGE);
    const out = parsed.options.get("--out");
    return { env: environment, outDir: out === undefined ? path.join(REPO_ROOT, "plan", environment) : path.resolve(cwd, out) };
}

export interface PlanIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readonly cwd: string;
}

const processIo: PlanIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
};

export interface PlanFiles {
    readonly planText: string;
    readonly mermaid: string;
    readonly svg: string;
}

function planFilesIn(outDir: string): PlanFiles {
    return {
        planText: path.join(outDir, "plan.txt"),
        mermaid: path.join(outDir, "architecture.mmd"),
        svg: path.join(outDir, "architecture.svg"),
    };
}

/** After a failed plan, an earlier plan's files would show a picture of something else. */
export function removePlanFiles(outDir: string): void {
    for (const file of Object.values(planFilesIn(outDir))) {
        fs.rmSync(file, { force: true });
    }
}

export function writePlanFiles(outDir: string, plan: EnvironmentPlan, planText: string, svg: string): PlanFiles {
    fs.mkdirSync(outDir, { recursive: true });
    const files = planFilesIn(outDir);
    fs.writeFileSync(files.planText, planText);
    fs.writeFileSync(files.mermaid, plan.mermaid);
    fs.writeFileSync(files.svg, svg);
    return files;
}

function firstLineOf(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n").find((line) => line.trim() !== "")?.trim() ?? "unknown error";
}

export interface MainDependencies {
    readonly io: PlanIo;
    readonly planOptions: PlanOptions;
    /** Stands in for `planEnvironment`, so a test can keep the plan it printed. */
    readonly planner: typeof planEnvironment;
}

/**
 * Plans, prints and writes; returns the exit code. A configuration error is printed exactly as
 * the program words it (what `pulumi up` shows), anything else as one line.
 */
export async function main(argv: readonly string[], dependencies: Partial<MainDependencies> = {}): Promise<number> {
    const { io = processIo, planOptions = {}, planner = planEnvironment } = dependencies;
    let request: PlanRequest;
    try {
        request = parsePlanArgs(argv, io.cwd);
    } catch (error) {
        io.stderr(`error: ${firstLineOf(error)} (${USAGE})\n`);
        return EXIT.usage;
    }
    if (request.help) {
        io.stdout(`${USAGE}\n\n${HELP}\n`);
        return EXIT.ok;
    }
    try {
        const plan = await planner(request.env, planOptions);
        const svg = await svgOf(plan.diagram);
        const planText = renderPlan(plan);
        const files = writePlanFiles(request.outDir, plan, planText, svg);
        // Relative to where the user is, unless that means climbing out of it.
        const shown = (file: string) => {
            const relative = path.relative(io.cwd, file);
            return relative === "" || relative.startsWith("..") ? file : relative;
        };
        io.stdout(
            `${planText}\nWrote ${shown(files.planText)} (this plan), ${shown(files.mermaid)} (Mermaid) and ${shown(files.svg)} (picture).\n`,
        );
        return EXIT.ok;
    } catch (error) {
        removePlanFiles(request.outDir);
        if (isConfigurationError(error)) {
            io.stderr(`${error.message}\n`);
        } else {
            io.stderr(`error: ${firstLineOf(error)}\n`);
        }
        return EXIT.failed;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`error: ${firstLineOf(error)}\n`);
            process.exitCode = EXIT.failed;
        },
    );
}
