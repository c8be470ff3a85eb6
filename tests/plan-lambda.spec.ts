import { expect } from "chai";
import { gatewayConfigOf, runStack } from "./support";
import { architectureDiagramOf } from "../tools/plan/diagram";
import { mermaidOf } from "../tools/plan/mermaid";
import { awsFunctionName } from "../infra/lambda/route-functions";
import { functionTimeoutSeconds } from "../infra/lambda/function";
import { gatewayResourcePrefix } from "../infra/config";

describe("plan diagram: Lambda routes", () => {
    it("draws each function once, the routes that invoke it, its JSON log group, and no originUrl into a Lambda route", async () => {
        const routes = ["GET /hello -> /", "GET /greet -> lambda:hello", "ANY /fn/{proxy+} -> lambda:hello"];
        const origin = await runStack("dev-origin");
        const gateway = await runStack("dev", { overrides: { routes: JSON.stringify(routes) } });
        const config = gatewayConfigOf("dev");
        const mermaid = mermaidOf(architectureDiagramOf("dev", origin, gateway));
        const functionName = awsFunctionName(gatewayResourcePrefix(config.environment), "hello");
        const nodes = mermaid.split("\n").filter((line) => line.includes(`Lambda ${functionName}`));
        expect(nodes).to.have.length(1);
        expect(nodes[0]).to.contain(`nodejs22.x arm64, 256 MB, timeout ${functionTimeoutSeconds(config.integrationTimeoutMs)} s`);
        const id = /(lambda_\d+)\(/.exec(nodes[0])![1];
        const invoking = mermaid.split("\n").filter((line) => line.includes(`-->|"invokes"| ${id}`));
        expect(invoking).to.have.length(2);
        for (const line of invoking) {
            const route = /(route_\d+) /.exec(line)![1];
            expect(mermaid).to.not.contain(`stack_reference -.->|"originUrl"| ${route}`);
            expect(mermaid).to.match(new RegExp(`${route}\\["(GET /greet|ANY /fn/\\{proxy\\+\\})<br/>`));
        }
        const logs = /(logs_\d+)\[\("CloudWatch function logs \(JSON\)<br\/>retention (\d+) days/.exec(mermaid);
        expect(logs, mermaid).to.not.equal(null);
        expect(Number(logs![2])).to.equal(config.logRetentionDays);
        expect(mermaid).to.contain(`${id} -.->|"logs"| ${logs![1]}`);
        // The StackReference says in its node what it hands on: originUrl to the origin routes only.
        expect(mermaid).to.match(/stack_reference\(.*StackReference.*originUrl → the route/);
        expect(mermaid).to.not.match(/stack_reference -.->\|"originUrl"\|/);
    });
});
