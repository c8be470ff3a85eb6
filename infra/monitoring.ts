import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EMAIL, type GatewayAlarmThresholds } from "./config";

/** Every gateway alarm and dashboard widget looks at 5-minute windows. */
export const GATEWAY_PERIOD_SECONDS = 300;

/** CloudWatch dashboard names: letters, digits, `-` and `_`, at most 255 characters. */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** One stage alarm in `AWS/ApiGateway`: what REST and HTTP API stages share but the metric and its dimensions. */
export interface StageAlarmSpec {
    readonly metricName: string;
    readonly dimensions: Record<string, pulumi.Input<string>>;
    readonly statistic: { statistic: string } | { extendedStatistic: string };
    readonly threshold: number;
    readonly description: string;
    /** Notified on alarm and on recovery. */
    readonly actions: pulumi.Input<pulumi.Input<string>[]>;
    readonly tags: Record<string, string>;
}

/**
 * A stage alarm over one 5-minute period, missing data not breaching (a quiet API is healthy),
 * notifying on alarm and on recovery. The caller's component is its parent.
 */
export function stageAlarm(name: string, spec: StageAlarmSpec, parent: pulumi.Resource): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: spec.description,
            namespace: "AWS/ApiGateway",
            metricName: spec.metricName,
            dimensions: spec.dimensions,
            ...spec.statistic,
            period: GATEWAY_PERIOD_SECONDS,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: spec.threshold,
            treatMissingData: "notBreaching",
            alarmActions: spec.actions,
            okActions: spec.actions,
            tags: spec.tags,
        },
        { parent },
    );
}

export interface AlarmNotificationsArgs {
    /** The one address alarm and OK notifications go to. Required: without it, create no AlarmNotifications. */
    readonly email: string;
    /** Tags for the topic and its key. Default: none. */
    readonly tags?: Record<string, string>;
}

/**
 * An encrypted SNS topic with one email subscription, for alarm and OK actions.
 *
 * The topic is encrypted with a customer managed KMS key, not with the AWS managed
 * `alias/aws/sns`: the AWS managed key's policy cannot be changed and does not let CloudWatch
 * alarms use it, so alarms publishing to such a topic fail and nobody is told (AWS Knowledge
 * Center, "cloudwatch-configure-alarm-sns"). The key policy grants CloudWatch exactly the two
 * calls publishing needs.
 *
 * The subscription stays "pending confirmation" until someone clicks the link AWS emails.
 */
export class AlarmNotifications extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    /** What an alarm's `alarmActions` and `okActions` should include. */
    readonly alarmActions: pulumi.Output<string>[];

    constructor(name: string, args: AlarmNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!EMAIL.test(args.email)) {
            throw new Error(`AlarmNotifications ${name}: email must be one address such as ops@example.com, got ${JSON.stringify(args.email)}`);
        }
        super("hello-gateway:infra:AlarmNotifications", name, {}, opts);
        const tags = args.tags ?? {};

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `${name}: encrypts the alarm topic; CloudWatch alarms may use it to publish`,
                enableKeyRotation: true,
                deletionWindowInDays: 7,
                tags,
            },
            { parent: this },
        );
        // The policy needs the account ID; the key's own ARN carries it, which avoids an
        // account lookup and keeps the component free of invokes.
        const keyPolicy = new aws.kms.KeyPolicy(
            `${name}-key-policy`,
            {
                keyId: key.id,
                policy: key.arn.apply((arn) => JSON.stringify(alarmTopicKeyPolicy(arn.split(":")[4]))),
            },
            { parent: this },
        );

        const topic = new aws.sns.Topic(
            `${name}-topic`,
            { displayName: "hello-gateway alarms", kmsMasterKeyId: key.arn, tags },
            // Alarms may publish as soon as the topic exists; the key must let them by then.
            { parent: this, dependsOn: [keyPolicy] },
        );
        new aws.sns.TopicSubscription(
            `${name}-email`,
            { topic: topic.arn, protocol: "email", endpoint: args.email },
            { parent: this },
        );

        this.topicArn = topic.arn;
        this.alarmActions = [topic.arn];
        this.registerOutputs({ topicArn: this.topicArn });
    }
}

/** The alarm topic key's policy: the account administers it, CloudWatch alarms encrypt with it. */
export function alarmTopicKeyPolicy(accountId: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // Without this statement IAM policies could not grant anyone access to the key.
                Sid: "AccountAdministersKey",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                // Only on behalf of this account's alarms: no confused deputy.
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}

export interface GatewayMonitoringArgs {
    /** The RestApi's `name` (CloudWatch dimension `ApiName`), not its ID. */
    readonly restApiName: pulumi.Input<string>;
    /** The stage to watch (dimension `Stage`). */
    readonly stageName: pulumi.Input<string>;
    /** Alarm thresholds, each over 5 minutes. */
    readonly thresholds: GatewayAlarmThresholds;
    /** Where notifications go. Default: none; alarms still change state and show on the dashboard. */
    readonly alarmEmail?: string;
    /** Whether the stage cache is on; the cache widget needs metrics that exist only then. */
    readonly cacheEnabled: boolean;
    /** The dashboard's exact name: letters, digits, `-` and `_`, at most 255 characters. */
    readonly dashboardName: string;
    /** The region the API is in; dashboard widgets name it. */
    readonly region: string;
    /** Name of the WAF web ACL in front of the stage. Default: none, and no WAF widget. */
    readonly webAclName?: pulumi.Input<string>;
    /** Tags for every alarm, the topic and its key. Default: none. */
    readonly tags?: Record<string, string>;
}

/** Everything the gateway dashboard shows, resolved. */
export interface GatewayDashboardSpec {
    readonly restApiName: string;
    readonly stageName: string;
    readonly region: string;
    readonly cacheEnabled: boolean;
    readonly thresholds: GatewayAlarmThresholds;
    readonly webAclName?: string;
}

/** A metric line: namespace, metric name, dimension name/value pairs, then render options. */
export type MetricLine = [...string[], { stat: string; label: string }];

export interface MetricWidget {
    readonly type: "metric";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: {
        readonly title: string;
        readonly region: string;
        readonly view: "timeSeries";
        readonly stacked: false;
        readonly period: number;
        readonly metrics: MetricLine[];
        readonly annotations?: { readonly horizontal: { readonly label: string; readonly value: number }[] };
    };
}

export interface TextWidget {
    readonly type: "text";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: { readonly markdown: string };
}

export type DashboardWidget = MetricWidget | TextWidget;

export interface DashboardBody {
    readonly widgets: DashboardWidget[];
}

export const THROTTLE_WIDGET_TITLE = "Throttled requests: 429s count in 4XXError (REST APIs publish no throttle metric)";

/**
 * The gateway dashboard: requests, errors, latency against integration latency, cache, throttling
 * and (with a web ACL) WAF blocks. Without a stage cache there are no cache metrics, so that
 * slot holds a note saying so instead of an empty graph that looks broken.
 */
export function gatewayDashboard(spec: GatewayDashboardSpec): DashboardBody {
    const api = ["ApiName", spec.restApiName, "Stage", spec.stageName];
    const line = (metric: string, stat: string, label: string): MetricLine => ["AWS/ApiGateway", metric, ...api, { stat, label }];
    const panels: Array<Omit<MetricWidget, "x" | "y" | "width" | "height"> | Omit<TextWidget, "x" | "y" | "width" | "height">> = [];
    const graph = (title: string, metrics: MetricLine[], thresholds: { label: string; value: number }[] = []) =>
        panels.push({
            type: "metric",
            properties: {
                title,
                region: spec.region,
                view: "timeSeries",
                stacked: false,
                period: GATEWAY_PERIOD_SECONDS,
                metrics,
                ...(thresholds.length > 0 ? { annotations: { horizontal: thresholds } } : {}),
            },
        });

    graph("Requests", [line("Count", "Sum", "Requests")]);
    graph("Errors", [line("4XXError", "Sum", "4XX"), line("5XXError", "Sum", "5XX")], [
        { label: "4XX alarm", value: spec.thresholds.clientErrorsPer5Minutes },
        { label: "5XX alarm", value: spec.thresholds.serverErrorsPer5Minutes },
    ]);
    graph(
        "Latency vs integration latency (ms)",
        [
            line("Latency", "p50", "Latency p50"),
            line("Latency", "p99", "Latency p99"),
            line("IntegrationLatency", "p50", "Integration p50"),
            line("IntegrationLatency", "p99", "Integration p99"),
        ],
        [{ label: "p99 alarm", value: spec.thresholds.p99LatencyMs }],
    );
    if (spec.cacheEnabled) {
        graph("Cache hits and misses", [line("CacheHitCount", "Sum", "Hits"), line("CacheMissCount", "Sum", "Misses")]);
    } else {
        panels.push({
            type: "text",
            properties: {
                markdown: "### Cache\nThe stage cache is off, so API Gateway publishes no CacheHitCount or CacheMissCount. Turn the cache on to see them here.",
            },
        });
    }
    graph(THROTTLE_WIDGET_TITLE, [line("4XXError", "Sum", "4XX (includes 429)")]);
    if (spec.webAclName !== undefined) {
        graph("WAF blocked requests", [
            ["AWS/WAFV2", "BlockedRequests", "WebACL", spec.webAclName, "Region", spec.region, "Rule", "ALL", { stat: "Sum", label: "Blocked" }],
        ]);
    }

    // Two 12-wide, 6-high widgets per row of the 24-column grid.
    const widgets = panels.map((panel, index) => ({ ...panel, x: (index % 2) * 12, y: Math.floor(index / 2) * 6, width: 12, height: 6 }) as DashboardWidget);
    return { widgets };
}

/** Throws an error naming the option when GatewayMonitoring args cannot work. */
export function checkGatewayMonitoringArgs(name: string, args: Pick<GatewayMonitoringArgs, "dashboardName" | "thresholds">): void {
    if (!DASHBOARD_NAME.test(args.dashboardName)) {
        throw new Error(
            `GatewayMonitoring ${name}: dashboardName must be 1 to 255 letters, digits, "-" or "_", got ${JSON.stringify(args.dashboardName)}`,
        );
    }
    for (const [key, value] of Object.entries(args.thresholds)) {
        if (!Number.isInteger(value) || value < 1) {
            throw new Error(`GatewayMonitoring ${name}: thresholds.${key} must be a whole number of at least 1, got ${value}`);
        }
    }
}

/**
 * Alarms on a REST API stage's 5XX, 4XX and p99 latency, and one dashboard. Alarms treat missing
 * data as not breaching: a stage with no traffic in a window is healthy, not failing.
 */
export class GatewayMonitoring extends pulumi.ComponentResource {
    readonly alarmNames: pulumi.Output<string[]>;
    readonly alarmArns: pulumi.Output<string[]>;
    readonly dashboardName: pulumi.Output<string>;
    /** Absent without an alarm email. */
    readonly alarmTopicArn: pulumi.Output<string> | undefined;

    constructor(name: string, args: GatewayMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        checkGatewayMonitoringArgs(name, args);
        super("hello-gateway:infra:GatewayMonitoring", name, {}, opts);
        const tags = args.tags ?? {};
        const notifications =
            args.alarmEmail === undefined
                ? undefined
                : new AlarmNotifications(`${name}-alarms`, { email: args.alarmEmail, tags }, { parent: this });
        const actions = notifications?.alarmActions ?? [];
        const dimensions = { ApiName: args.restApiName, Stage: args.stageName };

        const alarm = (suffix: string, metricName: string, statistic: StageAlarmSpec["statistic"], threshold: number, description: string) =>
            stageAlarm(`${name}-${suffix}`, { metricName, dimensions, statistic, threshold, description, actions, tags }, this);

        const t = args.thresholds;
        const alarms = [
            alarm(
                "5xx",
                "5XXError",
                { statistic: "Sum" },
                t.serverErrorsPer5Minutes,
                `${t.serverErrorsPer5Minutes} or more 5XX responses in 5 minutes: the origin or the integration is failing. Check the execution log and the origin.`,
            ),
            alarm(
                "4xx",
                "4XXError",
                { statistic: "Sum" },
                t.clientErrorsPer5Minutes,
                `${t.clientErrorsPer5Minutes} or more 4XX responses in 5 minutes, throttled (429) and WAF-blocked requests included. Check the access log for the status codes.`,
            ),
            alarm(
                "p99-latency",
                "Latency",
                { extendedStatistic: "p99" },
                t.p99LatencyMs,
                `p99 latency of ${t.p99LatencyMs} ms or more over 5 minutes. Compare with IntegrationLatency on the dashboard to tell the origin from API Gateway.`,
            ),
        ];

        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: args.dashboardName,
                dashboardBody: pulumi
                    .all([args.restApiName, args.stageName, args.webAclName])
                    .apply(([restApiName, stageName, webAclName]) =>
                        JSON.stringify(
                            gatewayDashboard({
                                restApiName,
                                stageName,
                                region: args.region,
                                cacheEnabled: args.cacheEnabled,
                                thresholds: t,
                                webAclName,
                            }),
                        ),
                    ),
            },
            { parent: this },
        );

        this.alarmNames = pulumi.all(alarms.map((a) => a.name));
        this.alarmArns = pulumi.all(alarms.map((a) => a.arn));
        this.dashboardName = dashboard.dashboardName;
        this.alarmTopicArn = notifications?.topicArn;
        this.registerOutputs({
            alarmNames: this.alarmNames,
            alarmArns: this.alarmArns,
            dashboardName: this.dashboardName,
            alarmTopicArn: this.alarmTopicArn,
        });
    }
}

export interface OriginMonitoringArgs {
    /** Single mode: the EC2 instance to watch and act on. Set this or `fleet`. */
    readonly instanceId?: pulumi.Input<string>;
    /** Group mode: the Auto Scaling group and the NLB target group it registers in. Set this or `instanceId`. */
    readonly fleet?: FleetMonitoringArgs;
    /** The instance's region; the EC2 alarm actions name it. */
    readonly region: string;
    /** Where notifications go. Default: none; recovery and reboot still happen. */
    readonly alarmEmail?: string;
    /** Tags for every alarm, the topic and its key. Default: none. */
    readonly tags?: Record<string, string>;
}

/** What the fleet's alarms and dashboard watch. */
export interface FleetMonitoringArgs {
    readonly autoScalingGroupName: pulumi.Input<string>;
    /** CloudWatch dimensions (`targetgroup/...`, `net/...`) of the NLB's target group and the NLB. */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    readonly minInstances: number;
    readonly maxInstances: number;
    /** The scaling policy's CPU target, drawn on the CPU graph. Default: none drawn. */
    readonly scaleOutCpuPercent?: number;
    /** The dashboard's exact name: letters, digits, `-` and `_`. */
    readonly dashboardName: string;
}

/** Everything the fleet's dashboard shows, resolved. */
export interface FleetDashboardSpec {
    readonly region: string;
    readonly autoScalingGroupName: string;
    readonly targetGroupArnSuffix: string;
    readonly loadBalancerArnSuffix: string;
    readonly minInstances: number;
    readonly maxInstances: number;
    readonly scaleOutCpuPercent?: number;
}

/** How long the group may sit at its maximum before the alarm says it needs a larger one. */
export const GROUP_AT_MAX_MINUTES = 15;

/**
 * The origin dashboard of group mode: the group's size against its bounds, the NLB's healthy and
 * unhealthy targets against minInstances, the fleet's CPU (what the scaling policy acts on), and
 * the NLB's traffic.
 */
export function fleetDashboard(spec: FleetDashboardSpec): DashboardBody {
    const group = ["AutoScalingGroupName", spec.autoScalingGroupName];
    const targets = ["TargetGroup", spec.targetGroupArnSuffix, "LoadBalancer", spec.loadBalancerArnSuffix];
    const graph = (title: string, metrics: MetricLine[], horizontal: { label: string; value: number }[] = []): Omit<MetricWidget, "x" | "y" | "width" | "height"> => ({
        type: "metric",
        properties: {
            title,
            region: spec.region,
            view: "timeSeries",
            stacked: false,
            period: 60,
            metrics,
            ...(horizontal.length > 0 ? { annotations: { horizontal } } : {}),
        },
    });
    const panels = [
        graph(
            "Auto Scaling group: instances",
            [
                ["AWS/AutoScaling", "GroupDesiredCapacity", ...group, { stat: "Maximum", label: "Desired" }],
                ["AWS/AutoScaling", "GroupInServiceInstances", ...group, { stat: "Minimum", label: "In service" }],
                ["AWS/AutoScaling", "GroupPendingInstances", ...group, { stat: "Maximum", label: "Pending" }],
                ["AWS/AutoScaling", "GroupTerminatingInstances", ...group, { stat: "Maximum", label: "Terminating" }],
            ],
            [
                { label: "minInstances", value: spec.minInstances },
                { label: "maxInstances", value: spec.maxInstances },
            ],
        ),
        graph(
            "NLB targets: healthy and unhealthy",
            [
                ["AWS/NetworkELB", "HealthyHostCount", ...targets, { stat: "Minimum", label: "Healthy" }],
                ["AWS/NetworkELB", "UnHealthyHostCount", ...targets, { stat: "Maximum", label: "Unhealthy" }],
            ],
            [{ label: "minInstances", value: spec.minInstances }],
        ),
        graph(
            "Fleet CPU (average; the scaling policy's metric)",
            [["AWS/EC2", "CPUUtilization", ...group, { stat: "Average", label: "CPU %" }]],
            spec.scaleOutCpuPercent === undefined ? [] : [{ label: "scaleOutCpuPercent", value: spec.scaleOutCpuPercent }],
        ),
        graph("NLB traffic", [
            ["AWS/NetworkELB", "NewFlowCount", "LoadBalancer", spec.loadBalancerArnSuffix, { stat: "Sum", label: "New flows" }],
            ["AWS/NetworkELB", "TCP_Target_Reset_Count", "LoadBalancer", spec.loadBalancerArnSuffix, { stat: "Sum", label: "Target resets" }],
        ]),
    ];
    return { widgets: panels.map((panel, index) => ({ ...panel, x: (index % 2) * 12, y: Math.floor(index / 2) * 6, width: 12, height: 6 }) as DashboardWidget) };
}

export function ec2RebootAction(region: string): string {
    return `arn:aws:automate:${region}:ec2:reboot`;
}

/**
 * Self-healing for the single origin instance: a failed instance status check (the OS) reboots
 * it. A failed system status check (AWS hardware or network) needs no alarm: EC2's simplified
 * automatic recovery, on by default for the instance types this project uses and stated on the
 * instance (`maintenanceOptions.autoRecovery: default`), moves it to other hardware keeping its
 * ID, addresses and volumes. A recover alarm as well would be a second mechanism acting on the
 * same failure, and one more reason for the deployer to need `iam:CreateServiceLinkedRole`.
 */
export class OriginMonitoring extends pulumi.ComponentResource {
    readonly alarmNames: pulumi.Output<string[]>;
    readonly alarmArns: pulumi.Output<string[]>;
    /** Absent without an alarm email. */
    readonly alarmTopicArn: pulumi.Output<string> | undefined;
    /** Group mode only: the fleet's dashboard. */
    readonly dashboardName: pulumi.Output<string> | undefined;

    constructor(name: string, args: OriginMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        if ((args.instanceId === undefined) === (args.fleet === undefined)) {
            throw new Error(`OriginMonitoring ${name}: set exactly one of instanceId (single mode) and fleet (group mode)`);
        }
        super("hello-gateway:infra:OriginMonitoring", name, {}, opts);
        const tags = args.tags ?? {};
        const notifications =
            args.alarmEmail === undefined
                ? undefined
                : new AlarmNotifications(`${name}-alarms`, { email: args.alarmEmail, tags }, { parent: this });
        const notify = notifications?.alarmActions ?? [];

        const statusAlarm = (instanceId: pulumi.Input<string>, suffix: string, metricName: string, action: string, description: string) =>
            new aws.cloudwatch.MetricAlarm(
                `${name}-${suffix}`,
                {
                    alarmDescription: description,
                    namespace: "AWS/EC2",
                    metricName,
                    dimensions: { InstanceId: instanceId },
                    statistic: "Maximum",
                    period: 60,
                    evaluationPeriods: 2,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: 1,
                    // AWS recommends "missing" for alarms with EC2 actions: a gap in the metric
                    // then keeps the current state instead of acting on a healthy instance.
                    treatMissingData: "missing",
                    alarmActions: [action, ...notify],
                    okActions: notify,
                    tags,
                },
                { parent: this },
            );

        // Group mode has no per-instance alarm: the group replaces an instance that fails its
        // EC2 or NLB health checks.
        const alarms =
            args.instanceId !== undefined
                ? [
                      statusAlarm(
                          args.instanceId,
                          "instance-check",
                          "StatusCheckFailed_Instance",
                          ec2RebootAction(args.region),
                          "Instance status check failed for 2 minutes (the OS is unreachable): rebooting the instance.",
                      ),
                  ]
                : this.fleetAlarms(name, args.fleet!, notify, tags);

        const fleet = args.fleet;
        const dashboard =
            fleet === undefined
                ? undefined
                : new aws.cloudwatch.Dashboard(
                      `${name}-dashboard`,
                      {
                          dashboardName: fleet.dashboardName,
                          dashboardBody: pulumi
                              .all([fleet.autoScalingGroupName, fleet.targetGroupArnSuffix, fleet.loadBalancerArnSuffix])
                              .apply(([autoScalingGroupName, targetGroupArnSuffix, loadBalancerArnSuffix]) =>
                                  JSON.stringify(
                                      fleetDashboard({
                                          region: args.region,
                                          autoScalingGroupName,
                                          targetGroupArnSuffix,
                                          loadBalancerArnSuffix,
                                          minInstances: fleet.minInstances,
                                          maxInstances: fleet.maxInstances,
                                          scaleOutCpuPercent: fleet.scaleOutCpuPercent,
                                      }),
                                  ),
                              ),
                      },
                      { parent: this },
                  );

        this.alarmNames = pulumi.all(alarms.map((a) => a.name));
        this.alarmArns = pulumi.all(alarms.map((a) => a.arn));
        this.alarmTopicArn = notifications?.topicArn;
        this.dashboardName = dashboard?.dashboardName;
        this.registerOutputs({ alarmNames: this.alarmNames, alarmArns: this.alarmArns, alarmTopicArn: this.alarmTopicArn, dashboardName: this.dashboardName });
    }

    /**
     * Fewer healthy targets than minInstances for 3 minutes (the fleet cannot carry what it was
     * sized for; no data counts as none healthy), and the group at maxInstances for 15 minutes
     * (the CPU target wants more instances than it may have).
     */
    private fleetAlarms(name: string, fleet: FleetMonitoringArgs, notify: pulumi.Output<string>[], tags: Record<string, string>): aws.cloudwatch.MetricAlarm[] {
        return [
            new aws.cloudwatch.MetricAlarm(
                `${name}-healthy-hosts`,
                {
                    alarmDescription: `Fewer than ${fleet.minInstances} healthy targets behind the origin's NLB for 3 minutes (minInstances). Check the group's activity history and the targets' health.`,
                    namespace: "AWS/NetworkELB",
                    metricName: "HealthyHostCount",
                    dimensions: { TargetGroup: fleet.targetGroupArnSuffix, LoadBalancer: fleet.loadBalancerArnSuffix },
                    statistic: "Minimum",
                    period: 60,
                    evaluationPeriods: 3,
                    comparisonOperator: "LessThanThreshold",
                    threshold: fleet.minInstances,
                    treatMissingData: "breaching",
                    alarmActions: notify,
                    okActions: notify,
                    tags,
                },
                { parent: this },
            ),
            new aws.cloudwatch.MetricAlarm(
                `${name}-group-at-max`,
                {
                    alarmDescription: `The origin's Auto Scaling group has wanted ${fleet.maxInstances} instances (maxInstances) for ${GROUP_AT_MAX_MINUTES} minutes: its CPU target needs more. Raise maxInstances or use a larger instanceType.`,
                    namespace: "AWS/AutoScaling",
                    metricName: "GroupDesiredCapacity",
                    dimensions: { AutoScalingGroupName: fleet.autoScalingGroupName },
                    statistic: "Minimum",
                    period: 60,
                    evaluationPeriods: GROUP_AT_MAX_MINUTES,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: fleet.maxInstances,
                    treatMissingData: "notBreaching",
                    alarmActions: notify,
                    okActions: notify,
                    tags,
                },
                { parent: this },
            ),
        ];
    }
}
