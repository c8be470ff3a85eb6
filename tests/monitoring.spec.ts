import { expect } from "chai";
import * as path from "node:path";
import {
    DashboardBody,
    MetricWidget,
    THROTTLE_WIDGET_TITLE,
    checkGatewayMonitoringArgs,
    gatewayDashboard,
} from "../infra/monitoring";
import { MOCK_ACCOUNT_ID, ProgramRun, RecordedResource, runProgram } from "../tools/mock-runtime";
import { byName, dependencyNames, parentName, resourcesOfType, theOne } from "./support";

const FIXTURE = path.join(__dirname, "fixtures", "monitoring-program.ts");
const TAGS = { Project: "hello-gateway", Environment: "dev" };
const EMAIL = "ops@example.com";

/** Runs the fixture afresh with these component args (JSON-encoded into `fixture:` config). */
async function runFixture(region: string, args: { gateway?: object; origin?: object }): Promise<ProgramRun> {
    delete require.cache[require.resolve(FIXTURE)];
    const config: Record<string, string> = { "aws:region": region };
    for (const [key, value] of Object.entries(args)) {
        config[`fixture:${key}`] = JSON.stringify(value);
    }
    return runProgram({ project: "hello-gateway", stack: "test", config, entry: FIXTURE });
}

const ALL_ON = {
    gateway: {
        restApiName: "hello-gateway-dev",
        stageName: "prod",
        thresholds: { serverErrorsPer5Minutes: 5, clientErrorsPer5Minutes: 50, p99LatencyMs: 2000 },
        alarmEmail: EMAIL,
        cacheEnabled: true,
        dashboardName: "hello-gateway-dev",
        region: "us-east-1",
        webAclName: "hello-gateway-dev-waf",
        tags: TAGS,
    },
    origin: { instanceId: "i-0123456789abcdef0", region: "us-east-1", alarmEmail: EMAIL, tags: TAGS },
};

const ALL_OFF = {
    gateway: {
        restApiName: "hello-gateway-prod",
        stageName: "v1",
        thresholds: { serverErrorsPer5Minutes: 1, clientErrorsPer5Minutes: 10, p99LatencyMs: 500 },
        cacheEnabled: false,
        dashboardName: "hello-gateway-prod",
        region: "eu-west-1",
        tags: TAGS,
    },
    origin: { instanceId: "i-0fedcba9876543210", region: "eu-west-1", tags: TAGS },
};

type Alarm = {
    namespace: string;
    metricName: string;
    statistic?: string;
    extendedStatistic?: string;
    period: number;
    evaluationPeriods: number;
    comparisonOperator: string;
    threshold: number;
    treatMissingData: string;
    dimensions: Record<string, string>;
    alarmActions: string[];
    okActions: string[];
    alarmDescription: string;
};

const alarmInputs = (resource: RecordedResource) => resource.inputs as unknown as Alarm;
const metricLines = (body: DashboardBody) => body.widgets.flatMap((w) => (w.type === "metric" ? w.properties.metrics : []));
const metricNames = (body: DashboardBody) => metricLines(body).map((line) => `${line[0]}/${line[1]}`);
const widgetTitled = (body: DashboardBody, title: string) =>
    body.widgets.find((w): w is MetricWidget => w.type === "metric" && w.properties.title === title);

describe("GatewayMonitoring and OriginMonitoring, with an alarm email, cache and WAF", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runFixture("us-east-1", ALL_ON);
    });

    it("gives each component an SNS topic encrypted with its own customer managed key and one email subscription", () => {
        const topics = resourcesOfType(run, "aws:sns/topic:Topic");
        expect(topics.map((t) => parentName(run, t))).to.have.members(["gw-alarms", "origin-alarms"]);
        for (const topic of topics) {
            const key = byName(run, `${parentName(run, topic)}-key`);
            expect(topic.inputs.kmsMasterKeyId, topic.name).to.equal(key.state.arn);
            expect(topic.inputs.kmsMasterKeyId).not.to.equal("alias/aws/sns");
            expect(key.inputs.enableKeyRotation).to.equal(true);
        }
        const subscriptions = resourcesOfType(run, "aws:sns/topicSubscription:TopicSubscription");
        expect(subscriptions).to.have.length(2);
        for (const subscription of subscriptions) {
            expect(subscription.inputs).to.include({ protocol: "email", endpoint: EMAIL });
            expect(subscription.inputs.topic).to.equal(byName(run, `${parentName(run, subscription)}-topic`).state.arn);
        }
    });

    it("lets CloudWatch alarms encrypt with the topic key, and the account administer it, before the topic exists", () => {
        const policy = byName(run, "gw-alarms-key-policy");
        // The mock's key ARN ends in the key's ID, as a real one does.
        expect(policy.inputs.keyId).to.equal(String(byName(run, "gw-alarms-key").state.arn).split("/").pop());
        const statements = JSON.parse(policy.inputs.policy as string).Statement as Array<Record<string, unknown>>;
        expect(statements).to.deep.include({
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
        });
        expect(statements.find((s) => s.Sid === "AccountAdministersKey")?.Principal).to.deep.equal({ AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` });
        expect(dependencyNames(run, byName(run, "gw-alarms-topic"))).to.include("gw-alarms-key-policy");
    });

    it("alarms on 5XX, 4XX (Sum) and p99 Latency over 5 minutes at the given thresholds, for the API and stage", () => {
        const expected = {
            "gw-5xx": { metricName: "5XXError", statistic: "Sum", threshold: 5 },
            "gw-4xx": { metricName: "4XXError", statistic: "Sum", threshold: 50 },
            "gw-p99-latency": { metricName: "Latency", extendedStatistic: "p99", threshold: 2000 },
        };
        for (const [name, shape] of Object.entries(expected)) {
            const alarm = alarmInputs(byName(run, name));
            expect(alarm, name).to.include({
                namespace: "AWS/ApiGateway",
                period: 300,
                evaluationPeriods: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                ...shape,
            });
            expect(alarm.dimensions, name).to.deep.equal({ ApiName: "hello-gateway-dev", Stage: "prod" });
            expect(alarm.alarmDescription, name).to.contain(String(shape.threshold));
        }
        expect(alarmInputs(byName(run, "gw-p99-latency"))).not.to.have.property("statistic");
        expect(resourcesOfType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("gw-"))).to.have.length(3);
    });

    it("notifies the topic on ALARM and on OK from every gateway alarm, and exports the topic ARN", () => {
        const topicArn = byName(run, "gw-alarms-topic").state.arn;
        for (const name of ["gw-5xx", "gw-4xx", "gw-p99-latency"]) {
            expect(alarmInputs(byName(run, name)).alarmActions, name).to.deep.equal([topicArn]);
            expect(alarmInputs(byName(run, name)).okActions, name).to.deep.equal([topicArn]);
        }
        expect(run.outputs.gatewayAlarmTopicArn).to.equal(topicArn);
        expect(run.outputs.originAlarmTopicArn).to.equal(byName(run, "origin-alarms-topic").state.arn);
    });

    it("exports the alarm names and ARNs and the dashboard name", () => {
        const alarms = ["gw-5xx", "gw-4xx", "gw-p99-latency"].map((name) => byName(run, name));
        expect(run.outputs.gatewayAlarmNames).to.deep.equal(alarms.map((a) => a.state.name));
        expect(run.outputs.gatewayAlarmArns).to.deep.equal(alarms.map((a) => a.state.arn));
        expect(run.outputs.gatewayDashboardName).to.equal("hello-gateway-dev");
        expect(run.outputs.originAlarmNames).to.deep.equal([byName(run, "origin-instance-check").state.name]);
    });

    it("builds a dashboard of requests, errors, latency vs integration latency, cache, throttling and WAF blocks", () => {
        const dashboard = theOne(run, "aws:cloudwatch/dashboard:Dashboard");
        expect(dashboard.inputs.dashboardName).to.equal("hello-gateway-dev");
        const body = JSON.parse(dashboard.inputs.dashboardBody as string) as DashboardBody;
        expect(metricNames(body)).to.include.members([
            "AWS/ApiGateway/Count",
            "AWS/ApiGateway/4XXError",
            "AWS/ApiGateway/5XXError",
            "AWS/ApiGateway/Latency",
            "AWS/ApiGateway/IntegrationLatency",
            "AWS/ApiGateway/CacheHitCount",
            "AWS/ApiGateway/CacheMissCount",
            "AWS/WAFV2/BlockedRequests",
        ]);
        const latency = widgetTitled(body, "Latency vs integration latency (ms)")!;
        expect(latency.properties.metrics.map((l) => `${l[1]} ${(l[l.length - 1] as { stat: string }).stat}`)).to.have.members([
            "Latency p50",
            "Latency p99",
            "IntegrationLatency p50",
            "IntegrationLatency p99",
        ]);
        const throttle = widgetTitled(body, THROTTLE_WIDGET_TITLE)!;
        expect(throttle.properties.title).to.match(/429.*4XXError/);
        expect(throttle.properties.metrics.map((l) => l[1])).to.deep.equal(["4XXError"]);
        for (const line of metricLines(body).filter((l) => l[0] === "AWS/ApiGateway")) {
            expect(line.slice(2, 6)).to.deep.equal(["ApiName", "hello-gateway-dev", "Stage", "prod"]);
        }
        const waf = metricLines(body).find((l) => l[0] === "AWS/WAFV2")!;
        expect(waf.slice(2, 8)).to.deep.equal(["WebACL", "hello-gateway-dev-waf", "Region", "us-east-1", "Rule", "ALL"]);
        for (const widget of body.widgets) {
            expect(widget.type === "metric" && widget.properties.region, JSON.stringify(widget)).to.equal("us-east-1");
        }
    });

    it("reboots the instance on a failed instance check, notifying the topic, and leaves hardware failures to EC2's automatic recovery", () => {
        const topicArn = byName(run, "origin-alarms-topic").state.arn;
        // No recover alarm: simplified automatic recovery (maintenanceOptions on the instance) handles a failed system check.
        expect(run.resources.some((r) => r.name === "origin-system-check")).to.equal(false);
        const expected = {
            "origin-instance-check": { metricName: "StatusCheckFailed_Instance", action: "arn:aws:automate:us-east-1:ec2:reboot" },
        };
        for (const [name, shape] of Object.entries(expected)) {
            const alarm = alarmInputs(byName(run, name));
            expect(alarm, name).to.include({
                namespace: "AWS/EC2",
                metricName: shape.metricName,
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 2,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: 1,
                treatMissingData: "missing",
            });
            expect(alarm.dimensions, name).to.deep.equal({ InstanceId: "i-0123456789abcdef0" });
            expect(alarm.alarmActions, name).to.deep.equal([shape.action, topicArn]);
            expect(alarm.okActions, name).to.deep.equal([topicArn]);
        }
    });

    it("tags every alarm, topic and key", () => {
        const taggable = ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic", "aws:kms/key:Key"].flatMap((type) => resourcesOfType(run, type));
        expect(taggable).to.have.length(4 + 2 + 2);
        for (const resource of taggable) {
            expect(resource.inputs.tags, resource.name).to.deep.equal(TAGS);
        }
    });

    it("parents every resource under its component, the notifications included", () => {
        for (const resource of run.resources.filter((r) => r.type.startsWith("aws:"))) {
            expect(parentName(run, resource), resource.name).to.be.oneOf(["gw", "origin", "gw-alarms", "origin-alarms"]);
        }
        const notifications = resourcesOfType(run, "hello-gateway:infra:AlarmNotifications");
        expect(notifications.map((n) => [n.name, parentName(run, n)])).to.have.deep.members([
            ["gw-alarms", "gw"],
            ["origin-alarms", "origin"],
        ]);
    });
});

describe("GatewayMonitoring and OriginMonitoring, without email, cache or WAF", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runFixture("eu-west-1", ALL_OFF);
    });

    it("creates no topic, subscription or key, and no notification actions", () => {
        for (const type of ["aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription", "aws:kms/key:Key", "hello-gateway:infra:AlarmNotifications"]) {
            expect(resourcesOfType(run, type), type).to.have.length(0);
        }
        for (const name of ["gw-5xx", "gw-4xx", "gw-p99-latency"]) {
            expect(alarmInputs(byName(run, name)).alarmActions, name).to.deep.equal([]);
            expect(alarmInputs(byName(run, name)).okActions, name).to.deep.equal([]);
        }
        expect(run.outputs.gatewayAlarmTopicArn).to.equal(undefined);
        expect(run.outputs.originAlarmTopicArn).to.equal(undefined);
    });

    it("still reboots the instance, with the action of its own region", () => {
        expect(alarmInputs(byName(run, "origin-instance-check")).alarmActions).to.deep.equal(["arn:aws:automate:eu-west-1:ec2:reboot"]);
        expect(alarmInputs(byName(run, "origin-instance-check")).okActions).to.deep.equal([]);
        expect(alarmInputs(byName(run, "origin-instance-check")).dimensions).to.deep.equal({ InstanceId: "i-0fedcba9876543210" });
    });

    it("takes thresholds and dimensions from the args", () => {
        expect(alarmInputs(byName(run, "gw-5xx")).threshold).to.equal(1);
        expect(alarmInputs(byName(run, "gw-4xx")).threshold).to.equal(10);
        expect(alarmInputs(byName(run, "gw-p99-latency")).threshold).to.equal(500);
        expect(alarmInputs(byName(run, "gw-5xx")).dimensions).to.deep.equal({ ApiName: "hello-gateway-prod", Stage: "v1" });
    });

    it("says in a text widget that the cache is off, and shows no cache or WAF metrics", () => {
        const body = JSON.parse(theOne(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody as string) as DashboardBody;
        const names = metricNames(body);
        expect(names).not.to.include.members(["AWS/ApiGateway/CacheHitCount"]);
        expect(names.filter((n) => n.startsWith("AWS/ApiGateway/Cache") || n.startsWith("AWS/WAFV2"))).to.deep.equal([]);
        const text = body.widgets.filter((w) => w.type === "text");
        expect(text).to.have.length(1);
        expect(text[0].type === "text" && text[0].properties.markdown).to.contain("cache is off");
        expect(names).to.include.members(["AWS/ApiGateway/Count", "AWS/ApiGateway/Latency", "AWS/ApiGateway/IntegrationLatency"]);
        expect(body.widgets.filter((w) => w.type === "metric").every((w) => w.type === "metric" && w.properties.region === "eu-west-1")).to.equal(true);
    });
});

describe("gateway dashboard and argument checks (pure functions)", () => {
    const spec = {
        restApiName: "api",
        stageName: "prod",
        region: "us-east-1",
        cacheEnabled: true,
        thresholds: { serverErrorsPer5Minutes: 5, clientErrorsPer5Minutes: 50, p99LatencyMs: 2000 },
        webAclName: "acl",
    };

    it("lays widgets out two per row on the 24-column grid without overlaps", () => {
        const { widgets } = gatewayDashboard(spec);
        expect(widgets).to.have.length(6);
        const cells = widgets.map((w) => `${w.x},${w.y}`);
        expect(new Set(cells).size).to.equal(widgets.length);
        for (const widget of widgets) {
            expect(widget.x + widget.width).to.be.at.most(24);
        }
    });

    it("draws each alarm threshold on its graph", () => {
        const body = gatewayDashboard(spec);
        expect(widgetTitled(body, "Errors")!.properties.annotations!.horizontal.map((h) => h.value)).to.have.members([50, 5]);
        expect(widgetTitled(body, "Latency vs integration latency (ms)")!.properties.annotations!.horizontal.map((h) => h.value)).to.deep.equal([2000]);
    });

    it("refuses a dashboard name CloudWatch refuses, and thresholds below 1, naming the option", () => {
        const thresholds = spec.thresholds;
        expect(() => checkGatewayMonitoringArgs("gw", { dashboardName: "hello gateway", thresholds })).to.throw(/dashboardName/);
        expect(() => checkGatewayMonitoringArgs("gw", { dashboardName: "x".repeat(256), thresholds })).to.throw(/dashboardName/);
        expect(() => checkGatewayMonitoringArgs("gw", { dashboardName: "ok", thresholds: { ...thresholds, p99LatencyMs: 0 } })).to.throw(/thresholds\.p99LatencyMs/);
        expect(() => checkGatewayMonitoringArgs("gw", { dashboardName: "hello-gateway_dev", thresholds })).not.to.throw();
    });
});
