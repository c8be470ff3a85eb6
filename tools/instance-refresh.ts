/**
 * Waits for the Auto Scaling instance refresh a group-mode origin `up` started.
 *
 * Why a tool has to wait: the provider starts a refresh when the group's launch template
 * changes, and returns without waiting for it. terraform-provider-aws documents both, under
 * `aws_autoscaling_group` › `instance_refresh`
 * (website/docs/r/autoscaling_group.html.markdown; the same notes in pulumi-aws's
 * `aws.autoscaling.Group` `instanceRefresh` docs,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/autoscaling_group#instance_refresh):
 * "This resource does not wait for the instance refresh to complete", and "When this resource
 * is updated, any existing refresh is cancelled". So after the origin's `up` returns, old
 * instances may still be serving, and a second update would cancel the roll.
 *
 * Statuses are AWS's (InstanceRefresh.Status,
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstanceRefresh.html):
 * Pending, InProgress, Baking, Cancelling and RollbackInProgress are still moving; Successful is
 * done; Failed, Cancelled, RollbackFailed and RollbackSuccessful end without every instance
 * replaced.
 *
 * The AWS SDK client is loaded only when a real group is waited for, so commands that never
 * wait start without it.
 */
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";

type AutoScalingSdk = typeof import("@aws-sdk/client-auto-scaling");

/** One instance refresh, as DescribeInstanceRefreshes reports it. */
export interface InstanceRefreshState {
    readonly id: string;
    readonly status: string;
    readonly statusReason?: string;
    readonly startTime?: Date;
    readonly percentageComplete?: number;
}

/** Reads a group's instance refreshes (DescribeInstanceRefreshes). Injected in specs. */
export interface InstanceRefreshReader {
    refreshesOf(groupName: string): Promise<InstanceRefreshState[]>;
}

const STILL_MOVING = new Set(["Pending", "InProgress", "Baking", "Cancelling", "RollbackInProgress"]);
const SUCCESSFUL = "Successful";

/** DescribeInstanceRefreshes through @aws-sdk/client-auto-scaling, in the origin's region. */
export function awsInstanceRefreshReader(region: string): InstanceRefreshReader {
    let sdk: AutoScalingSdk | undefined;
    let client: AutoScalingClient | undefined;
    return {
        async refreshesOf(groupName) {
            // Loaded on first use: the SDK costs start-up time every other command would pay.
            sdk ??= require("@aws-sdk/client-auto-scaling") as AutoScalingSdk;
            client ??= new sdk.AutoScalingClient({ region });
            const answer = await client.send(new sdk.DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groupName, MaxRecords: 100 }));
            return (answer.InstanceRefreshes ?? []).map((refresh) => ({
                id: String(refresh.InstanceRefreshId),
                status: String(refresh.Status),
                statusReason: refresh.StatusReason,
                startTime: refresh.StartTime,
                percentageComplete: refresh.PercentageComplete,
            }));
        },
    };
}

export interface WaitForRefreshOptions {
    readonly reader: InstanceRefreshReader;
    readonly groupName: string;
    /** Refresh ids the group had before the update: the one to wait for is not among them. */
    readonly knownBefore: ReadonlySet<string>;
    /** Give up after this long (ms). */
    readonly timeoutMs: number;
    /** Between two reads (ms). */
    readonly pollMs: number;
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    /** A line of progress when the status or percentage changes. */
    readonly progress: (line: string) => void;
}

export type RefreshOutcome =
    | { readonly kind: "successful"; readonly refresh: InstanceRefreshState }
    | { readonly kind: "ended"; readonly refresh: InstanceRefreshState }
    | { readonly kind: "timed out"; readonly refresh: InstanceRefreshState }
    | { readonly kind: "none started" };

/** The newest refresh the update started: not known before, latest start first. */
function startedByTheUpdate(refreshes: readonly InstanceRefreshState[], knownBefore: ReadonlySet<string>): InstanceRefreshState | undefined {
    return refreshes
        .filter((refresh) => !knownBefore.has(refresh.id))
        .sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0))[0];
}

/** Polls until the refresh the update started is Successful, ends otherwise, or time runs out. */
export async function waitForInstanceRefresh(options: WaitForRefreshOptions): Promise<RefreshOutcome> {
    const deadline = options.now() + options.timeoutMs;
    let lastReported = "";
    const first = startedByTheUpdate(await options.reader.refreshesOf(options.groupName), options.knownBefore);
    if (first === undefined) {
        return { kind: "none started" };
    }
    let refresh = first;
    for (;;) {
        const shown = `${refresh.status}${refresh.percentageComplete === undefined ? "" : ` ${refresh.percentageComplete}%`}`;
        if (shown !== lastReported) {
            options.progress(`instance refresh ${refresh.id} of ${options.groupName}: ${shown}`);
            lastReported = shown;
        }
        if (refresh.status === SUCCESSFUL) {
            return { kind: "successful", refresh };
        }
        if (!STILL_MOVING.has(refresh.status)) {
            return { kind: "ended", refresh };
        }
        if (options.now() >= deadline) {
            return { kind: "timed out", refresh };
        }
        await options.sleep(options.pollMs);
        const current = (await options.reader.refreshesOf(options.groupName)).find((candidate) => candidate.id === refresh.id);
        // A refresh that vanished from the list cannot be judged: treat it as ended, unknown.
        refresh = current ?? { ...refresh, status: "Unknown", statusReason: "no longer listed by DescribeInstanceRefreshes" };
    }
}

/** What the operator reads when the gateway is not switched, for each way the wait can end. */
export function refreshProblem(outcome: Exclude<RefreshOutcome, { kind: "successful" }>, groupName: string, timeoutMinutes: number, deployCommand: string): string {
    const describe = `aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${groupName}`;
    switch (outcome.kind) {
        case "none started":
            return (
                `no instance refresh of ${groupName} started with the origin's update, so its instances may still trust only the current certificate; ` +
                `check the image and launch template changed (${describe}), then start a refresh or re-run the rotation`
            );
        case "timed out":
            return (
                `instance refresh ${outcome.refresh.id} of ${groupName} is still ${outcome.refresh.status}` +
                `${outcome.refresh.percentageComplete === undefined ? "" : ` (${outcome.refresh.percentageComplete}% done)`} after ${timeoutMinutes} minutes; ` +
                `wait until ${describe} shows it Successful, then switch the gateway with ${deployCommand}. ` +
                `Do not update the origin stack meanwhile: an update of the group cancels a refresh in progress`
            );
        case "ended":
            return (
                `instance refresh ${outcome.refresh.id} of ${groupName} ended ${outcome.refresh.status}` +
                `${outcome.refresh.statusReason ? `: ${outcome.refresh.statusReason}` : ""}; ` +
                `instances it did not replace trust only the current certificate. Fix the cause (${describe}; the group's scaling activities), ` +
                `start a refresh again (aws autoscaling start-instance-refresh --auto-scaling-group-name ${groupName}), and once it is Successful switch the gateway with ${deployCommand}`
            );
    }
}
