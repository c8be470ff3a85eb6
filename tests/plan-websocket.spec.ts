// The plan's picture of a WebSocket gateway (`npm run plan -- chat`): what a person reads in it,
// with expectations taken from Pulumi.chat.yaml, so a user's own routes and limits pass too.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, GatewayOnlyPlan, main, planGatewayStack, PlanIo } from "../tools/plan";
import { REPO_ROOT } from "../tools/stack-files";
import { Diagram, DiagramNode } from "../tools/plan/diagram";
import { websocketDiagramOf } from "../tools/plan/websocket-diagram";
import { RESOURCE_WORDS } from "../tools/plan/resource-words";
import { ResourceGraph } from "../tools/resource-graph";
import { labelCollisions, layoutOf, PIXELS_PER_POINT } from "../tools/plan/layout";
import { functionLabel } from "../infra/websocket-api";
import { EXPIRY_ATTRIBUTE } from "../functions/chat/table-schema";
import { GatewayConfig } from "../infra/config";
import { extra, gatewayConfigOf } from "./support";

const STACK = "chat";
/** Readable at page width: an SVG shown at 100 % draws a point as 4/3 of a pixel. */
const PAGE_WIDTH_PX = 1200;

function silentIo(): PlanIo {
    return { cwd: REPO_ROOT, stdout: () => undefined, stderr: () => undefined };
}

/** The text of every `<text>` element of an SVG, XML entities decoded. */
function svgTexts(svg: string): string[] {
    return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) =>
        match[1]
            .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
            .replace(/&lt;/g, "<")
            .replace(/&gt;/g, ">")
            .replace(/&quot;/g, '"')
            .replace(/&amp;/g, "&"),
    );
}

function allNodes(diagram: Diagram): DiagramNode[] {
    const inGroups = (groups: Diagram["groups"]): DiagramNode[] => groups.flatMap((group) => [...group.nodes, ...inGroups(group.groups)]);
    return [...diagram.nodes, ...inGroups(diagram.groups)];
}

function nodeStartingWith(diagram: Diagram, firstLine: string): DiagramNode {
    const found = allNodes(diagram).filter((node) => node.lines[0] === firstLine);
    expect(found, `nodes whose first line is "${firstLine}"`).to.have.length(1);
    return found[0];
}

describe("plan diagram: WebSocket gateway (npm run plan -- chat)", () => {
    let config: GatewayConfig;
    let plan: GatewayOnlyPlan;
    let svg: string;
    let out: string;

    before(async () => {
        config = gatewayConfigOf(STACK);
        out = fs.mkdtempSync(path.join(os.tmpdir(), "hello-gateway-plan-chat-"));
        let planned: GatewayOnlyPlan | undefined;
        const code = await main([STACK, "--out", out], {
            io: silentIo(),
            gatewayPlanner: async (name, options) => (planned = await planGatewayStack(name, options)),
        });
        expect(code).to.equal(EXIT.ok);
        plan = planned!;
        svg = fs.readFileSync(path.join(out, "architecture.svg"), "utf8");
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("draws one node per route key, each pointing at the function it runs", () => {
        const routes = config.websocket!.routes;
        expect(routes.map((route) => route.routeKey)).to.include.members(["$connect", "$disconnect", "$default"]);
        const routeNodes = allNodes(plan.diagram).filter((node) => node.lines[0].startsWith("Route "));
        expect(routeNodes.map((node) => node.lines[0])).to.have.members(routes.map((route) => `Route ${route.routeKey}`));
        const texts = svgTexts(svg);
        for (const route of routes) {
            const node = nodeStartingWith(plan.diagram, `Route ${route.routeKey}`);
            const functionName = `hello-gateway-${config.environment}-${functionLabel(route.functionName)}`;
            const targets = plan.diagram.edges.filter((edge) => edge.from === node.id && edge.label === "AWS_PROXY").map((edge) => edge.to);
            expect(targets, route.source).to.have.length(1);
            const target = allNodes(plan.diagram).find((candidate) => candidate.id === targets[0]);
            expect(target?.lines, route.source).to.include(functionName);
            expect(texts, route.source).to.include.members([`Route ${route.routeKey}`, functionName]);
        }
    });

    it("draws the connections table with its settings", () => {
        const table = nodeStartingWith(plan.diagram, "DynamoDB connections");
        expect(table.lines).to.deep.equal(["DynamoDB connections", "on demand", "encrypted (aws/dynamodb)", "point-in-time recovery", `TTL on ${EXPIRY_ATTRIBUTE}`]);
        // Who may do what to it: $connect writes, $disconnect deletes, the broadcaster scans.
        const grants = plan.diagram.edges.filter((edge) => edge.to === table.id).map((edge) => edge.label);
        expect(grants).to.include.members(["PutItem", "DeleteItem"]);
        expect(svgTexts(svg)).to.include.members(table.lines);
    });

    it("draws the stage with its name and both throttle limits from the stack file", () => {
        const stage = nodeStartingWith(plan.diagram, `Stage ${config.stageName} (auto-deployed)`);
        expect(stage.lines).to.include(`throttle ${config.throttle.rateLimit} msg/s, burst ${config.throttle.burstLimit}`);
        expect(stage.lines).to.include(`execution logging ${config.loggingLevel}, JSON access logs`);
        expect(svgTexts(svg)).to.include.members(stage.lines);
    });

    it("draws the log groups with the stack file's retention, and follows an edit of it", async () => {
        const logGroups = plan.gateway.run.resources.filter((resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup");
        const logs = nodeStartingWith(plan.diagram, `${logGroups.length} log groups`);
        expect(logs.lines).to.include(`retention ${config.logRetentionDays} days`);
        expect(svgTexts(svg)).to.include(`retention ${config.logRetentionDays} days`);
        // A user who sets another retention sees it in the picture (not a constant of the drawing).
        const edited = config.logRetentionDays === 90 ? 180 : 90;
        const other = await planGatewayStack(STACK, { configOverrides: { [STACK]: { logRetentionDays: String(edited) } } });
        expect(nodeStartingWith(other.diagram, `${logGroups.length} log groups`).lines).to.include(`retention ${edited} days`);
    });

    it("lists a resource it does not draw instead of dropping it", () => {
        const nodes = (diagram: Diagram) => diagram.groups.flatMap((group) => group.nodes);
        // Today's chat stack: every resource is drawn or only serves one that is.
        expect(nodes(plan.diagram).map((node) => node.id)).not.to.include("gateway_other");
        const resources = [...plan.gateway.run.resources, extra("aws:wafv2/webAcl:WebAcl", "acl", { rules: [] })];
        const withAcl = websocketDiagramOf(STACK, { ...plan.gateway.run, graph: new ResourceGraph(resources) });
        expect(nodes(withAcl).find((node) => node.id === "gateway_other")?.lines).to.deep.equal(["Also in this stack:", `1 × ${RESOURCE_WORDS["aws:wafv2/webAcl:WebAcl"]}`]);
    });

    it("renders an SVG at most 1200 px wide, with no label over a node, a title or another label, and no type token", async () => {
        expect(svg).to.match(/<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
        const [, width, height] = /<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"/.exec(svg) ?? [];
        expect(Number(width) * PIXELS_PER_POINT, `${width} x ${height} pt`).to.be.at.most(PAGE_WIDTH_PX);
        expect(labelCollisions(await layoutOf(plan.diagram))).to.deep.equal([]);
        const typeToken = /\b[\w-]+:[\w-]+(\/[\w-]+)?:[A-Z]\w*/;
        expect(svgTexts(svg).filter((text) => typeToken.test(text))).to.deep.equal([]);
    });
});
