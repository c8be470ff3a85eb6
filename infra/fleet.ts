import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "./config";
import { DEFAULT_ROOT_VOLUME_GB, isBurstable } from "./compute";
import { FLEET_TARGET_HEALTH } from "./network";

/**
 * How long the image takes from launch until httpd listens on 443, in seconds: an EC2 launch,
 * AL2023's boot and cloud-init, then httpd (enabled by the provisioning script, so it starts at
 * boot with nothing to install). AL2023 on a t3 reaches multi-user in well under a minute; 90 s
 * leaves room for a slow launch. Measure it on your own instances with the group's activity
 * history (launch to InService) or `systemd-analyze` on the builder (docs/scaling.md).
 */
export const IMAGE_BOOT_SECONDS = 90;

/**
 * How long the group ignores the NLB's verdict on a new instance: its boot, then the checks the
 * NLB needs before it can call the instance healthy (`healthyThreshold` passes `intervalSeconds`
 * apart). An instance still booting is never taken for a failed one, and one that is still not
 * healthy after that is replaced.
 */
export const HEALTH_CHECK_GRACE_SECONDS = IMAGE_BOOT_SECONDS + FLEET_TARGET_HEALTH.healthyThreshold * FLEET_TARGET_HEALTH.intervalSeconds;

/**
 * How an instance refresh rolls a new image or template version out (docs/scaling.md):
 * - `minHealthyPercentage` 100 with `maxHealthyPercentage` 200: new instances are launched
 *   first and old ones terminated only once their replacements pass the NLB's health checks and
 *   the warmup, so the group never serves with fewer than its desired count (at least
 *   `minInstances`);
 * - `skipMatching`: instances already on the desired template version are kept (a refresh that
 *   is started again, or one after a scale-out, replaces only the old ones);
 * - `autoRollback` off: the AWS provider updates the group's template before it starts the
 *   refresh, so a rollback would "restore" the new version (terraform-provider-aws#34189). With
 *   launch-before-terminate, failing new instances never replace the old ones; the
 *   unhealthy-targets alarm (`alarmSpecification`) fails the refresh, and the old instances keep
 *   serving.
 */
export const REFRESH_PREFERENCES = {
    minHealthyPercentage: 100,
    maxHealthyPercentage: 200,
    skipMatching: true,
    autoRollback: false,
} as const;

/** The group metrics the alarms and the dashboard read (collected every minute, at no charge). */
export const GROUP_METRICS: aws.autoscaling.Metric[] = ["GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"];

export interface OriginFleetArgs {
    /**
     * The builder: an instance provisioned over SSH. Pass an output that resolves only once
     * provisioning has finished (`WebServer.provisionedInstanceId`), so the image is taken of
     * the finished server.
     */
    readonly builderInstanceId: pulumi.Input<string>;
    /** The fleet's instance type: the builder's, since the image is made for its architecture. */
    readonly instanceType: string;
    /** The isolated subnets, one per zone; at least two. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** The security group that admits only the NLB's HTTPS. */
    readonly securityGroupId: pulumi.Input<string>;
    /** The NLB's target group; the group registers its instances in it. */
    readonly targetGroupArn: pulumi.Input<string>;
    /** Further target groups the instances join: the NLB's VPC-link listener (private origin). Default: none. */
    readonly extraTargetGroupArns?: pulumi.Input<string>[];
    /** CloudWatch dimensions of the target group and its load balancer. */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    /** Sizes and the CPU target, as validated by infra/config/origin.ts. */
    readonly fleet: FleetConfig;
    /** Root volume size in GiB. Default: 8, as the builder's. */
    readonly rootVolumeSizeGb?: number;
    readonly tags?: Record<string, string>;
}

/**
 * The origin as a fleet: an image of the builder, a launch template that boots it hardened, and
 * an Auto Scaling group across the isolated subnets behind the NLB, scaled on average CPU and
 * rolled by instance refresh. The builder is stopped once it has been imaged; a change to the
 * page, the script or a certificate replaces it (`WebServerArgs.replaceOnProvisioningChange`),
 * which makes a new image and so a new template version and a refresh.
 *
 * Old images: an `AmiFromInstance` owns its snapshots, and deleting it deregisters the image and
 * deletes them (terraform-provider-aws `resourceAMIDelete`, `manage_ebs_snapshots`). Pulumi
 * deletes the replaced image at the end of the `up` that made the new one, after the group has
 * moved to the new template version; nothing launches the old image again, since the refresh
 * does not roll back.
 */
export class OriginFleet extends pulumi.ComponentResource {
    readonly imageId: pulumi.Output<string>;
    readonly launchTemplateId: pulumi.Output<string>;
    readonly autoScalingGroupName: pulumi.Output<string>;
    /** The alarm that fails an instance refresh whose new instances do not pass health checks. */
    readonly unhealthyTargetsAlarmName: pulumi.Output<string>;

    constructor(name: string, args: OriginFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        checkFleet(name, args.fleet);
        super("hello-gateway:infra:OriginFleet", name, {}, opts);
        const tags = args.tags ?? {};

        // The builder's root volume is encrypted (WebServer), so the snapshot the image refers to
        // is encrypted with the same key. AmiFromInstance stops the builder while it snapshots
        // it (no snapshotWithoutReboot): the file system is consistent.
        const image = new aws.ec2.AmiFromInstance(
            `${name}-image`,
            {
                sourceInstanceId: args.builderInstanceId,
                description: `${name}: httpd as provisioned over SSH on the builder`,
                tags: { ...tags, Name: `${name}-image` },
            },
            { parent: this },
        );

        const template = new aws.ec2.LaunchTemplate(
            `${name}-template`,
            {
                description: `${name}: the fleet, booting the builder's image`,
                imageId: image.id,
                instanceType: args.instanceType,
                updateDefaultVersion: true,
                // No keyName: nobody logs in to a fleet instance; a bad one is replaced.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: [
                    {
                        deviceName: image.rootDeviceName,
                        ebs: {
                            volumeType: "gp3",
                            volumeSize: args.rootVolumeSizeGb ?? DEFAULT_ROOT_VOLUME_GB,
                            encrypted: "true",
                            deleteOnTermination: "true",
                        },
                    },
                ],
                networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: [args.securityGroupId], deleteOnTermination: "true" }],
                creditSpecification: isBurstable(args.instanceType) ? { cpuCredits: "standard" } : undefined,
                tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags: { ...tags, Name: `${name}-fleet` } })),
                tags: { ...tags, Name: `${name}-template` },
            },
            { parent: this },
        );

        const unhealthyTargets = new aws.cloudwatch.MetricAlarm(
            `${name}-unhealthy-targets`,
            {
                alarmDescription:
                    "A target of the origin's NLB failed its health checks for 2 minutes. During an instance refresh this fails the refresh, and the old instances keep serving.",
                namespace: "AWS/NetworkELB",
                metricName: "UnHealthyHostCount",
                dimensions: { TargetGroup: args.targetGroupArnSuffix, LoadBalancer: args.loadBalancerArnSuffix },
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 2,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: 1,
                treatMissingData: "notBreaching",
                tags,
            },
            { parent: this },
        );

        const warmupSeconds = HEALTH_CHECK_GRACE_SECONDS;
        const group = new aws.autoscaling.Group(
            `${name}-group`,
            {
                vpcZoneIdentifiers: args.subnetIds,
                launchTemplate: { id: template.id, version: template.latestVersion.apply((version) => String(version)) },
                minSize: args.fleet.minInstances,
                maxSize: args.fleet.maxInstances,
                desiredCapacity: args.fleet.minInstances,
                // The NLB's verdict counts, not only EC2's: an instance whose httpd does not
                // accept on 443 is replaced.
                healthCheckType: "ELB",
                healthCheckGracePeriod: HEALTH_CHECK_GRACE_SECONDS,
                defaultInstanceWarmup: warmupSeconds,
                targetGroupArns: [args.targetGroupArn, ...(args.extraTargetGroupArns ?? [])],
                // The first `up` waits until minInstances are healthy behind the NLB, so the
                // origin URL is not exported before something serves it.
                minElbCapacity: args.fleet.minInstances,
                enabledMetrics: GROUP_METRICS,
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        ...REFRESH_PREFERENCES,
                        instanceWarmup: String(warmupSeconds),
                        alarmSpecification: { alarms: [unhealthyTargets.name] },
                    },
                },
                tags: Object.entries({ ...tags, Name: `${name}-fleet` }).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
            },
            // The target-tracking policy owns the desired count once the group exists; an `up`
            // must not reset it to minInstances in the middle of a load peak.
            { parent: this, ignoreChanges: ["desiredCapacity"] },
        );

        // Between runs the builder is stopped: no compute charge and nothing listening on 22.
        // (The provider files aws_ec2_instance_state under ec2transitgateway.)
        // A provisioning change replaces it with a running one (WebServer), so this resource
        // then stops the new builder after its image is taken. It waits for the group too: when
        // a single private origin becomes a group, the builder is the instance still serving
        // until the group's first instances are healthy (minElbCapacity).
        new aws.ec2transitgateway.InstanceState(
            `${name}-builder-stopped`,
            { instanceId: image.sourceInstanceId, state: "stopped" },
            { parent: this, dependsOn: [image, group] },
        );

        new aws.autoscaling.Policy(
            `${name}-cpu-target`,
            {
                autoscalingGroupName: group.name,
                policyType: "TargetTrackingScaling",
                estimatedInstanceWarmup: warmupSeconds,
                targetTrackingConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                    targetValue: args.fleet.scaleOutCpuPercent,
                },
            },
            { parent: this },
        );

        this.imageId = image.id;
        this.launchTemplateId = template.id;
        this.autoScalingGroupName = group.name;
        this.unhealthyTargetsAlarmName = unhealthyTargets.name;
        this.registerOutputs({
            imageId: this.imageId,
            launchTemplateId: this.launchTemplateId,
            autoScalingGroupName: this.autoScalingGroupName,
            unhealthyTargetsAlarmName: this.unhealthyTargetsAlarmName,
        });
    }
}

/** Throws an error naming the option when the fleet's sizes cannot work (config.ts refuses them first). */
export function checkFleet(name: string, fleet: FleetConfig): void {
    if (!Number.isInteger(fleet.minInstances) || fleet.minInstances < 1 || fleet.minInstances > fleet.maxInstances) {
        throw new Error(`OriginFleet ${name}: fleet.minInstances must be a whole number from 1 to fleet.maxInstances (${fleet.maxInstances}), got ${fleet.minInstances}`);
    }
    if (fleet.maxInstances < 2) {
        throw new Error(`OriginFleet ${name}: fleet.maxInstances must be 2 or more (1 is the single instance, not a group), got ${fleet.maxInstances}`);
    }
}
