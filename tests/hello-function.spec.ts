import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GREETING, GreetingBody, HttpApiEvent, RestApiEvent, handler } from "../functions/hello";
import { bundleFunction, functionSourceFile } from "../infra/lambda/package";

const EVENTS = path.join(__dirname, "fixtures", "events");

function event<T>(file: string): T {
    return JSON.parse(fs.readFileSync(path.join(EVENTS, file), "utf8")) as T;
}

/** The caller each fixture carries, read from the event where API Gateway puts it. */
function expectedCaller(file: string): GreetingBody["caller"] {
    if (file.startsWith("rest-")) {
        const rest = event<RestApiEvent>(file);
        const userArn = rest.requestContext.identity.userArn ?? undefined;
        const sub = (rest.requestContext.authorizer as { claims?: { sub?: string } } | undefined)?.claims?.sub;
        return userArn || sub ? { ...(userArn ? { userArn } : {}), ...(sub ? { sub } : {}) } : undefined;
    }
    const http = event<HttpApiEvent>(file);
    const userArn = http.requestContext.authorizer?.iam?.userArn;
    const sub = http.requestContext.authorizer?.jwt?.claims?.sub as string | undefined;
    return userArn || sub ? { ...(userArn ? { userArn } : {}), ...(sub ? { sub } : {}) } : undefined;
}

const FIXTURES = fs.readdirSync(EVENTS).filter((file) => file.endsWith(".json")).sort();

type Handler = (event: RestApiEvent | HttpApiEvent) => Promise<{ statusCode: number; headers?: Record<string, unknown>; body: string }>;

/** The handler as Lambda loads it: the esbuild bundle, required as `index.js`. */
function bundledHandler(): Handler {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "hello-bundle-"));
    const file = path.join(folder, "index.js");
    fs.writeFileSync(file, bundleFunction(functionSourceFile("hello")).code);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(file) as { handler: Handler }).handler;
}

describe("functions/hello.ts", () => {
    it("has an event fixture of each payload format, anonymous and with a caller", () => {
        expect(FIXTURES.filter((file) => file.startsWith("rest-"))).to.have.length.of.at.least(3);
        expect(FIXTURES.filter((file) => file.startsWith("http-"))).to.have.length.of.at.least(3);
        expect(FIXTURES.map(expectedCaller).filter((caller) => caller === undefined)).to.have.length(2);
    });

    let bundled: Handler | undefined;
    for (const [label, load] of [
        ["the TypeScript handler", () => handler as Handler],
        ["the bundled index.js", () => (bundled ??= bundledHandler())],
    ] as const) {
        describe(label, () => {
            for (const file of FIXTURES) {
                it(`answers ${file}: 200, JSON, the greeting, API Gateway's request id and the caller`, async () => {
                    const input = event<RestApiEvent | HttpApiEvent>(file);
                    const response = await load()(input);
                    expect(response.statusCode).to.equal(200);
                    expect(response.headers).to.deep.equal({ "content-type": "application/json" });
                    const body = JSON.parse(response.body) as GreetingBody;
                    expect(body.message).to.equal(GREETING);
                    expect(body.requestId).to.equal(input.requestContext.requestId).and.to.be.a("string").that.is.not.empty;
                    expect(body.apiType).to.equal(file.startsWith("http-") ? "http" : "rest");
                    expect(body.caller).to.deep.equal(expectedCaller(file));
                });
            }
        });
    }

    it("imports nothing at run time: the bundle is this one file", () => {
        expect(bundleFunction(functionSourceFile("hello")).inputs).to.deep.equal([functionSourceFile("hello")]);
    });
});
