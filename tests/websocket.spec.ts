// The chat stack (apiType websocket) under mocks: what a user relies on, with expectations
// taken from Pulumi.chat.yaml.
import { expect } from "chai";
import { GatewayConfig } from "../infra/config";
import { grantsOf } from "../functions/grants";
import { functionSourceFile } from "../infra/lambda/package";
import { WEBSOCKET_ACCESS_LOG_FIELDS } from "../infra/websocket-api";
import { ProgramRun, RecordedResource } from "../tools/mock-runtime";
import { byName, dependencyNames, gatewayConfigOf, resourcesOfType, runStack, theOne } from "./support";

const STACK = "chat";

describe("chat stack: a WebSocket API running functions/ in Lambda", function () {
    this.timeout(120_000);
    let run: ProgramRun;
    let config: GatewayConfig;
    let api: RecordedResource;
    let executionArn: string;
    const stageName = () => config.stageName;

    before(async () => {
        config = gatewayConfigOf(STACK);
        run = await runStack(STACK);
        api = theOne(run, "aws:apigatewayv2/api:Api");
        executionArn = api.state.executionArn as string;
    });

    /** The Lambda function resource built from `functions/<name>.ts`. */
    function functionOf(name: string): RecordedResource {
        const found = resourcesOfType(run, "aws:lambda/function:Function").filter((fn) => (fn.inputs.name as string).endsWith(`-${name.replace(/\//g, "-")}`));
        expect(found, name).to.have.length(1);
        return found[0];
    }

    function routeOf(routeKey: string): RecordedResource {
        const found = resourcesOfType(run, "aws:apigatewayv2/route:Route").filter((route) => route.inputs.routeKey === routeKey);
        expect(found, routeKey).to.have.length(1);
        return found[0];
    }

    function rolePolicyOf(fn: RecordedResource): { Statement: { Effect: string; Action: string | string[]; Resource: string }[] } {
        const roleArn = fn.inputs.role as string;
        const role = resourcesOfType(run, "aws:iam/role:Role").find((candidate) => candidate.state.arn === roleArn)!;
        const policy = resourcesOfType(run, "aws:iam/rolePolicy:RolePolicy").find((candidate) => candidate.inputs.role === role.state.name)!;
        return JSON.parse(policy.inputs.policy as string);
    }

    it("is a WebSocket API routing by the message's action ($request.body.action)", () => {
        expect(api.inputs.protocolType).to.equal("WEBSOCKET");
        expect(api.inputs.routeSelectionExpression).to.equal("$request.body.action");
    });

    it("has exactly the routes of the stack file, each through an AWS_PROXY integration to its own function", () => {
        const routes = config.websocket!.routes;
        expect(resourcesOfType(run, "aws:apigatewayv2/route:Route").map((route) => route.inputs.routeKey).sort()).to.deep.equal(routes.map((route) => route.routeKey).sort());
        for (const route of routes) {
            const resource = routeOf(route.routeKey);
            const integration = resourcesOfType(run, "aws:apigatewayv2/integration:Integration").find((candidate) => resource.inputs.target === `integrations/${candidate.id}`);
            expect(integration, route.routeKey).to.not.equal(undefined);
            expect(integration!.inputs.integrationType).to.equal("AWS_PROXY");
            expect(integration!.inputs.integrationUri).to.equal(functionOf(route.functionName).state.invokeArn);
        }
    });

    it("lets API Gateway invoke each function only for this API, this stage and its route key", () => {
        for (const route of config.websocket!.routes) {
            const fn = functionOf(route.functionName);
            const permissions = resourcesOfType(run, "aws:lambda/permission:Permission").filter((permission) => permission.inputs.function === fn.state.name);
            expect(permissions.map((permission) => permission.inputs.sourceArn), route.routeKey).to.deep.equal([`${executionArn}/${stageName()}/${route.routeKey}`]);
            expect(permissions[0].inputs.principal).to.equal("apigateway.amazonaws.com");
        }
    });

    it("gives each function's role its log group, its table actions on the table and ManageConnections on this stage's @connections, nothing else", () => {
        const table = theOne(run, "aws:dynamodb/table:Table");
        const connectionsArn = `${executionArn}/${stageName()}/POST/@connections/*`;
        for (const route of config.websocket!.routes) {
            const fn = functionOf(route.functionName);
            const statements = rolePolicyOf(fn).Statement;
            const grants = grantsOf(route.functionName);
            const expected = [
                ...(grants.tableActions.length > 0 ? [{ Effect: "Allow", Action: [...grants.tableActions], Resource: table.state.arn }] : []),
                ...(grants.manageConnections ? [{ Effect: "Allow", Action: "execute-api:ManageConnections", Resource: connectionsArn }] : []),
            ];
            expect(statements.slice(1), route.functionName).to.deep.equal(expected);
            expect(statements[0].Action).to.deep.equal(["logs:CreateLogStream", "logs:PutLogEvents"]);
            for (const statement of statements) {
                expect(statement.Resource, route.functionName).to.not.equal("*");
            }
        }
        // The chat's own needs, as the issue states them.
        expect(grantsOf("chat/connect").tableActions).to.deep.equal(["dynamodb:PutItem"]);
        expect(grantsOf("chat/disconnect").tableActions).to.deep.equal(["dynamodb:DeleteItem"]);
        expect(grantsOf("chat/sendmessage")).to.deep.equal({ tableActions: ["dynamodb:Scan", "dynamodb:DeleteItem"], manageConnections: true });
    });

    it("bundles the AWS SDK clients into each function instead of relying on the runtime's copy", async () => {
        for (const route of config.websocket!.routes) {
            const code = functionOf(route.functionName).inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> };
            const bundle = await (await code.assets)["index.js"].text;
            expect(bundle, route.functionName).to.not.match(/= require\("@aws-sdk\//);
            expect(bundle).to.include(`// ${functionSourceFile(route.functionName)}`);
        }
        const sendmessage = await (await (functionOf("chat/sendmessage").inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> }).assets)["index.js"].text;
        expect(sendmessage).to.include("node_modules/@aws-sdk/client-apigatewaymanagementapi/");
        expect(sendmessage).to.include("node_modules/@aws-sdk/client-dynamodb/");
    });

    it("passes every function the table, the stage's management endpoint and the actions", () => {
        const table = theOne(run, "aws:dynamodb/table:Table");
        for (const route of config.websocket!.routes) {
            const variables = (functionOf(route.functionName).inputs.environment as { variables: Record<string, string> }).variables;
            expect(variables.CONNECTIONS_TABLE).to.equal(table.state.name);
            expect(variables.CALLBACK_URL).to.equal(`https://${api.id}.execute-api.${config.region}.amazonaws.com/${stageName()}`);
            expect(variables.ACTION_ROUTE_KEYS.split(",")).to.deep.equal(config.websocket!.routes.map((r) => r.routeKey).filter((key) => !key.startsWith("$")));
        }
    });

    it("keeps connections in an on-demand, encrypted table with point-in-time recovery and a TTL, deleted with the stack", () => {
        const table = theOne(run, "aws:dynamodb/table:Table");
        expect(table.inputs.billingMode).to.equal("PAY_PER_REQUEST");
        expect(table.inputs.hashKey).to.equal("connectionId");
        expect(table.inputs.serverSideEncryption).to.deep.equal({ enabled: true });
        expect(table.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
        expect(table.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
        expect(table.retainOnDelete, "session state: no reason to keep it").to.equal(false);
    });

    it("authorizes on $connect only, as websocketAuth says", () => {
        const auth = config.websocket!.auth;
        for (const route of config.websocket!.routes.filter((r) => r.routeKey !== "$connect")) {
            expect(routeOf(route.routeKey).inputs.authorizationType, route.routeKey).to.equal("NONE");
        }
        const connect = routeOf("$connect");
        const expectedType = { none: "NONE", iam: "AWS_IAM", token: "CUSTOM" }[auth.mode];
        expect(connect.inputs.authorizationType).to.equal(expectedType);
        if (auth.mode === "token") {
            const authorizer = theOne(run, "aws:apigatewayv2/authorizer:Authorizer");
            expect(connect.inputs.authorizerId).to.equal(authorizer.id);
            expect(authorizer.inputs.authorizerType).to.equal("REQUEST");
            expect(authorizer.inputs.identitySources).to.deep.equal(["route.request.querystring.token"]);
            const fn = functionOf("websocket/token-authorizer");
            expect(authorizer.inputs.authorizerUri).to.equal(fn.state.invokeArn);
            const permission = resourcesOfType(run, "aws:lambda/permission:Permission").find((p) => p.inputs.function === fn.state.name)!;
            expect(permission.inputs.sourceArn).to.equal(`${executionArn}/authorizers/${authorizer.id}`);
            // Its role reads the one parameter; the token itself is nowhere in the stack.
            const parameter = auth.tokenParameterName.replace(/^\//, "");
            expect(rolePolicyOf(fn).Statement.slice(1)).to.deep.equal([
                { Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:${config.region}:123456789012:parameter/${parameter}` },
            ]);
            expect((fn.inputs.environment as { variables: Record<string, string> }).variables).to.deep.equal({ TOKEN_PARAMETER_NAME: auth.tokenParameterName });
        }
    });

    it("serves one auto-deployed stage with both throttle limits, execution logs and JSON access logs", () => {
        const stage = theOne(run, "aws:apigatewayv2/stage:Stage");
        expect(stage.inputs.name).to.equal(stageName());
        expect(stage.inputs.autoDeploy).to.equal(true);
        expect(resourcesOfType(run, "aws:apigatewayv2/deployment:Deployment")).to.deep.equal([]);
        expect(stage.inputs.defaultRouteSettings).to.deep.include({
            throttlingRateLimit: config.throttle.rateLimit,
            throttlingBurstLimit: config.throttle.burstLimit,
            loggingLevel: config.loggingLevel,
            dataTraceEnabled: false,
            detailedMetricsEnabled: true,
        });
        const accessLogs = byName(run, "hello-gateway-chat-access-logs");
        const settings = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
        expect(settings.destinationArn).to.equal(accessLogs.state.arn);
        const format = JSON.parse(settings.format) as Record<string, string>;
        for (const field of ["connectionId", "routeKey", "eventType", "status", "errorMessage", "requestId", "ip"]) {
            expect(format[field], field).to.equal(WEBSOCKET_ACCESS_LOG_FIELDS[field]);
        }
        expect(settings.format, "the token travels in the query string: never logged").to.not.match(/querystring|requestOverride|\$request/i);
    });

    it("creates both log groups first, with the stack's retention and key, and waits for the account's CloudWatch role", () => {
        const stage = theOne(run, "aws:apigatewayv2/stage:Stage");
        const execution = byName(run, "hello-gateway-chat-execution-logs");
        expect(execution.inputs.name).to.equal(`/aws/apigateway/${api.id}/${stageName()}`);
        const keyArn = config.encryptLogs ? theOne(run, "aws:kms/key:Key").state.arn : undefined;
        for (const group of [execution, byName(run, "hello-gateway-chat-access-logs")]) {
            expect(group.inputs.retentionInDays, group.name).to.equal(config.logRetentionDays);
            expect(group.inputs.kmsKeyId, group.name).to.equal(keyArn);
        }
        const dependencies = dependencyNames(run, stage);
        expect(dependencies).to.include(execution.name);
        if (config.manageAccountLogRole) {
            expect(dependencies).to.include("apigateway-cloudwatch-account");
        }
        for (const route of resourcesOfType(run, "aws:apigatewayv2/route:Route")) {
            expect(dependencies, "the stage deploys its routes").to.include(route.name);
        }
    });

    it("exports the wss:// URL clients connect to and the https:// @connections URL", () => {
        expect(run.outputs.websocketUrl).to.equal(`wss://${api.id}.execute-api.${config.region}.amazonaws.com/${stageName()}`);
        expect(run.outputs.callbackUrl).to.equal(`https://${api.id}.execute-api.${config.region}.amazonaws.com/${stageName()}/@connections`);
        expect(run.secretOutputs).to.deep.equal([]);
    });

    for (const mode of ["none", "iam"] as const) {
        it(`websocketAuth ${mode}: $connect is ${mode === "iam" ? "AWS_IAM" : "open"}, with no authorizer function`, async () => {
            const other = await runStack(STACK, { overrides: { websocketAuth: mode, websocketTokenParameter: undefined } });
            const connect = resourcesOfType(other, "aws:apigatewayv2/route:Route").find((route) => route.inputs.routeKey === "$connect")!;
            expect(connect.inputs.authorizationType).to.equal(mode === "iam" ? "AWS_IAM" : "NONE");
            expect(resourcesOfType(other, "aws:apigatewayv2/authorizer:Authorizer")).to.deep.equal([]);
        });
    }
});
