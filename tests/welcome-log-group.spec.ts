import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { WELCOME_LOG_GROUP, welcomeLogGroupExists } from "../infra/api";

/**
 * `aws.cloudwatch.getLogGroups` answering with `result`. The provider builds `log_group_names`
 * from a nil slice when nothing matches (terraform-provider-aws
 * internal/service/logs/groups_data_source.go), and the bridge has turned empty collections
 * into null before (pulumi-terraform-bridge#1106, #1915): an empty answer may come as `[]`, as
 * null, or without the field.
 */
function logGroupsAnswer(result: Record<string, unknown>): void {
    pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: (args) => {
                if (args.token !== "aws:cloudwatch/getLogGroups:getLogGroups") {
                    throw new Error(`unexpected invoke ${args.token}`);
                }
                expect(args.inputs.logGroupNamePrefix).to.equal(WELCOME_LOG_GROUP);
                return { id: "us-east-1", logGroupNamePrefix: args.inputs.logGroupNamePrefix, ...result };
            },
        },
        "hello-gateway",
        "dev",
        false,
        "organization",
    );
}

describe("welcomeLogGroupExists: the lookup that decides whether /aws/apigateway/welcome is imported", () => {
    const cases: Array<{ shape: string; result: Record<string, unknown>; exists: boolean }> = [
        { shape: "an empty list", result: { logGroupNames: [], arns: [] }, exists: false },
        { shape: "no field at all (an empty set the bridge dropped)", result: {}, exists: false },
        { shape: "null", result: { logGroupNames: null, arns: null }, exists: false },
        { shape: "only a longer name sharing the prefix", result: { logGroupNames: [`${WELCOME_LOG_GROUP}-archive`] }, exists: false },
        { shape: "the group among others", result: { logGroupNames: [`${WELCOME_LOG_GROUP}-archive`, WELCOME_LOG_GROUP] }, exists: true },
    ];
    for (const { shape, result, exists } of cases) {
        it(`answers ${exists} when the lookup returns ${shape}`, async () => {
            logGroupsAnswer(result);
            expect(await welcomeLogGroupExists()).to.equal(exists);
        });
    }
});
