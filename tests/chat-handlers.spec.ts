// The chat functions against moto_server: real AWS SDK v3 clients (DynamoDB, SSM, the
// @connections management API) pointed at the emulator, which the spec starts on a free
// loopback port and stops. What a client receives is read back from moto's request recording.
// First import: it starts moto_server, which then boots while node loads the rest.
import { chatMoto } from "./chat-moto";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { expect } from "chai";
import * as http from "node:http";
import { authorize, TokenSource } from "../functions/websocket/token-authorizer";
import { onConnect } from "../functions/chat/connect";
import { CONNECTION_KEY, ConnectionStore, EXPIRY_ATTRIBUTE, MAX_CONNECTION_SECONDS } from "../functions/chat/connections";
import { onDefault } from "../functions/chat/default";
import { onDisconnect } from "../functions/chat/disconnect";
import type { WebSocketEvent } from "../functions/websocket/events";
import { Replies } from "../functions/chat/replies";
import { onSendMessage } from "../functions/chat/sendmessage";
import { freePort } from "../tools/free-port";
import { MotoServer, REQUIRE_MOTO_ENV } from "./moto-server";

const REGION = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACTIONS = ["sendmessage"];

function event(connectionId: string, routeKey: string, body?: string, principalId?: string): WebSocketEvent {
    return {
        requestContext: {
            connectionId,
            routeKey,
            eventType: routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE",
            domainName: "abc123.execute-api.us-east-1.amazonaws.com",
            stage: "prod",
            ...(principalId ? { authorizer: { principalId } } : {}),
        },
        body,
    };
}

/**
 * moto answers every post, even to a connection that never existed (its connections are a
 * defaultdict). API Gateway answers 410 GoneException for a closed one; this proxy does that for
 * the ids in `gone`, with the error type header the restJson1 protocol reads, and passes the
 * rest to moto.
 */
async function goneProxy(target: string, gone: Set<string>): Promise<{ endpoint: string; close: () => Promise<void> }> {
    const port = await freePort();
    const server = http.createServer((request, response) => {
        const id = decodeURIComponent((request.url ?? "").split("/@connections/")[1] ?? "");
        if (gone.has(id)) {
            response.writeHead(410, { "content-type": "application/json", "x-amzn-errortype": "GoneException" });
            response.end(JSON.stringify({ message: `connection ${id} is gone` }));
            return;
        }
        const upstream = http.request(`${target}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
        });
        request.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("chat functions against moto_server (DynamoDB, SSM, @connections)", function () {
    this.timeout(60_000);
    let moto: MotoServer | undefined;
    let dynamodb: DynamoDBClient;
    let tableName: string;
    let tableNumber = 0;
    let now = 1_800_000_000;
    const gone = new Set<string>();
    let proxy: { endpoint: string; close: () => Promise<void> } | undefined;

    before(async function () {
        if (chatMoto === undefined) {
            if (process.env[REQUIRE_MOTO_ENV] === "1") {
                throw new Error(`moto_server is not on PATH, and ${REQUIRE_MOTO_ENV}=1 requires these specs to run`);
            }
            console.log("      skipped: moto_server is not on PATH (pip install 'moto[server]'); .ci/run requires it");
            this.skip();
        }
        moto = await chatMoto.ready;
        proxy = await goneProxy(moto.endpoint, gone);
        dynamodb = new DynamoDBClient({ endpoint: moto.endpoint, region: REGION, credentials });
    });

    after(async () => {
        await Promise.all([chatMoto?.stop(), proxy?.close()]);
    });

    beforeEach(async () => {
        tableName = `connections-${++tableNumber}`;
        gone.clear();
        await dynamodb.send(
            new CreateTableCommand({
                TableName: tableName,
                BillingMode: "PAY_PER_REQUEST",
                AttributeDefinitions: [{ AttributeName: CONNECTION_KEY, AttributeType: "S" }],
                KeySchema: [{ AttributeName: CONNECTION_KEY, KeyType: "HASH" }],
            }),
        );
    });

    function runtime() {
        return {
            connections: new ConnectionStore(tableName, dynamodb),
            replies: new Replies(new ApiGatewayManagementApiClient({ endpoint: proxy!.endpoint, region: REGION, credentials })),
            actions: ACTIONS,
            now: () => now,
        };
    }

    /** What each connection was sent since `since` requests, parsed, from moto's recording. */
    async function postsSince(since: number): Promise<Map<string, unknown[]>> {
        const posts = new Map<string, unknown[]>();
        for (const request of (await moto!.recording()).slice(since)) {
            const match = /\/@connections\/([^/?]+)$/.exec(new URL(request.url).pathname);
            if (request.method === "POST" && match) {
                const id = decodeURIComponent(match[1]);
                posts.set(id, [...(posts.get(id) ?? []), JSON.parse(request.body)]);
            }
        }
        return posts;
    }

    /**
     * What the handler wrote with console.log while `run` ran (in Lambda, its log group), parsed;
     * kept out of the test report. Console output of other specs in this worker waits its turn:
     * mocha runs one spec at a time per worker.
     */
    async function logged(run: () => Promise<unknown>): Promise<unknown[]> {
        const lines: string[] = [];
        const write = console.log;
        console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
        try {
            await run();
        } finally {
            console.log = write;
        }
        return lines.map((line) => JSON.parse(line));
    }

    async function item(connectionId: string) {
        return (await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { [CONNECTION_KEY]: { S: connectionId } } }))).Item;
    }

    it("$connect records the connection with an expiry at API Gateway's 2-hour limit, and the authorizer's principal", async () => {
        const result = await onConnect(event("conn-a", "$connect", undefined, "chat-client"), runtime());
        expect(result.statusCode).to.equal(200);
        const stored = await item("conn-a");
        expect(stored?.[EXPIRY_ATTRIBUTE]?.N).to.equal(String(now + MAX_CONNECTION_SECONDS));
        expect(stored?.principalId?.S).to.equal("chat-client");
    });

    it("$disconnect removes the connection", async () => {
        await onConnect(event("conn-a", "$connect"), runtime());
        await onConnect(event("conn-b", "$connect"), runtime());
        expect((await onDisconnect(event("conn-a", "$disconnect"), runtime())).statusCode).to.equal(200);
        expect(await item("conn-a")).to.equal(undefined);
        expect(await item("conn-b")).to.not.equal(undefined);
    });

    it("$default answers only the sender with usage help naming the actions", async () => {
        await onConnect(event("conn-a", "$connect"), runtime());
        await onConnect(event("conn-b", "$connect"), runtime());
        const since = (await moto!.recording()).length;
        await onDefault(event("conn-a", "$default", "not json"), runtime());
        const posts = await postsSince(since);
        expect([...posts.keys()]).to.deep.equal(["conn-a"]);
        expect(posts.get("conn-a")).to.have.length(1);
        expect(posts.get("conn-a")?.[0]).to.include({ action: "usage" }).and.to.have.property("message").that.matches(/not JSON.*sendmessage/);
    });

    it("sendmessage broadcasts the text to every open connection, sender included, and skips expired ones", async () => {
        for (const id of ["conn-a", "conn-b", "conn-c"]) {
            await onConnect(event(id, "$connect"), runtime());
        }
        // Closed by API Gateway without a $disconnect, past its TTL, not yet swept by DynamoDB.
        await dynamodb.send(
            new PutItemCommand({ TableName: tableName, Item: { [CONNECTION_KEY]: { S: "conn-expired" }, [EXPIRY_ATTRIBUTE]: { N: String(now - 1) } } }),
        );
        const since = (await moto!.recording()).length;
        const log = await logged(() => onSendMessage(event("conn-a", "sendmessage", JSON.stringify({ action: "sendmessage", text: "hello, room" })), runtime()));
        const posts = await postsSince(since);
        expect([...posts.keys()].sort()).to.deep.equal(["conn-a", "conn-b", "conn-c"]);
        for (const received of posts.values()) {
            expect(received).to.deep.equal([{ action: "sendmessage", text: "hello, room" }]);
        }
        // One record per broadcast, with counts only: no text and no connection id reach the log.
        expect(log).to.deep.equal([{ message: "broadcast", delivered: 3, gone: 0 }]);
    });

    it("sendmessage drops a connection API Gateway reports gone (410) and still reaches the others", async () => {
        for (const id of ["conn-a", "conn-b", "conn-gone"]) {
            await onConnect(event(id, "$connect"), runtime());
        }
        gone.add("conn-gone");
        const since = (await moto!.recording()).length;
        const log = await logged(() => onSendMessage(event("conn-a", "sendmessage", JSON.stringify({ action: "sendmessage", text: "still here?" })), runtime()));
        expect(log).to.deep.equal([{ message: "broadcast", delivered: 2, gone: 1 }]);
        expect(await item("conn-gone")).to.equal(undefined);
        expect(await item("conn-b")).to.not.equal(undefined);
        expect([...(await postsSince(since)).keys()].sort()).to.deep.equal(["conn-a", "conn-b"]);
    });

    it("sendmessage without a text answers the sender with usage help and broadcasts nothing", async () => {
        await onConnect(event("conn-a", "$connect"), runtime());
        await onConnect(event("conn-b", "$connect"), runtime());
        const since = (await moto!.recording()).length;
        const log = await logged(() => onSendMessage(event("conn-a", "sendmessage", JSON.stringify({ action: "sendmessage" })), runtime()));
        const posts = await postsSince(since);
        expect([...posts.keys()]).to.deep.equal(["conn-a"]);
        expect(posts.get("conn-a")?.[0]).to.include({ action: "usage" });
        expect(log, "no broadcast record").to.deep.equal([]);
    });

    it("the $connect authorizer allows the token stored in SSM and denies a wrong or missing one", async () => {
        const ssm = new SSMClient({ endpoint: moto!.endpoint, region: REGION, credentials });
        const name = `/hello-gateway/chat/token-${tableNumber}`;
        await ssm.send(new PutParameterCommand({ Name: name, Type: "SecureString", Value: "s3cret-token" }));
        const tokens = new TokenSource(ssm, name);
        const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect";
        const decide = async (query: Record<string, string> | null) =>
            (await authorize({ type: "REQUEST", methodArn, queryStringParameters: query }, tokens)).policyDocument.Statement[0];
        expect(await decide({ token: "s3cret-token" })).to.deep.equal({ Action: "execute-api:Invoke", Effect: "Allow", Resource: methodArn });
        expect((await decide({ token: "s3cret-tokem" })).Effect).to.equal("Deny");
        expect((await decide({ token: "" })).Effect).to.equal("Deny");
        expect((await decide(null)).Effect).to.equal("Deny");
    });
});
