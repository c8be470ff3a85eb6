// Finished function bundles kept for reuse: in memory for this process, and on disk under
// node_modules/.cache for the next one. An entry is used only while every file that went into it
// still has the content it had when it was built (SHA-256 of each), so editing a function, a
// module it imports, or a package under node_modules rebuilds it. Free of the Pulumi SDK.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** What a cache entry must reproduce: the bundle as `buildFunctionBundle` returns it. */
export interface CachedBundle {
    readonly sourceFile: string;
    readonly code: string;
    readonly sha256: string;
    /** The files that went into the bundle, relative to its root. */
    readonly inputs: readonly string[];
}

interface Entry {
    readonly bundle: CachedBundle;
    /** SHA-256 of each input file, in the order of `bundle.inputs`. */
    readonly inputHashes: readonly string[];
}

/** How long after its last write a file's stat is not trusted to show a change of content. */
const RACY_WINDOW_NS = 2_000_000_000n;

/** The on-disk form's version; an entry of another version is ignored. */
const ENTRY_FORMAT = 1;

function isEntry(value: unknown): value is Entry & { format: number } {
    const entry = value as { format?: unknown; bundle?: Partial<CachedBundle>; inputHashes?: unknown } | null;
    return (
        typeof entry === "object" &&
        entry !== null &&
        entry.format === ENTRY_FORMAT &&
        typeof entry.bundle?.code === "string" &&
        typeof entry.bundle.sha256 === "string" &&
        typeof entry.bundle.sourceFile === "string" &&
        Array.isArray(entry.bundle.inputs) &&
        Array.isArray(entry.inputHashes) &&
        entry.inputHashes.length === entry.bundle.inputs.length
    );
}

/** A file's identity on disk as a stat sees it: when none of it changed, neither did the content. */
interface StatIdentity {
    readonly dev: number;
    readonly ino: number;
    readonly size: number;
    readonly mtimeNs: bigint;
    readonly ctimeNs: bigint;
}

function sameStat(a: StatIdentity, b: StatIdentity): boolean {
    return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

export class BundleCache {
    private readonly inMemory = new Map<string, Entry>();
    /**
     * Content hashes by file, with the stat they were read under. The five chat functions share
     * some 520 files of the AWS SDK; each is read and hashed again only when its stat changed
     * (a write changes the modification and change times, as make and tsc assume). A file
     * written in the two seconds before it was hashed is hashed every time: a file system's
     * clock ticks coarser than nanoseconds, so a second write of the same size in the same tick
     * would keep the stat (git's "racy clean" case).
     */
    private readonly hashes = new Map<string, { readonly stat: StatIdentity; readonly hash: string; readonly trusted: boolean }>();

    /**
     * @param directory Where entries are written for later processes; undefined keeps them in
     *   memory only. A directory that cannot be written is the same as none.
     */
    constructor(private readonly directory: string | undefined) {}

    /**
     * The bundle stored under `key` (which names everything that decides the build besides the
     * input files: esbuild's version, the options, the root and the entry file), if each of its
     * inputs under `root` still has the content it was built from.
     */
    lookup(key: string, root: string): CachedBundle | undefined {
        const entry = this.inMemory.get(key) ?? this.readFromDisk(key);
        if (entry === undefined) return undefined;
        const current = entry.bundle.inputs.every((input, index) => this.contentHashOf(path.resolve(root, input)) === entry.inputHashes[index]);
        if (!current) {
            this.inMemory.delete(key);
            return undefined;
        }
        this.inMemory.set(key, entry);
        return entry.bundle;
    }

    /** Keeps `bundle`, just built from the files under `root`, under `key`. */
    store(key: string, root: string, bundle: CachedBundle): void {
        const entry: Entry = { bundle, inputHashes: bundle.inputs.map((input) => this.contentHashOf(path.resolve(root, input)) ?? "") };
        this.inMemory.set(key, entry);
        if (this.directory === undefined) return;
        try {
            fs.mkdirSync(this.directory, { recursive: true });
            // Written aside and renamed into place: test workers running at once never read half a file.
            const file = this.fileOf(key);
            const partial = `${file}.${process.pid}.partial`;
            fs.writeFileSync(partial, JSON.stringify({ format: ENTRY_FORMAT, ...entry }));
            fs.renameSync(partial, file);
        } catch {
            // A read-only checkout still bundles; it only keeps nothing for the next process.
        }
    }

    private contentHashOf(file: string): string | undefined {
        let stat: StatIdentity;
        try {
            const { dev, ino, size, mtimeNs, ctimeNs } = fs.statSync(file, { bigint: true });
            stat = { dev: Number(dev), ino: Number(ino), size: Number(size), mtimeNs, ctimeNs };
        } catch {
            this.hashes.delete(file);
            return undefined;
        }
        const known = this.hashes.get(file);
        if (known !== undefined && known.trusted && sameStat(known.stat, stat)) {
            return known.hash;
        }
        let hash: string;
        try {
            hash = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
        } catch {
            return undefined;
        }
        const settledBefore = BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;
        const settled = stat.mtimeNs < settledBefore && stat.ctimeNs < settledBefore;
        this.hashes.set(file, { stat, hash, trusted: settled });
        return hash;
    }

    private fileOf(key: string): string {
        return path.join(this.directory!, `${createHash("sha256").update(key).digest("hex")}.json`);
    }

    private readFromDisk(key: string): Entry | undefined {
        if (this.directory === undefined) return undefined;
        try {
            const parsed: unknown = JSON.parse(fs.readFileSync(this.fileOf(key), "utf8"));
            return isEntry(parsed) ? { bundle: parsed.bundle, inputHashes: parsed.inputHashes } : undefined;
        } catch {
            return undefined;
        }
    }
}
