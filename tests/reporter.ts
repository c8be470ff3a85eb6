/**
 * Mocha's spec reporter, with one change for a user who has just edited a stack file: when
 * specs fail and a committed stack file is one the program refuses, the failures are that file's
 * doing (most specs read the committed stacks), so the summary prints the refusal itself, once,
 * as `npm run plan` prints it, instead of the same report repeated per failed spec with stack
 * frames. The check loads the program's config parser only after a failure: a passing run pays
 * nothing for it.
 */
import Mocha from "mocha";
import { committedStackFilesReport } from "../tools/config-report";

class StackFileAwareSpecReporter extends Mocha.reporters.Spec {
    override epilogue(): void {
        const report = this.stats.failures > 0 ? committedStackFilesReport() : undefined;
        if (report === undefined) {
            super.epilogue();
            return;
        }
        const log = (line = "") => Mocha.reporters.Base.consoleLog(line);
        log();
        log(`  ${this.stats.passes} passing`);
        if (this.stats.pending) log(`  ${this.stats.pending} pending`);
        log(`  ${this.stats.failures} failing`);
        log();
        log("  The committed stack files are refused, and the specs that read them fail with them:");
        log();
        for (const line of report.split("\n")) log(`  ${line}`);
        log();
        log("  Fix the stack files (docs/configuration.md), then run npm test again: the details of");
        log("  any spec that still fails are printed then.");
        log();
    }
}

export = StackFileAwareSpecReporter;
