// pyenvShimTarget against a pyenv root laid out as pyenv lays it out, in a temporary directory.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pyenvShimTarget } from "./pyenv-shim";

const SHIM = '#!/usr/bin/env bash\nset -e\nprogram="${0##*/}"\nexport PYENV_ROOT="/x"\nexec "/x/libexec/pyenv" exec "$program" "$@"\n';

describe("pyenvShimTarget: the executable a pyenv shim would run", () => {
    let root: string;
    let shim: string;
    let project: string;
    const installed = (version: string, withCommand = true) => {
        fs.mkdirSync(path.join(root, "versions", version, "bin"), { recursive: true });
        if (withCommand) fs.writeFileSync(path.join(root, "versions", version, "bin", "moto_server"), "#!/bin/sh\n", { mode: 0o755 });
        return path.join(root, "versions", version, "bin", "moto_server");
    };

    beforeEach(() => {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "hello-gateway-pyenv-"));
        root = path.join(base, ".pyenv");
        fs.mkdirSync(path.join(root, "shims"), { recursive: true });
        shim = path.join(root, "shims", "moto_server");
        fs.writeFileSync(shim, SHIM, { mode: 0o755 });
        project = path.join(base, "work", "project");
        fs.mkdirSync(project, { recursive: true });
    });

    afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

    it("follows the global version file", () => {
        const target = installed("3.11.7");
        installed("3.12.1");
        fs.writeFileSync(path.join(root, "version"), "3.11.7\n");
        expect(pyenvShimTarget(shim, {}, project)).to.equal(target);
    });

    it("prefers the nearest .python-version from the working directory up, skipping comments", () => {
        installed("3.11.7");
        const target = installed("3.12.1");
        fs.writeFileSync(path.join(root, "version"), "3.11.7\n");
        fs.writeFileSync(path.join(path.dirname(project), ".python-version"), "# the project's Python\n3.12.1 trailing words\n");
        expect(pyenvShimTarget(shim, {}, project)).to.equal(target);
    });

    it("prefers PYENV_VERSION, and takes the first of its versions that has the command", () => {
        installed("3.11.7", false);
        const target = installed("3.12.1");
        fs.writeFileSync(path.join(project, ".python-version"), "3.9.18\n");
        expect(pyenvShimTarget(shim, { PYENV_VERSION: "3.11.7:3.12.1" }, project)).to.equal(target);
    });

    it("leaves the choice to the shim when unsure or when no version has the command", () => {
        installed("3.11.7");
        installed("3.12.1", false);
        for (const version of ["system", "3.11", "../3.11.7", "3.12.1", ""]) {
            expect(pyenvShimTarget(shim, { PYENV_VERSION: version }, project), version).to.equal(undefined);
        }
        expect(pyenvShimTarget(shim, {}, project), "no version file: the system Python").to.equal(undefined);
    });

    it("resolves only pyenv's own shims", () => {
        installed("3.11.7");
        fs.writeFileSync(path.join(root, "version"), "3.11.7\n");
        fs.writeFileSync(shim, "#!/bin/sh\nexec python3 -m moto.server \"$@\"\n", { mode: 0o755 });
        expect(pyenvShimTarget(shim, {}, project), "a shims folder, but not a pyenv shim").to.equal(undefined);
        expect(pyenvShimTarget(path.join(root, "versions", "3.11.7", "bin", "moto_server"), {}, project)).to.equal(undefined);
    });
});
