/**
 * The architecture of an environment as one diagram model (nodes, groups, edges), drawn from
 * the two stacks' recorded resource graphs; mermaid.ts and graphviz.ts render it.
 */
import type { RecordedResource, ResourceGraph } from "../resource-graph";
import { countsInWords } from "./resource-words";
import { inputAt, pickSafely, ruleTexts } from "./values";
import { methodSettingsPath } from "../../infra/method-settings-path";

/** What the diagram reads of one program run. */
export interface DiagramSource {
    readonly stack: string;
    readonly graph: ResourceGraph;
    readonly outputs: Record<string, unknown>;
}


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
    /**
     * Drawn, but it does not place its ends: for an edge that runs against the page's flow
     * (the origin's outputs back up to the gateway's StackReference). Default: false.
     */
    readonly loose?: boolean;
}

export interface Diagram {
    readonly title: string;
    readonly nodes: readonly DiagramNode[];
    readonly groups: readonly DiagramGroup[];
    readonly edges: readonly DiagramEdge[];
    /**
     * Nodes to draw one under the other, in this order, each list in one column: side notes
     * (logs, alarms) stacked rather than spread across the page. A hint to the layout only.
     */
    readonly columns?: ReadonlyArray<readonly string[]>;
    /**
     * Top-level groups and nodes from the top of the page down, each entirely below the one
     * before (the gateway stack, then the origin stack or the external backend). A hint to the
     * layout only. Default: the groups in their order.
     */
    readonly topToBottom?: readonly string[];
}

/** One palette per kind of group, for both renderings. */
export const GROUP_COLORS: Record<DiagramGroup["style"], { fill: string; stroke: string; dashed: boolean }> = {
    stack: { fill: "#f4f1fb", stroke: "#7c6bb0", dashed: false },
    service: { fill: "#ffffff", stroke: "#9a8fc4", dashed: false },
    network: { fill: "#eef7ee", stroke: "#5c9a5c", dashed: true },
};

export const T = {
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
    webAclLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    userPool: "aws:cognito/userPool:UserPool",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    lambdaFunction: "aws:lambda/function:Function",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    topic: "aws:sns/topic:Topic",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
    model: "aws:apigateway/model:Model",
    requestValidator: "aws:apigateway/requestValidator:RequestValidator",
    image: "aws:ec2/amiFromInstance:AmiFromInstance",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    autoScalingGroup: "aws:autoscaling/group:Group",
    autoScalingPolicy: "aws:autoscaling/policy:Policy",
    // The provider files aws_ec2_instance_state under ec2transitgateway.
    instanceState: "aws:ec2transitgateway/instanceState:InstanceState",
    // HTTP APIs (infra/http/) and the functions Lambda routes run (infra/lambda/).
    httpApi: "aws:apigatewayv2/api:Api",
    httpRoute: "aws:apigatewayv2/route:Route",
    httpIntegration: "aws:apigatewayv2/integration:Integration",
    httpStage: "aws:apigatewayv2/stage:Stage",
    httpAuthorizer: "aws:apigatewayv2/authorizer:Authorizer",
    httpVpcLink: "aws:apigatewayv2/vpcLink:VpcLink",
    httpDomainName: "aws:apigatewayv2/domainName:DomainName",
} as const;

/**
 * Types that only serve a resource the diagram draws (a key pair, a deployment, a policy
 * attachment). Every other custom resource is either read by the diagram (`readingOf`) or listed
 * in an "also in this stack" node, so a resource the program adds, or a diagram forgets, never
 * silently drops out of the picture.
 */
const SERVING_TYPES = new Set<string>([
    "aws:ec2/keyPair:KeyPair",
    "tls:index/privateKey:PrivateKey",
    "aws:iam/role:Role",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:apigateway/deployment:Deployment",
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
    "aws:apigatewayv2/apiMapping:ApiMapping",
    "aws:lambda/permission:Permission",
    "aws:iam/rolePolicy:RolePolicy",
]);

/** A run as one diagram reads it: the types it asked for are noted in `typesRead`. */
export interface ReadRun extends DiagramSource {
    readonly typesRead: Set<string>;
}

/** Starts noting what a diagram reads of `run`; each diagram reads a run through its own one. */
export function readingOf(run: DiagramSource): ReadRun {
    return { stack: run.stack, graph: run.graph, outputs: run.outputs, typesRead: new Set() };
}

function firstOf(run: ReadRun, type: string): RecordedResource | undefined {
    return allOf(run, type)[0];
}

export function allOf(run: ReadRun, type: string): RecordedResource[] {
    run.typesRead.add(type);
    return run.graph.ofType(type);
}

/** A plain (non-secret) scalar input as text, for labels and comparisons; a secret never reaches a diagram. */
function plain(resource: RecordedResource | undefined, dottedPath: string): string | undefined {
    const value = resource ? inputAt(resource.inputs, dottedPath) : undefined;
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** How many zones the VPC spans: given by name (the stack's own region's zones) or by count. */
function zoneCount(vpc: RecordedResource | undefined): string | undefined {
    const names = vpc ? inputAt(vpc.inputs, "availabilityZoneNames") : undefined;
    return Array.isArray(names) ? String(names.length) : plain(vpc, "numberOfAvailabilityZones");
}

/** The kinds of subnet the awsx VPC's specs ask for, as the title says them: `public`, `public and isolated`. */
function subnetKinds(vpc: RecordedResource): string {
    const specs = inputAt(vpc.inputs, "subnetSpecs");
    const kinds = Array.isArray(specs) ? [...new Set(specs.map((spec) => String((spec as { type?: unknown }).type ?? "").toLowerCase()).filter((kind) => kind !== ""))] : [];
    return kinds.length > 0 ? kinds.join(" and ") : "public";
}

function stateText(resource: RecordedResource | undefined, key: string): string | undefined {
    const value = resource?.state[key];
    return typeof value === "string" ? value : undefined;
}

/** The recorded resources a resource depends on (inputs and dependsOn), of one type. */
function dependenciesOfType(run: ReadRun, resource: RecordedResource, type: string): RecordedResource[] {
    run.typesRead.add(type);
    return run.graph.dependenciesOf(resource).filter((candidate) => candidate.type === type);
}

/** `/hello` for an API Gateway resource, following its parent resources; `/` for the root. */
function routePathOf(run: ReadRun, integration: RecordedResource): string {
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

/** DNS names longer than this are drawn on two lines: a region such as ap-southeast-2 adds up to 5 characters, and one long name sets the width of the whole stack box. */
const LONGEST_ONE_LINE_HOST = 36;

/** A DNS name as label lines: whole if short, else split after the dot that makes the longer line shortest. */
function hostLines(host: string | undefined): string[] {
    if (host === undefined || host.length <= LONGEST_ONE_LINE_HOST) {
        return lines(host);
    }
    let best: [string, string] = [host, ""];
    for (let dot = host.indexOf("."); dot !== -1; dot = host.indexOf(".", dot + 1)) {
        const split: [string, string] = [host.slice(0, dot + 1), host.slice(dot + 1)];
        if (Math.max(...split.map((part) => part.length)) < Math.max(...best.map((part) => part.length))) {
            best = split;
        }
    }
    return lines(...best);
}

/** Call it last: it lists what the diagram has not read of `run` by then. */
export function otherResourcesNode(id: string, run: ReadRun): DiagramNode[] {
    const types = run.graph.resources.filter((r) => r.custom && !r.read && !run.typesRead.has(r.type) && !SERVING_TYPES.has(r.type)).map((r) => r.type);
    if (types.length === 0) {
        return [];
    }
    return [{ id, shape: "box", lines: ["Also in this stack:", ...countsInWords(types)] }];
}

/** Alarms, their dashboard and where they notify: one node per stack. */
function monitoringNode(id: string, run: ReadRun): DiagramNode | undefined {
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
    /** The origin stack, or for a gateway-only stack the one node of its external backend. */
    readonly group?: DiagramGroup;
    readonly node?: DiagramNode;
    readonly edges: DiagramEdge[];
    readonly columns: string[][];
    /** The node a request to this host enters the origin at, if the host is the origin's. */
    readonly entryFor: (host: string | undefined) => string | undefined;
}

/**
 * Group mode (infra/fleet.ts): the builder's image, its launch template and the Auto Scaling
 * group that runs it in the isolated subnets. Adds the nodes, returns the edges.
 */
function fleetPart(
    origin: ReadRun,
    fleet: RecordedResource,
    vpc: RecordedResource | undefined,
    networkNodes: DiagramNode[],
    networkGroups: DiagramGroup[],
): DiagramEdge[] {
    const template = firstOf(origin, T.launchTemplate);
    const image = firstOf(origin, T.image);
    const policy = firstOf(origin, T.autoScalingPolicy);
    const target = plain(policy, "targetTrackingConfiguration.targetValue");
    const zones = zoneCount(vpc);
    const edges: DiagramEdge[] = [];
    if (image) {
        networkNodes.push({ id: "image", shape: "rounded", lines: ["Image (AMI from the builder)"] });
        edges.push({ from: "ec2", to: "image", label: "image taken" });
    }
    if (template) {
        networkNodes.push({
            id: "launch_template",
            shape: "box",
            lines: lines("Launch template", plain(template, "instanceType") && `EC2 ${plain(template, "instanceType")}`),
        });
        if (image) edges.push({ from: "image", to: "launch_template" });
    }
    const size = `${plain(fleet, "minSize") ?? "?"}-${plain(fleet, "maxSize") ?? "?"}`;
    networkGroups.push({
        id: "isolated_subnets",
        title: `isolated subnets × ${zones ?? "?"} AZs`,
        style: "network",
        groups: [],
        nodes: [
            {
                id: "fleet",
                shape: "box",
                lines: lines(
                    `Auto Scaling group, ${size} instances`,
                    plain(fleet, "healthCheckType") && `health check ${plain(fleet, "healthCheckType")}`,
                    target && `scales on CPU ${target}%`,
                    fleet.inputs.instanceRefresh !== undefined && "instance refresh on a new image",
                ),
            },
        ],
    });
    if (template) edges.push({ from: "launch_template", to: "fleet", label: size });
    return edges;
}

/** The origin stack: EC2 running httpd behind an Elastic IP or an internal NLB, inside the VPC. */
function originPart(origin: ReadRun): OriginPart {
    const vpc = firstOf(origin, T.vpc);
    const instance = firstOf(origin, T.instance);
    const eip = firstOf(origin, T.eip);
    const loadBalancer = firstOf(origin, T.loadBalancer);
    const securityGroup = firstOf(origin, T.securityGroup);
    const fleet = firstOf(origin, T.autoScalingGroup);
    const networkNodes: DiagramNode[] = [];
    const networkGroups: DiagramGroup[] = [];
    const edges: DiagramEdge[] = [];

    if (loadBalancer) {
        const listener = firstOf(origin, T.listener);
        const kind = plain(loadBalancer, "loadBalancerType") === "network" ? "Network Load Balancer" : "Load Balancer";
        networkNodes.push({
            id: "load_balancer",
            shape: "rounded",
            lines: lines(
                `${kind}${plain(loadBalancer, "internal") === "true" ? " (internal)" : ""}`,
                ...hostLines(stateText(loadBalancer, "dnsName")),
                listener && `listener ${plain(listener, "protocol") ?? ""} ${plain(listener, "port") ?? ""}`.trim(),
            ),
        });
    }
    if (eip) {
        networkNodes.push({ id: "eip", shape: "rounded", lines: lines("Elastic IP", stateText(eip, "publicIp"), ...hostLines(stateText(eip, "publicDns"))) });
    }
    if (instance) {
        const ingress = securityGroup ? ruleTexts(pickSafely(securityGroup.inputs, (inputs) => inputs.ingress), "from") ?? [] : [];
        // In group mode the instance only builds the group's image: it serves nothing.
        const stopped = allOf(origin, T.instanceState).some((state) => plain(state, "state") === "stopped");
        networkNodes.push({
            id: "ec2",
            shape: "box",
            lines: lines(
                `${fleet ? "Builder " : ""}EC2 ${plain(instance, "instanceType") ?? "instance"}`,
                allOf(origin, T.command).length > 0 && "httpd, provisioned over SSH",
                fleet && stopped && "stopped between runs",
                ...ingress.map((rule) => `in: ${rule}`),
            ),
        });
        if (eip) {
            edges.push({ from: "eip", to: "ec2", label: firstOf(origin, T.eipAssociation) ? "associated" : undefined });
        }
        if (fleet) {
            edges.push(...fleetPart(origin, fleet, vpc, networkNodes, networkGroups));
            if (loadBalancer) {
                const targetGroup = firstOf(origin, T.targetGroup);
                edges.push({
                    from: "load_balancer",
                    to: "fleet",
                    label: `target ${plain(targetGroup, "protocol") ?? ""} ${plain(targetGroup, "port") ?? ""}`.trim(),
                });
            }
        } else if (loadBalancer) {
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
    if (monitoring && (fleet || instance)) {
        edges.push({ from: fleet ? "fleet" : "ec2", to: monitoring.id, dashed: true, label: "alarms" });
    }
    const vpcTitle = vpc
        ? lines(
              `VPC ${plain(vpc, "cidrBlock") ?? ""}`.trim(),
              zoneCount(vpc) && `${zoneCount(vpc)} AZs`,
              plain(vpc, "natGateways.strategy") === "None" && `${subnetKinds(vpc)} subnets, no NAT`,
          ).join(", ")
        : "Network";
    const otherNodes = otherResourcesNode("origin_other", origin);
    const group: DiagramGroup = {
        id: "origin_stack",
        title: `Stack ${origin.stack} (origin)`,
        style: "stack",
        nodes: [...(monitoring ? [monitoring] : []), ...otherNodes],
        groups: [{ id: "vpc", title: vpcTitle, style: "network", nodes: networkNodes, groups: networkGroups }],
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
    return { group, edges, entryFor, columns: [[...(monitoring ? [monitoring.id] : []), ...otherNodes.map((node) => node.id)]] };
}

/** How a log group keeps what it holds: its retention, and the KMS key that encrypts it (if any). */
function logKeepingLines(run: ReadRun, group: RecordedResource): string[] {
    const retention = plain(group, "retentionInDays");
    const key = dependenciesOfType(run, group, "aws:kms/key:Key")[0];
    return lines(
        retention && retention !== "0" ? `retention ${retention} days` : "retention: never expires",
        key && `KMS-encrypted${key.retainOnDelete ? ", key kept on destroy" : ""}`,
    );
}

/** What tells the gateway's log groups apart: the stage's access-log ARN, the account setting, the WAF's logging. */
interface LogWriters {
    readonly accessArn: string | undefined;
    readonly loggingLevel: string | undefined;
    readonly account: RecordedResource | undefined;
    readonly wafLogging: RecordedResource | undefined;
    readonly webAclDrawn: boolean;
}

/** A log group's title, the notes that explain it, and the drawn node that writes to it (if any). */
function logGroupRole(
    gateway: ReadRun,
    group: RecordedResource,
    writers: LogWriters,
): { title: string; notes: string[]; writer?: { from: string; label: string } } {
    const name = plain(group, "name");
    const dependsOnGroup = (resource: RecordedResource | undefined) =>
        resource !== undefined && gateway.graph.dependenciesOf(resource).some((dependency) => dependency.urn === group.urn);
    if (writers.accessArn !== undefined && stateText(group, "arn") === writers.accessArn) {
        return { title: "CloudWatch access logs", notes: [], writer: { from: "stage", label: "access log" } };
    }
    if ((name ?? "").startsWith("API-Gateway-Execution-Logs_")) {
        return {
            title: "CloudWatch execution logs",
            notes: [],
            writer: { from: "stage", label: `execution log${writers.loggingLevel ? ` (${writers.loggingLevel})` : ""}` },
        };
    }
    // infra/api.ts: setting the account's role makes API Gateway write a test message to
    // /aws/apigateway/welcome, creating it without retention unless it exists already.
    if (dependsOnGroup(writers.account)) {
        return {
            title: `Log group ${name ?? group.name}`,
            notes: ["API Gateway writes here once the account's", "CloudWatch role is set; created first here", "so it has retention"],
            writer: { from: "account_logging", label: "test message" },
        };
    }
    if (dependsOnGroup(writers.wafLogging)) {
        return { title: "WAF logs", notes: [], writer: writers.webAclDrawn ? { from: "waf", label: "WAF log" } : undefined };
    }
    return { title: `Log group ${name ?? group.name}`, notes: [] };
}

export interface DiagramOptions {
    /**
     * A gateway-only stack's backend (`hello-gateway:originUrl`), drawn as an external node.
     * Ignored when there is an origin run: its `originUrl` output is the backend then.
     */
    readonly originUrl?: string;
    /** The schema file of each route with `body=`, by "METHOD /path"; absent: the model's name is shown. */
    readonly bodyFiles?: ReadonlyMap<string, string>;
}

/**
 * A custom domain: its name, its certificate (issued here through ACM, or a given one), the
 * Route 53 alias when the stack makes one, then `notes`.
 */
function customDomainNode(gateway: ReadRun, domain: RecordedResource, certificateArnPath: string, ...notes: string[]): DiagramNode {
    return {
        id: "custom_domain",
        shape: "rounded",
        lines: lines(
            `Custom domain ${plain(domain, "domainName") ?? ""}`.trim(),
            firstOf(gateway, "aws:acm/certificate:Certificate") ? "ACM certificate" : plain(domain, certificateArnPath) && "certificate",
            firstOf(gateway, "aws:route53/record:Record") && "Route 53 alias",
            ...notes,
        ),
    };
}

/**
 * The wiring between the stacks: the origin's outputs, read through the StackReference. What it
 * hands on is said in the node (an edge to every route, or up to the VPC link, would cross the
 * picture), and the edge from the origin stack places nothing. Adds that edge to `edges`.
 */
function stackReferenceNode(gateway: ReadRun, originSide: OriginPart, edges: DiagramEdge[], handsOn: Array<string | undefined | false>): DiagramNode | undefined {
    const reference = firstOf(gateway, T.stackReference);
    if (!reference) return undefined;
    const node: DiagramNode = { id: "stack_reference", shape: "rounded", lines: lines("StackReference", plain(reference, "name") ?? reference.name, ...handsOn) };
    if (originSide.group) edges.push({ from: originSide.group.id, to: node.id, dashed: true, label: "outputs", loose: true });
    return node;
}

/** A backend this project does not deploy (a gateway-only stack): one node for its host. */
function externalBackendPart(originUrl: unknown): OriginPart {
    const host = hostOf(originUrl);
    const node: DiagramNode = { id: "external_backend", shape: "rounded", lines: lines("External backend", ...hostLines(host), "not deployed by this project") };
    return {
        node,
        edges: [],
        columns: [],
        entryFor: (candidate) => (candidate !== undefined && candidate === host ? node.id : undefined),
    };
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
export function architectureDiagramOf(
    env: string,
    originRun: DiagramSource | undefined,
    gatewayRun: DiagramSource,
    options: DiagramOptions = {},
): Diagram {
    const gateway = readingOf(gatewayRun);
    const origin = originRun && readingOf(originRun);
    if (firstOf(gateway, T.httpApi)) {
        return httpApiDiagramOf(env, origin, gateway, options);
    }
    const nodes: DiagramNode[] = [{ id: "client", shape: "stadium", lines: ["Client"] }];
    const originUrl = origin ? origin.outputs.originUrl : options.originUrl;
    const originSide = origin ? originPart(origin) : externalBackendPart(originUrl);
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
        gatewayNodes.push(customDomainNode(gateway, domain, "regionalCertificateArn"));
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
        // Unlabelled: the node says what it is, and a label here crowded the WAF's log edge.
        edges.push({ from: "usage_plan", to: "stage", dashed: true });
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
        const httpMethod = plain(integration, "httpMethod") ?? "";
        const routePath = routePathOf(gateway, integration);
        const requirements = methodRequirements(method);
        const timeout = plain(integration, "timeoutMilliseconds");
        const viaVpcLink = plain(integration, "connectionType") === "VPC_LINK";
        const model = method ? dependenciesOfType(gateway, method, T.model)[0] : undefined;
        const validated = method ? dependenciesOfType(gateway, method, T.requestValidator).some((v) => plain(v, "validateRequestBody") === "true") : false;
        const routeSettings = settings.find((candidate) => plain(candidate, "methodPath") === methodSettingsPath({ method: httpMethod, path: routePath }));
        const routeRate = plain(routeSettings, "settings.throttlingRateLimit");
        const routeBurst = plain(routeSettings, "settings.throttlingBurstLimit");
        const routeThrottled = routeSettings && (routeRate !== rate || routeBurst !== burst);
        const detail = lines(
            requirements.length > 0 && `requires ${requirements.join(", ")}`,
            model && `body: ${options.bodyFiles?.get(`${httpMethod} ${routePath}`) ?? `model ${plain(model, "name") ?? model.name}`}${validated ? ", validated" : ""}`,
            routeThrottled && `route throttle ${routeRate ?? "?"} req/s, burst ${routeBurst ?? "?"}`,
            `${plain(integration, "type") ?? "integration"} ${plain(integration, "integrationHttpMethod") ?? ""}`.trim() + (viaVpcLink ? " via VPC link" : ""),
            timeout && `timeout ${timeout} ms`,
        );
        const uri = plain(integration, "uri");
        const key = JSON.stringify([detail, uri]);
        const group = routeGroups.get(key) ?? { routes: [], detail, uri, viaVpcLink };
        group.routes.push(`${httpMethod} ${routePath}`.trim());
        routeGroups.set(key, group);
    }
    const drawn = new Set<string>();
    const addEdge = (edge: DiagramEdge) => {
        const key = JSON.stringify([edge.from, edge.to, edge.label]);
        if (!drawn.has(key)) {
            drawn.add(key);
            edges.push(edge);
        }
    };
    // Functions `-> lambda:<name>` routes run: drawn beside the API, each route group into the
    // function whose invokeArn its integration calls.
    const functions = allOf(gateway, T.lambdaFunction);
    functions.forEach((fn, index) => {
        gatewayNodes.push({
            id: `lambda_${index + 1}`,
            shape: "rounded",
            lines: lines(
                `Lambda ${plain(fn, "name") ?? fn.name}`,
                `${plain(fn, "runtime") ?? "?"} ${String((fn.inputs.architectures as unknown[] | undefined)?.[0] ?? "")}, ${plain(fn, "memorySize") ?? "?"} MB, timeout ${plain(fn, "timeout") ?? "?"} s`,
                plain(fn, "reservedConcurrentExecutions") && `reserved concurrency ${plain(fn, "reservedConcurrentExecutions")}`,
            ),
        });
    });
    const functionIdOf = (uri: string | undefined) => {
        const index = uri === undefined ? -1 : functions.findIndex((fn) => stateText(fn, "invokeArn") === uri);
        return index === -1 ? undefined : `lambda_${index + 1}`;
    };
    const routeIds: string[] = [];
    const originRouteIds: string[] = [];
    [...routeGroups.values()].forEach((group, index) => {
        const id = `route_${index + 1}`;
        routeIds.push(id);
        apiNodes.push({ id, shape: "box", lines: [group.routes.join(", "), ...group.detail] });
        edges.push({ from: "stage", to: id });
        const functionId = functionIdOf(group.uri);
        if (functionId) {
            addEdge({ from: id, to: functionId, label: "invokes" });
            return;
        }
        originRouteIds.push(id);
        // A URI under the origin's own address is drawn into the origin, labelled with the
        // path it reaches there (`/` or a `-> /origin/path` target); any other URI is not.
        const underOrigin = typeof originUrl === "string" && group.uri !== undefined && group.uri.startsWith(originUrl);
        const target = underOrigin ? originSide.entryFor(hostOf(group.uri)) : undefined;
        const originPath = underOrigin ? `/${group.uri!.slice((originUrl as string).length).replace(/^\//, "")}` : undefined;
        if (group.viaVpcLink && vpcLink) {
            addEdge({ from: id, to: "vpc_link" });
            if (target) {
                addEdge({ from: "vpc_link", to: target, label: originPath });
            }
        } else if (target) {
            addEdge({ from: id, to: target, label: originPath });
        }
    });

    // Logs: every log group the stack owns, with who writes to it.
    const account = firstOf(gateway, T.account);
    if (account) {
        gatewayNodes.push({
            id: "account_logging",
            shape: "box",
            lines: ["API Gateway account setting", `CloudWatch role${account.retainOnDelete ? " (kept on destroy)" : ""}`],
        });
        edges.push({ from: "account_logging", to: "stage", dashed: true, label: "lets it log" });
    }
    const logWriters: LogWriters = {
        accessArn: plain(stage, "accessLogSettings.destinationArn"),
        loggingLevel,
        account,
        wafLogging: firstOf(gateway, T.webAclLogging),
        webAclDrawn: webAcl !== undefined,
    };
    const logColumn: string[] = [];
    allOf(gateway, T.logGroup).forEach((group, index) => {
        const id = `logs_${index + 1}`;
        const role = logGroupRole(gateway, group, logWriters);
        // A function's own log group (its loggingConfig names it) is written by that function.
        const functionIndex = functions.findIndex((fn) => plain(fn, "loggingConfig.logGroup") === stateText(group, "name"));
        const writer = role.writer ?? (functionIndex === -1 ? undefined : { from: `lambda_${functionIndex + 1}`, label: "logs" });
        const title = role.writer === undefined && functionIndex !== -1 ? "CloudWatch function logs (JSON)" : role.title;
        gatewayNodes.push({ id, shape: "cylinder", lines: [title, ...logKeepingLines(gateway, group), ...role.notes] });
        logColumn.push(id);
        if (writer) {
            edges.push({ from: writer.from, to: id, dashed: true, label: writer.label });
        }
    });
    const monitoring = monitoringNode("gateway_monitoring", gateway);
    if (monitoring) {
        gatewayNodes.push(monitoring);
        edges.push({ from: "stage", to: monitoring.id, dashed: true, label: "alarms" });
    }

    const referenceNode = stackReferenceNode(gateway, originSide, edges, [
        originRouteIds.length > 0 && `originUrl → the route${originRouteIds.length === 1 ? "" : "s"}`,
        vpcLink && "originNlbArn → the VPC link",
    ]);
    if (referenceNode) gatewayNodes.push(referenceNode);

    const endpoint = plain(restApi, "endpointConfiguration.types");
    const gatewayOther = otherResourcesNode("gateway_other", gateway);
    const gatewayGroup: DiagramGroup = {
        id: "gateway_stack",
        title: `Stack ${gateway.stack} (gateway)`,
        style: "stack",
        nodes: [...gatewayNodes, ...gatewayOther],
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
    return {
        title: `hello-gateway ${env}`,
        nodes: [...nodes, ...(originSide.node ? [originSide.node] : [])],
        groups: [gatewayGroup, ...(originSide.group ? [originSide.group] : [])],
        edges,
        topToBottom: [gatewayGroup.id, ...(originSide.group ? [originSide.group.id] : []), ...(originSide.node ? [originSide.node.id] : [])],
        // Routes one under the other, and so are logs, alarms and the list of other resources
        // beside the API: a narrow, tall picture fits a page.
        // The StackReference ends that column, next to the origin stack whose outputs it reads.
        columns: [
            routeIds,
            // What lets callers in and lets the stage log, above the stage, one under the other.
            gatewayNodes.map((node) => node.id).filter((id) => ["usage_plan", "authorizer", "account_logging"].includes(id)),
            [...logColumn, ...(monitoring ? [monitoring.id] : []), ...gatewayOther.map((node) => node.id), ...(referenceNode ? [referenceNode.id] : [])],
            ...originSide.columns,
        ],
    };
}

/**
 * An HTTP API gateway (apiType http): client, optional custom domain, the auto-deploying stage,
 * its JWT authorizer, the routes grouped by what they reach (the origin through the VPC link, an
 * external URL, or a Lambda function), access logs, and the wiring to the origin stack.
 */
function httpApiDiagramOf(env: string, origin: ReadRun | undefined, gateway: ReadRun, options: DiagramOptions): Diagram {
    const nodes: DiagramNode[] = [{ id: "client", shape: "stadium", lines: ["Client"] }];
    const originUrl = origin ? origin.outputs.originUrl : options.originUrl;
    const originSide = origin ? originPart(origin) : externalBackendPart(originUrl);
    const edges: DiagramEdge[] = [...originSide.edges];
    const apiNodes: DiagramNode[] = [];
    const gatewayNodes: DiagramNode[] = [];
    const api = firstOf(gateway, T.httpApi);
    const stage = firstOf(gateway, T.httpStage);
    const cors = plain(api, "corsConfiguration.allowOrigins");
    apiNodes.push({
        id: "stage",
        shape: "rounded",
        lines: lines(
            `Stage ${plain(stage, "name") ?? "?"}${plain(stage, "autoDeploy") === "true" ? " (auto-deploy)" : ""}`,
            `throttle ${plain(stage, "defaultRouteSettings.throttlingRateLimit") ?? "?"} req/s, burst ${plain(stage, "defaultRouteSettings.throttlingBurstLimit") ?? "?"}`,
            plain(stage, "defaultRouteSettings.detailedMetricsEnabled") === "true" && "detailed metrics",
            cors && `CORS ${cors}`,
        ),
    });
    const domain = firstOf(gateway, T.httpDomainName);
    const invokePath = urlPath(gateway.outputs.invokeUrl);
    if (domain) {
        gatewayNodes.push(customDomainNode(gateway, domain, "domainNameConfiguration.certificateArn", "TLS 1.2"));
        edges.push({ from: "client", to: "custom_domain", label: "HTTPS" }, { from: "custom_domain", to: "stage" });
    } else {
        edges.push({ from: "client", to: "stage", label: `HTTPS${invokePath ? ` ${invokePath}` : ""}` });
    }
    const authorizer = firstOf(gateway, T.httpAuthorizer);
    if (authorizer) {
        gatewayNodes.push({
            id: "authorizer",
            shape: "box",
            lines: lines(`Authorizer ${plain(authorizer, "authorizerType") ?? ""}`.trim(), plain(authorizer, "jwtConfiguration.issuer") && `issuer ${plain(authorizer, "jwtConfiguration.issuer")}`, firstOf(gateway, T.userPool) && "Cognito user pool"),
        });
        edges.push({ from: "authorizer", to: "stage", dashed: true, label: "verifies tokens" });
    }
    const vpcLink = firstOf(gateway, T.httpVpcLink);
    if (vpcLink) {
        apiNodes.push({ id: "vpc_link", shape: "hexagon", lines: lines("VPC link (HTTP API)", plain(vpcLink, "name")) });
    }
    const functions = allOf(gateway, T.lambdaFunction);
    functions.forEach((fn, index) => {
        gatewayNodes.push({
            id: `function_${index + 1}`,
            shape: "box",
            lines: lines(`Lambda ${plain(fn, "name") ?? fn.name}`, `${plain(fn, "runtime") ?? "?"} ${plain(fn, "architectures") ?? ""}`.trim(), plain(fn, "timeout") && `timeout ${plain(fn, "timeout")} s`),
        });
    });
    const groups = new Map<string, { routes: string[]; detail: string[]; target?: string; viaVpcLink: boolean; originPath?: string }>();
    for (const route of allOf(gateway, T.httpRoute)) {
        const integration = allOf(gateway, T.httpIntegration).find((candidate) => plain(route, "target") === `integrations/${candidate.id}`);
        const type = plain(integration, "integrationType") ?? "integration";
        const viaVpcLink = plain(integration, "connectionType") === "VPC_LINK";
        const uri = plain(integration, "integrationUri");
        const fnIndex = functions.findIndex((fn) => stateText(fn, "invokeArn") === uri);
        const originPath = plain(integration, "requestParameters.overwrite:path");
        const detail = lines(
            plain(route, "authorizationType") !== "NONE" && `auth ${plain(route, "authorizationType")}`,
            `${type}${type === "AWS_PROXY" ? ` payload ${plain(integration, "payloadFormatVersion") ?? "?"}` : ""}${viaVpcLink ? " via VPC link" : ""}`,
            plain(integration, "timeoutMilliseconds") && `timeout ${plain(integration, "timeoutMilliseconds")} ms`,
        );
        const target = fnIndex >= 0 ? `function_${fnIndex + 1}` : originSide.entryFor(hostOf(viaVpcLink ? originUrl : uri));
        const key = JSON.stringify([detail, target, originPath]);
        const group = groups.get(key) ?? { routes: [], detail, target, viaVpcLink, originPath };
        group.routes.push(plain(route, "routeKey") ?? route.name);
        groups.set(key, group);
    }
    const routeIds: string[] = [];
    [...groups.values()].forEach((group, index) => {
        const id = `route_${index + 1}`;
        routeIds.push(id);
        apiNodes.push({ id, shape: "box", lines: [group.routes.join(", "), ...group.detail] });
        edges.push({ from: "stage", to: id });
        if (group.viaVpcLink && vpcLink) {
            edges.push({ from: id, to: "vpc_link" });
            if (group.target) edges.push({ from: "vpc_link", to: group.target, label: group.originPath });
        } else if (group.target) {
            edges.push({ from: id, to: group.target, label: group.originPath });
        }
    });
    const accessArn = plain(stage, "accessLogSettings.destinationArn");
    const logColumn: string[] = [];
    allOf(gateway, T.logGroup).forEach((group, index) => {
        const id = `logs_${index + 1}`;
        const isAccess = accessArn !== undefined && stateText(group, "arn") === accessArn;
        // A function's own log group (its loggingConfig names it) is written by that function.
        const functionIndex = functions.findIndex((fn) => plain(fn, "loggingConfig.logGroup") === stateText(group, "name"));
        const title = isAccess ? "CloudWatch access logs (no execution logs)" : functionIndex !== -1 ? "CloudWatch function logs (JSON)" : `Log group ${group.name}`;
        gatewayNodes.push({ id, shape: "cylinder", lines: [title, ...logKeepingLines(gateway, group)] });
        logColumn.push(id);
        if (isAccess) edges.push({ from: "stage", to: id, dashed: true, label: "access log" });
        else if (functionIndex !== -1) edges.push({ from: `function_${functionIndex + 1}`, to: id, dashed: true, label: "logs" });
    });
    const monitoring = monitoringNode("gateway_monitoring", gateway);
    if (monitoring) {
        gatewayNodes.push(monitoring);
        edges.push({ from: "stage", to: monitoring.id, dashed: true, label: "alarms" });
    }
    const originRoutes = [...groups.values()].some((group) => group.target !== undefined && !group.target.startsWith("function_"));
    const referenceNode = stackReferenceNode(gateway, originSide, edges, [
        originRoutes && !vpcLink && "originUrl → the routes",
        vpcLink && "originNlbListenerArn → the VPC link",
    ]);
    if (referenceNode) gatewayNodes.push(referenceNode);
    const gatewayOther = otherResourcesNode("gateway_other", gateway);
    const gatewayGroup: DiagramGroup = {
        id: "gateway_stack",
        title: `Stack ${gateway.stack} (gateway)`,
        style: "stack",
        nodes: [...gatewayNodes, ...gatewayOther],
        groups: [{ id: "http_api", title: api ? `HTTP API ${plain(api, "name") ?? api.name}` : "HTTP API", style: "service", nodes: apiNodes, groups: [] }],
    };
    return {
        title: `hello-gateway ${env}`,
        nodes: [...nodes, ...(originSide.node ? [originSide.node] : [])],
        groups: [gatewayGroup, ...(originSide.group ? [originSide.group] : [])],
        edges,
        // The same page as the REST diagram: the origin below the gateway, routes one under the
        // other, and logs, other resources and the StackReference in a column beside the API.
        topToBottom: [gatewayGroup.id, ...(originSide.group ? [originSide.group.id] : []), ...(originSide.node ? [originSide.node.id] : [])],
        columns: [
            routeIds,
            [...logColumn, ...(monitoring ? [monitoring.id] : []), ...gatewayOther.map((node) => node.id), ...(referenceNode ? [referenceNode.id] : [])],
            ...originSide.columns,
        ],
    };
}
