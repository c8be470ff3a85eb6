import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { runStack } from "./support";

/** The SDK's private recorder of where each resource was created, which a mock run turns off. */
const sourcePositions = () => (pulumi.Resource as unknown as { stackTrace?: unknown }).stackTrace;

describe("mock runtime (tools/mock-runtime.ts): what a run leaves behind", () => {
    it("puts back the SDK's source positions and the stack trace limit, after a run that passed and one that failed", async () => {
        const recorder = sourcePositions();
        expect(recorder, "the SDK still has the recorder the run turns off").to.be.a("function");
        const limit = Error.stackTraceLimit;
        await runStack("dev-origin", { overrides: {} });
        expect(sourcePositions()).to.equal(recorder);
        expect(Error.stackTraceLimit).to.equal(limit);
        await runStack("dev-origin", { overrides: { helloMessage: "" } }).then(
            () => expect.fail("an empty helloMessage is refused"),
            () => undefined,
        );
        expect(sourcePositions()).to.equal(recorder);
        expect(Error.stackTraceLimit).to.equal(limit);
    });
});
