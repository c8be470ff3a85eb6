import * as pulumi from "@pulumi/pulumi";
import type { GatewayAlarmThresholds } from "../config/types";
import { AlarmNotifications, StageAlarmSpec, stageAlarm } from "../monitoring";

export interface HttpStageAlarmsArgs {
    /** The API's id and the stage: an HTTP API's metrics carry `ApiId` and `Stage`. */
    readonly apiId: pulumi.Input<string>;
    readonly stageName: pulumi.Input<string>;
    readonly thresholds: GatewayAlarmThresholds;
    /** Where notifications go. Default: none; alarms still change state. */
    readonly alarmEmail?: string;
    readonly tags?: Record<string, string>;
}

/**
 * The REST stage's three alarms for an HTTP API stage: `5xx`, `4xx` and p99 `Latency` in
 * `AWS/ApiGateway` with the `ApiId` and `Stage` dimensions ("Monitor CloudWatch metrics for HTTP
 * APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html: HTTP
 * APIs name them in lower case, unlike REST's 4XXError/5XXError). Missing data is not breaching.
 */
export class HttpStageAlarms extends pulumi.ComponentResource {
    readonly alarmNames: pulumi.Output<string[]>;
    readonly alarmTopicArn: pulumi.Output<string> | undefined;

    constructor(name: string, args: HttpStageAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:HttpStageAlarms", name, {}, opts);
        const tags = args.tags ?? {};
        const notifications = args.alarmEmail === undefined ? undefined : new AlarmNotifications(`${name}-alarms`, { email: args.alarmEmail, tags }, { parent: this });
        const actions = notifications?.alarmActions ?? [];
        const dimensions = { ApiId: args.apiId, Stage: args.stageName };
        const alarm = (suffix: string, metricName: string, statistic: StageAlarmSpec["statistic"], threshold: number, description: string) =>
            stageAlarm(`${name}-${suffix}`, { metricName, dimensions, statistic, threshold, description, actions, tags }, this);
        const t = args.thresholds;
        const alarms = [
            alarm("5xx", "5xx", { statistic: "Sum" }, t.serverErrorsPer5Minutes, `${t.serverErrorsPer5Minutes} or more 5xx responses in 5 minutes: the origin, the VPC link or a function is failing. Check integrationError in the access log.`),
            alarm("4xx", "4xx", { statistic: "Sum" }, t.clientErrorsPer5Minutes, `${t.clientErrorsPer5Minutes} or more 4xx responses in 5 minutes, 401 (no or bad token) and 429 (throttled) included. Check status and authorizerError in the access log.`),
            alarm("p99-latency", "Latency", { extendedStatistic: "p99" }, t.p99LatencyMs, `p99 latency of ${t.p99LatencyMs} ms or more over 5 minutes; compare with IntegrationLatency to tell the backend from API Gateway.`),
        ];
        this.alarmNames = pulumi.all(alarms.map((a) => a.name));
        this.alarmTopicArn = notifications?.topicArn;
        this.registerOutputs({ alarmNames: this.alarmNames, alarmTopicArn: this.alarmTopicArn });
    }
}
