/**
 * The architecture of a WebSocket gateway (apiType websocket) as a diagram model: the client's
 * wss:// connection to the stage, each route to the function it runs, what each function may do
 * to the connections table and to @connections, the $connect authorizer and the logs. Drawn
 * from the recorded resource graph, so the picture follows the stack file.
 */
import type { RecordedResource } from "../resource-graph";
import { allOf, otherResourcesNode, readingOf } from "./diagram";
import type { Diagram, DiagramEdge, DiagramNode, DiagramSource, ReadRun } from "./diagram";
import { inputAt } from "./values";

const TYPES = {
    api: "aws:apigatewayv2/api:Api",
    route: "aws:apigatewayv2/route:Route",
    integration: "aws:apigatewayv2/integration:Integration",
    stage: "aws:apigatewayv2/stage:Stage",
    authorizer: "aws:apigatewayv2/authorizer:Authorizer",
    function: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    table: "aws:dynamodb/table:Table",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    account: "aws:apigateway/account:Account",
} as const;

/** Whether a gateway run built a WebSocket API. */
export function isWebSocketGateway(gateway: DiagramSource): boolean {
    return gateway.graph.ofType(TYPES.api).some((api) => api.inputs.protocolType === "WEBSOCKET");
}

function text(resource: RecordedResource | undefined, dottedPath: string): string | undefined {
    const value = resource ? inputAt(resource.inputs, dottedPath) : undefined;
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

function nodeId(prefix: string, name: string): string {
    return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** A function's extra grants, read from its role's policy (the log statement left out). */
function grantsOf(gateway: ReadRun, fn: RecordedResource): { table: string[]; manageConnections: boolean; parameters: string[] } {
    const role = allOf(gateway, TYPES.role).find((candidate) => candidate.state.arn === fn.inputs.role);
    const policy = allOf(gateway, TYPES.rolePolicy).find((candidate) => role !== undefined && candidate.inputs.role === role.state.name);
    const statements = (policy && typeof policy.inputs.policy === "string" ? (JSON.parse(policy.inputs.policy) as { Statement: { Action: string | string[]; Resource: string }[] }).Statement : []).slice(1);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    return {
        table: actions.filter((action) => action.startsWith("dynamodb:")).map((action) => action.slice("dynamodb:".length)),
        manageConnections: actions.includes("execute-api:ManageConnections"),
        parameters: statements.filter((statement) => [statement.Action].flat().includes("ssm:GetParameter")).map((statement) => statement.Resource.split(":parameter/")[1] ?? statement.Resource),
    };
}

export function websocketDiagramOf(env: string, gatewayRun: DiagramSource): Diagram {
    const gateway = readingOf(gatewayRun);
    const api = allOf(gateway, TYPES.api)[0];
    const stage = allOf(gateway, TYPES.stage)[0];
    const table = allOf(gateway, TYPES.table)[0];
    const authorizer = allOf(gateway, TYPES.authorizer)[0];
    const functions = allOf(gateway, TYPES.function);
    const integrations = allOf(gateway, TYPES.integration);
    const edges: DiagramEdge[] = [];
    const apiNodes: DiagramNode[] = [];
    const functionNodes: DiagramNode[] = [];
    const stackNodes: DiagramNode[] = [];

    const rate = text(stage, "defaultRouteSettings.throttlingRateLimit");
    const burst = text(stage, "defaultRouteSettings.throttlingBurstLimit");
    apiNodes.push({
        id: "ws_stage",
        shape: "rounded",
        lines: [
            `Stage ${text(stage, "name") ?? "?"}${text(stage, "autoDeploy") === "true" ? " (auto-deployed)" : ""}`,
            rate || burst ? `throttle ${rate ?? "?"} msg/s, burst ${burst ?? "?"}` : "not throttled",
            `execution logging ${text(stage, "defaultRouteSettings.loggingLevel") ?? "OFF"}, JSON access logs`,
        ],
    });
    edges.push({ from: "client", to: "ws_stage", label: `wss:// (route by ${text(api, "routeSelectionExpression") ?? "?"})` });

    const functionId = (fn: RecordedResource) => nodeId("fn", fn.name);
    for (const route of allOf(gateway, TYPES.route)) {
        const key = String(route.inputs.routeKey);
        const id = nodeId("route", key);
        const auth = String(route.inputs.authorizationType ?? "NONE");
        apiNodes.push({ id, shape: "box", lines: [`Route ${key}`, ...(auth === "NONE" ? [] : [auth === "CUSTOM" ? "token authorizer" : auth])] });
        edges.push({ from: "ws_stage", to: id });
        const integration = integrations.find((candidate) => route.inputs.target === `integrations/${candidate.id}`);
        const fn = functions.find((candidate) => integration !== undefined && candidate.state.invokeArn === integration.inputs.integrationUri);
        if (fn) {
            edges.push({ from: id, to: functionId(fn), label: "AWS_PROXY" });
        }
    }
    for (const fn of functions) {
        const grants = grantsOf(gateway, fn);
        functionNodes.push({
            id: functionId(fn),
            shape: "rounded",
            lines: [
                "Lambda",
                text(fn, "name") ?? fn.name,
                `${text(fn, "runtime") ?? "?"}, ${[inputAt(fn.inputs, "architectures")].flat().join(", ")}`,
                // Said in the node rather than drawn back up the page to the stage: those edges
                // ran against the flow and crossed every route.
                ...(grants.manageConnections ? ["posts to clients (@connections)"] : []),
            ],
        });
        if (table && grants.table.length > 0) {
            edges.push({ from: functionId(fn), to: "ws_table", label: grants.table.join(", ") });
        }
        for (const parameter of grants.parameters) {
            stackNodes.push({ id: "ssm_token", shape: "hexagon", lines: ["SSM SecureString", `/${parameter}`, "(the operator's;", "read only by the authorizer)"] });
            edges.push({ from: functionId(fn), to: "ssm_token", dashed: true, label: "GetParameter" });
        }
        if (authorizer && fn.state.invokeArn === authorizer.inputs.authorizerUri) {
            edges.push({ from: nodeId("route", "$connect"), to: functionId(fn), dashed: true, label: `authorizes (${[inputAt(authorizer.inputs, "identitySources")].flat().join(", ")})` });
        }
    }
    if (table) {
        stackNodes.push({
            id: "ws_table",
            shape: "cylinder",
            lines: [
                "DynamoDB connections",
                text(table, "billingMode") === "PAY_PER_REQUEST" ? "on demand" : (text(table, "billingMode") ?? "?"),
                text(table, "serverSideEncryption.enabled") === "true" ? "encrypted (aws/dynamodb)" : "AWS owned key",
                text(table, "pointInTimeRecovery.enabled") === "true" ? "point-in-time recovery" : "no PITR",
                text(table, "ttl.enabled") === "true" ? `TTL on ${text(table, "ttl.attributeName")}` : "no TTL",
            ],
        });
    }
    const logGroups = allOf(gateway, TYPES.logGroup);
    const retention = [...new Set(logGroups.map((group) => text(group, "retentionInDays")).filter((days) => days !== undefined))];
    stackNodes.push({ id: "ws_logs", shape: "cylinder", lines: [`${logGroups.length} log groups`, `retention ${retention.join(", ") || "?"} days`, "access, execution, one per function"] });
    edges.push({ from: "ws_stage", to: "ws_logs", dashed: true, label: "logs" });
    if (allOf(gateway, TYPES.account).length > 0) {
        stackNodes.push({ id: "account_logging", shape: "box", lines: ["API Gateway account setting", "CloudWatch role (kept on destroy)"] });
        edges.push({ from: "account_logging", to: "ws_stage", dashed: true, label: "lets it log" });
    }
    // Last, once everything drawn has been read: what the picture does not draw is listed.
    stackNodes.push(...otherResourcesNode("gateway_other", gateway));

    return {
        title: `hello-gateway ${env}`,
        nodes: [{ id: "client", shape: "stadium", lines: ["Client (browser, ws)"] }],
        groups: [
            {
                id: "gateway_stack",
                title: `Stack ${gateway.stack} (gateway, no origin)`,
                style: "stack",
                nodes: stackNodes,
                groups: [
                    { id: "websocket_api", title: `WebSocket API ${text(api, "name") ?? "?"}`, style: "service", nodes: apiNodes, groups: [] },
                    { id: "functions", title: "Lambda functions (functions/)", style: "service", nodes: functionNodes, groups: [] },
                ],
            },
        ],
        edges,
        topToBottom: ["client", "gateway_stack"],
        // The functions one under the other, and the token parameter under the table,
        // so five functions do not spread wider than a page.
        columns: [functionNodes.map((node) => node.id), ["ws_table", "ssm_token"].filter((id) => stackNodes.some((node) => node.id === id))],
    };
}

